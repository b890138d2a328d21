"""Outreach to affected customers over time: coverage per day, time to notify, unreachable list.

Customers, statuses and identity are those of ``metrics.coverage`` (affected customer = distinct
registry ``customer_id``). For each affected customer, as of ``as_of``:
- ``notified_at`` = the first outreach event of any status (failed and bounced included);
- ``reached_at`` = the first delivered, read, opened or clicked event, or the ``created_at`` of
  the first answered outbound call (``answered_at`` set or talk time > 0), whichever is first;
- ``engaged_at`` = the first read, clicked or replied event or inbound recall contact;
- ``remedied_at`` = the latest ``remedy_completed_at`` of their units when every unit has one at
  or before ``as_of``, else none.

**Coverage per day** (``coverage_daily``): for each local day (recall zone) from the earlier of the
announcement day and the first outreach event to the day of ``as_of``, the cumulative number of
affected customers notified / reached / engaged / remedied by the end of that day (or by
``as_of`` for its day). The last row equals ``metrics.coverage`` at ``as_of``.

**Time to notify** (``time_to_notify``): per notified affected customer, hours from the recall's
``announced_at`` to ``notified_at`` (negative when notified before the announcement), counted in
equal bins; ``time_to_notify_summary`` gives n, the affected customers not notified, median and P90 hours
(``quantile_cont``).

**Unreachable customers** (``unreachable_customers``): affected customers not reached by
``as_of``: those notified whose attempts never got through (sent, failed, bounced only) and those
never notified. A customer reached by an answered outbound call is not unreachable.

**Per phase** the Coverage page reports these as of the end of the phase (``coverage_as_of``):
the earlier of ``as_of`` and the phase's end (pre-announcement: A; day one: A + 24 h; during:
``ongoing_from``; ongoing: ``closed_at``; after and the whole recall: no end).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from metrics.base import Scope, daily_counts_sql, run
from metrics.scope import PHASES, phase_bounds
from store.derived.rules import REGISTRY_ID_SQL


def coverage_daily(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per local day: day, snapshot_at (the next local midnight as a UTC instant, or
    ``as_of`` for its day), affected_customers, and the cumulative notified, reached, engaged,
    remedied customers at the snapshot.

    Computed in one pass over the customers: each moment (``notified_at``…) counts on the local day
    of the instant just before it (so a moment at exactly midnight ends the day before, as
    ``≤ snapshot_at`` says), clamped to the first day, then summed cumulatively over the days."""
    local = "CAST(timezone(r.timezone, timezone('UTC', {})) AS DATE)"
    body = f""",
    d AS (
        SELECT CAST(g AS DATE) AS day FROM r,
            (SELECT min(status_at) AS first_at FROM n) f,
            generate_series(least({local.format("r.announced_at")}, coalesce({local.format("f.first_at")},
                                  {local.format("r.announced_at")})),
                            {local.format("$as_of::TIMESTAMP")}, INTERVAL 1 DAY) AS s(g)),
    moments AS (
        SELECT kind, moment_at - INTERVAL 1 MICROSECOND AS moment_at FROM (
            UNPIVOT (SELECT notified_at, reached_at, engaged_at, remedied_at FROM people)
            ON notified_at, reached_at, engaged_at, remedied_at INTO NAME kind VALUE moment_at))
    {daily_counts_sql("moments", "(SELECT min(day) FROM d)")},
    per_day AS (
        SELECT day, sum(n) FILTER (kind = 'notified_at') AS notified, sum(n) FILTER (kind = 'reached_at') AS reached,
            sum(n) FILTER (kind = 'engaged_at') AS engaged, sum(n) FILTER (kind = 'remedied_at') AS remedied
        FROM daily GROUP BY day)
    SELECT d.day,
        least(timezone('UTC', timezone(r.timezone, CAST(d.day + INTERVAL 1 DAY AS TIMESTAMP))),
              $as_of::TIMESTAMP) AS snapshot_at,
        (SELECT count(*) FROM people) AS affected_customers,
        {
        ", ".join(
            f"CAST(sum(coalesce(x.{k}, 0)) OVER (ORDER BY d.day) AS BIGINT) AS {k}"
            for k in ("notified", "reached", "engaged", "remedied")
        )
    }
    FROM d CROSS JOIN r LEFT JOIN per_day x USING (day)
    ORDER BY d.day"""
    return run(con, body, scope.unfiltered())


