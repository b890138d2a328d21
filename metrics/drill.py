"""The contacts behind a figure (click-through from a tile or a chart's bar), and the days a
recall's data spans.

**Contacts behind** metric M in a bucket (phase, local day, channel) = the rows of ``c`` (the
recall's contacts up to ``as_of``, the shared filters applied; metrics/scope.py) that M counts in
its denominator there (docs/metrics.md#click-through), as each metric's catalog entry declares
(metrics/catalog.py ``drill`` and ``drill_outcome``):

- ``contacts``: inbound contacts; ``handled``: inbound contacts not abandoned;
- ``service_level``, ``abandon_rate``, ``asa_s``: offered calls — inbound phone calls answered, or
  abandoned after ≥ ``short_abandon_s``;
- ``aht_s``: handled inbound contacts with a known handle time;
- ``fcr``: the contacts FCR measures — repeat-contact method: handled inbound contacts with a known
  customer whose window W has closed (metrics/fcr.py), with ``outcome`` ``resolved`` (not
  transferred, no repeat in W), ``repeat`` or ``transferred``; Zendesk one-touch: solved or closed
  Zendesk tickets with a known reply count, ``outcome`` ``one touch`` or ``more replies``;
- ``repeat_rate``: the same eligible contacts, ``outcome`` ``repeat`` or ``no repeat``;
- ``csat``: contacts with a CSAT response by ``as_of`` (the responses CSAT counts are linked to
  them), ``outcome`` ``satisfied`` or ``not satisfied`` (a contact with several responses:
  satisfied when its latest is).

At most :data:`MAX_ROWS` rows, newest first; ``total`` says how many there are. Every row has
``outcome`` (empty for the metrics that are counts over the rows).

**Data range** = the first and last local day (the recall's zone) of the recall's contacts up to
``as_of``, no filter applied; both None without contacts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from metrics.base import Options, Scope, run
from metrics.catalog import METRICS, Metric
from metrics.fcr import came_back_sql, eligible_sql

MAX_ROWS = 5000

_LATEST_SATISFIED = """(SELECT s.is_satisfied FROM csat s WHERE s.contact_h = k.key_h AND s.responded_at <= $as_of
    AND s.is_satisfied IS NOT NULL ORDER BY s.responded_at DESC LIMIT 1)"""
_ONE_TOUCH = (
    "source = 'zendesk' AND direction = 'inbound' AND status IN ('solved', 'closed') AND agent_replies IS NOT NULL"
)
# The metrics with a click-through, each's rows and outcome declared in its catalog entry (``drill``).
BEHIND: dict[str, Metric] = {m.id: m for m in METRICS if m.drill}


def _rule(metric_id: str, options: Options) -> tuple[str, str]:
    """(which contacts, their ``outcome`` expression) for ``metric_id``, over ``c`` aliased ``k``."""
    if metric_id == "fcr" and options.fcr_method == "zendesk_one_touch":
        return _ONE_TOUCH, "CASE WHEN agent_replies < 2 THEN 'one touch' ELSE 'more replies' END"
    m = BEHIND[metric_id]
    outcome = (m.drill_outcome or "CAST(NULL AS VARCHAR)").format(
        came_back=came_back_sql(options), latest_satisfied=_LATEST_SATISFIED
    )
    rule = m.drill.format(short=float(options.short_abandon_s), eligible=eligible_sql(options))
    return rule, outcome


COLUMNS = (
    "created_at",
    "day",
    "phase",
    "channel",
    "source",
    "source_id",
    "status",
    "is_abandoned",
    "wait_s",
    "handle_s",
    "queue",
    "reason",
)
PERSONAL = ("customer_email", "customer_phone")  # from ``contacts`` (the facts do not keep them)


def contacts_behind(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    metric_id: str = "contacts",
    phase: str = "all",
    day: date | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """``{"rows": frame (COLUMNS, newest first, at most MAX_ROWS), "total": int}`` for the
    contacts behind ``metric_id`` in ``phase`` (``all``: every phase), local ``day`` and
    ``channel`` (None: every one)."""
    if metric_id not in BEHIND:
        raise ValueError(f"no click-through for {metric_id!r}; one of {', '.join(BEHIND)}")
    rule, outcome = _rule(metric_id, scope.options)
    where = f"""({rule}) AND ($phase = 'all' OR phase = $phase)
        AND (CAST($day AS DATE) IS NULL OR day = CAST($day AS DATE))
        AND (CAST($channel AS VARCHAR) IS NULL OR channel = $channel)"""
    params = {"phase": phase, "day": day, "channel": channel}
    total = run(con, f" SELECT count(*) AS n FROM c k WHERE {where}", scope, params)["n"][0]
    picked = ", ".join([*(f"k.{c}" for c in COLUMNS), "k.outcome", *(f"x.{c}" for c in PERSONAL)])
    body = f""" SELECT {picked} FROM (SELECT *, {outcome} AS outcome FROM c k WHERE {where}
        ORDER BY created_at DESC, source_id LIMIT {MAX_ROWS}) k
    JOIN contacts x ON x.source = k.source AND x.source_id = k.source_id
    ORDER BY k.created_at DESC, k.source_id"""
    return {"rows": run(con, body, scope, params), "total": int(total)}


def data_range(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[date | None, date | None]:
    """(first, last) local day of the recall's contacts up to ``as_of``, filters ignored."""
    frame = run(con, " SELECT min(day) AS first_day, max(day) AS last_day FROM c_all", scope)
    return frame["first_day"][0], frame["last_day"][0]
