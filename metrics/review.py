"""The post-recall review's data (docs/regulator-reports.md#post-recall-review): everything read
in one transaction as of one moment.

- ``as_of``: given, else 14 days after the recall's close, or now when that is later (or no close).
- ``timeline``: announcement, start of "during", start of "ongoing", the first notice, the peak day
  (local day with the most inbound recall contacts), closure — each (instant, what), in order.
- ``report``: ``metrics.build_report`` at ``as_of`` (the coverage funnel's figures).
- ``phase_table``: every catalog metric measured per phase (metrics/catalog.py: those with the
  phase grain, except the per-channel breakdowns, which ``volume`` shows): (metric id, {phase or
  ``all``: Reading}), in catalog order.
- ``volume``: inbound contacts per local day and channel (``metrics.volume`` by day).
- ``by_region`` / ``by_lot``: ``metrics.coverage`` by group, with ``correction_rate`` = remedied
  units ÷ affected units.
- ``consumer_units``: units with consumers (level ``consumer``; when the registry records no
  level, the units with an owner) and how many are remedied — the consumer-level correction rate
  compared with CPSC's benchmarks (``BENCHMARKS``).
- ``notify``: time-to-notify bins and summary; ``unreachable``: how many, and the first
  ``UNREACHABLE_SHOWN`` rows (personal data: the document masks them).
- ``ingests``: every file loaded (the whole ledger, undone loads included: when a file was loaded
  is not a moment of the recall); ``quarantine``: quarantined values per file, column and
  reason (counts only: the raw values may hold personal data).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from metrics.base import Scope, as_utc, now_utc, run
from metrics.catalog import METRICS, Reading
from metrics.coverage import correction_rate, coverage, funnel_outside
from metrics.outreach import time_to_notify, time_to_notify_summary, unreachable_customers
from metrics.periods import local_midnight
from metrics.regulator.common import recall_row
from metrics.report import build_report
from metrics.scope import PHASES
from metrics.volume import volume
from store.db import read_transaction
from store.phases import phase_bounds

REVIEW_AFTER_CLOSE = timedelta(days=14)
PHASE_TABLE = tuple(m for m in METRICS if "phase" in m.grains and m.id not in ("contacts_by_channel", "channel_mix"))
UNREACHABLE_SHOWN = 25
# CPSC recall-effectiveness workshop, 25 July 2017: 865 closed cases, corrective action plans of FY2013–FY2016.
BENCHMARKS = (
    (0.65, "CPSC overall correction rate (all levels)"),
    (0.50, "CPSC consumer level, direct notice (Recall Alerts)"),
    (0.06, "CPSC consumer level, press release only"),
)


def review_time(recall: dict[str, Any], as_of: datetime | str | None) -> datetime:
    if as_of is not None:
        return as_utc(as_of)
    closed = recall.get("closed_at")
    now = now_utc()
    return min(now, closed + REVIEW_AFTER_CLOSE) if closed else now


def build_review(con: duckdb.DuckDBPyConnection, recall_id: str | None, as_of: datetime | str | None = None) -> dict:
    with read_transaction(con):
        recall = recall_row(con, recall_id)
        rid = recall["recall_id"]
        at = review_time(recall, as_of)
        scope = Scope(rid, at)
        report = build_report(con, rid, at)
        daily = volume(con, scope, "day")
        by_region, by_lot = (_rated(coverage(con, scope, by)) for by in ("region", "lot"))
        consumer_units = run(con, _CONSUMER_UNITS, scope).row(0, named=True)
        return {
            "recall": recall,
            "as_of": at,
            "timeline": _timeline(con, recall, scope, daily),
            "report": report,
            "phase_table": phase_table(con, scope),
            "volume": daily,
            "by_region": by_region,
            "by_lot": by_lot,
            "consumer_units": consumer_units,
            "benchmarks": BENCHMARKS,
            "notify_bins": time_to_notify(con, scope),
            "notify": time_to_notify_summary(con, scope),
            "funnel_outside": funnel_outside(con, scope),
            "unreachable_count": report["coverage"]["affected_customers"] - report["coverage"]["reached"],
            "unreachable": unreachable_customers(con, scope, UNREACHABLE_SHOWN),
            "ingests": con.sql(
                "SELECT ingest_id, file_name, connector, recall_id, rows_read, rows_inserted, rows_updated, "
                "rows_unchanged, rows_quarantined, loaded_at, loaded_by, undone_at FROM ingests ORDER BY ingest_id"
            ).pl(),
            "quarantine": con.sql(
                "SELECT q.ingest_id, i.file_name, coalesce(q.column_name, '') AS column_name, q.reason, "
                "count(*) AS values FROM quarantine q JOIN ingests i USING (ingest_id) "
                "GROUP BY ALL ORDER BY q.ingest_id, values DESC, q.reason"
            ).pl(),
        }


# Consumer units: level "consumer"; when the registry records no level at all, the units with an owner.
_CONSUMER_UNITS = """,
    u AS (SELECT *, CASE WHEN (SELECT count(supply_chain_level) FROM reg) > 0 THEN supply_chain_level = 'consumer'
                         ELSE customer_id IS NOT NULL END AS is_consumer FROM reg)
    SELECT count(*) FILTER (is_consumer) AS units,
        count(*) FILTER (is_consumer AND remedy_completed_at <= $as_of) AS remedied,
        (SELECT count(supply_chain_level) FROM reg) > 0 AS by_level
    FROM u"""


def _rated(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each group's ``correction_rate`` (metrics/coverage.py)."""
    rates = [correction_rate(r, a) for r, a in zip(frame["remedied_units"], frame["affected_units"], strict=True)]
    return frame.with_columns(pl.Series("correction_rate", rates, dtype=pl.Float64))


def _timeline(
    con: duckdb.DuckDBPyConnection, recall: dict[str, Any], scope: Scope, daily: pl.DataFrame
) -> list[tuple[datetime, str]]:
    bounds, at = phase_bounds(recall), scope.as_of
    events = [
        (bounds["day_one"][0], "Recall announced (day one begins)"),
        (bounds["during"][0], "During the recall (day one ends)"),
        (bounds["ongoing"][0], "Ongoing phase begins"),
    ]
    first = run(con, "SELECT min(status_at) FROM n", scope).item()
    if first is not None:
        events.append((first, "First notice to an affected customer"))
    totals = daily.filter(pl.col("channel") == "all").sort(["contacts", "day"], descending=[True, False])
    if totals.height and totals["contacts"][0]:
        peak = totals.row(0, named=True)
        what = f"Peak day: {peak['contacts']:,} inbound contacts ({peak['day']:%a %d %b})"
        events.append((_noon(peak["day"], recall["timezone"]), what))
    if bounds["after"][0] is not None:
        events.append((bounds["after"][0], "Recall closed"))
    return sorted((e for e in events if e[0] <= at), key=lambda e: e[0])


def _noon(day: date, timezone: str) -> datetime:
    """Local noon of ``day`` as a naive UTC instant."""
    return local_midnight(day, timezone) + timedelta(hours=12)


def phase_table(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[tuple[str, dict[str, Reading]]]:
    """Each metric of ``PHASE_TABLE`` in every phase and ``all`` (metrics sharing a function share
    one computation)."""
    results: dict[object, Any] = {}
    out = []
    for m in PHASE_TABLE:
        if m.compute not in results:
            results[m.compute] = m.compute(con, scope, "phase")
        out.append((m.id, {p: m.reading(results[m.compute], p) for p in (*PHASES, "all")}))
    return out