def time_to_notify(con: duckdb.DuckDBPyConnection, scope: Scope, bins: int = 40) -> pl.DataFrame:
    """Notified affected customers by hours from the announcement to ``notified_at``, in ``bins``
    equal bins from the smallest to the largest value: bin_start_h, bin_end_h, customers (bins
    with none included; a value on an inner edge falls in the bin it starts; the largest value in
    the last bin). One bin of width 1 h when every value is the same; no rows when nobody is
    notified. No personal data."""
    body = f""",
    h AS (SELECT epoch(p.notified_at - r.announced_at) / 3600.0 AS hours FROM people p, r
          WHERE p.notified_at IS NOT NULL),
    edges AS (SELECT min(hours) AS lo, CASE WHEN max(hours) > min(hours)
                                            THEN (max(hours) - min(hours)) / {int(bins)} ELSE 1 END AS width,
                     CASE WHEN max(hours) > min(hours) THEN {int(bins)} ELSE 1 END AS k FROM h),
    counted AS (SELECT least(CAST(floor((hours - lo) / width) AS BIGINT), k - 1) AS i, count(*) AS customers
                FROM h, edges GROUP BY 1)
    SELECT lo + i * width AS bin_start_h, lo + (i + 1) * width AS bin_end_h, coalesce(customers, 0) AS customers
    FROM edges, range(k) AS s(i) LEFT JOIN counted USING (i)
    WHERE lo IS NOT NULL ORDER BY i"""
    return run(con, body, scope.unfiltered())


def time_to_notify_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """{"n": notified affected customers, "not_notified": int, "median_h": float|None,
    "p90_h": float|None}."""
    body = """,
    h AS (SELECT epoch(p.notified_at - r.announced_at) / 3600.0 AS hours FROM people p, r)
    SELECT count(hours) AS n, count(*) - count(hours) AS not_notified,
        quantile_cont(hours, [0.5, 0.9])[1] AS median_h, quantile_cont(hours, [0.5, 0.9])[2] AS p90_h
    FROM h"""
    return run(con, body, scope.unfiltered()).row(0, named=True)


def unreachable_customers(con: duckdb.DuckDBPyConnection, scope: Scope, limit: int | None = None) -> pl.DataFrame:
    """One row per affected customer not reached by ``as_of``: status ('notified, not reached' or
    'never notified'), customer_ref, customer_email, customer_phone (personal data: mask before
    showing), region (their units' regions, comma-separated), units, attempts (outreach events),
    last_status, last_channel, last_attempt_at. Notified first, then by units (most first), then by
    registry customer id; the first ``limit`` rows only when given.

    The customers are chosen (and cut to ``limit``) from the customer facts alone; only their
    registry rows and events are then read."""
    cut = "" if limit is None else f"LIMIT {int(limit)}"
    body = f""",
    chosen AS (
        SELECT customer_id, customer_h, units, notified_at FROM people WHERE reached_at IS NULL
        ORDER BY notified_at IS NULL, units DESC, customer_id {cut}),
    their_units AS (
        SELECT * FROM (
            SELECT a.*, {REGISTRY_ID_SQL} AS customer_id FROM affected a
            WHERE a.recall_id = $rid AND (
                a.customer_ref IN (SELECT customer_id FROM chosen)
                OR a.customer_email IN (SELECT substr(customer_id, 7) FROM chosen WHERE customer_id LIKE 'email:%')
                OR a.customer_phone IN (SELECT substr(customer_id, 7) FROM chosen WHERE customer_id LIKE 'phone:%')))
        WHERE customer_id IN (SELECT customer_id FROM chosen)),
    who AS (
        SELECT customer_id, min(customer_ref) AS customer_ref, min(customer_email) AS customer_email,
            min(customer_phone) AS customer_phone, string_agg(DISTINCT region, ', ' ORDER BY region) AS region
        FROM their_units GROUP BY customer_id),
    last_ev AS (
        SELECT customer_id, count(*) AS attempts,
            arg_max(status, (status_at, source_id)) AS last_status,
            arg_max(channel, (status_at, source_id)) AS last_channel, max(status_at) AS last_attempt_at
        FROM n WHERE customer_h IN (SELECT customer_h FROM chosen) AND customer_id IN (SELECT customer_id FROM chosen)
        GROUP BY customer_id)
    SELECT CASE WHEN p.notified_at IS NULL THEN 'never notified' ELSE 'notified, not reached' END AS status,
        who.customer_ref, who.customer_email, who.customer_phone, who.region, p.units,
        coalesce(l.attempts, 0) AS attempts, l.last_status, l.last_channel, l.last_attempt_at
    FROM chosen p JOIN who USING (customer_id) LEFT JOIN last_ev l USING (customer_id)
    ORDER BY p.notified_at IS NULL, p.units DESC, p.customer_id"""
    return run(con, body, scope.unfiltered())


def coverage_as_of(recall: dict[str, Any], phase: str, as_of: datetime) -> datetime:
    """The report time for coverage "in" ``phase``: ``as_of``, or the phase's end when earlier
    (``phase_bounds``; the whole recall and an open phase have no end)."""
    end = phase_bounds(recall)[phase][1] if phase in PHASES else None
    return min(as_of, end) if end is not None else as_of
