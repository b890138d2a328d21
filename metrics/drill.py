"""The contacts behind a figure (click-through from a tile or a chart's bar), and the days a
recall's data spans.

**Contacts behind** metric M in a bucket (phase, local day, channel) = the rows of ``c`` (the
recall's contacts up to ``as_of``, the shared filters applied; metrics/scope.py) that M counts in
its denominator there (docs/metrics.md#click-through):

- ``contacts``: inbound contacts; ``handled``: inbound contacts not abandoned;
- ``service_level``, ``abandon_rate``, ``asa_s``: offered calls — inbound phone calls answered, or
  abandoned after ≥ ``short_abandon_s``;
- ``aht_s``: handled inbound contacts with a known handle time.

At most :data:`MAX_ROWS` rows, newest first; ``total`` says how many there are.

**Data range** = the first and last local day (the recall's zone) of the recall's contacts up to
``as_of``, no filter applied; both None without contacts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from metrics.base import Scope, run

MAX_ROWS = 5000

_OFFERED = "direction = 'inbound' AND channel = 'phone' AND (NOT is_abandoned OR wait_s >= {short})"
BEHIND: dict[str, str] = {
    "contacts": "direction = 'inbound'",
    "handled": "direction = 'inbound' AND NOT is_abandoned",
    "service_level": _OFFERED,
    "abandon_rate": _OFFERED,
    "asa_s": _OFFERED,
    "aht_s": "direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL",
}

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
    rule = BEHIND[metric_id].format(short=float(scope.options.short_abandon_s))
    where = f"""({rule}) AND ($phase = 'all' OR phase = $phase)
        AND (CAST($day AS DATE) IS NULL OR day = CAST($day AS DATE))
        AND (CAST($channel AS VARCHAR) IS NULL OR channel = $channel)"""
    params = {"phase": phase, "day": day, "channel": channel}
    total = run(con, f" SELECT count(*) AS n FROM c WHERE {where}", scope, params)["n"][0]
    picked = ", ".join([*(f"k.{c}" for c in COLUMNS), *(f"x.{c}" for c in PERSONAL)])
    body = f""" SELECT {picked} FROM (SELECT * FROM c WHERE {where}
        ORDER BY created_at DESC, source_id LIMIT {MAX_ROWS}) k
    JOIN contacts x ON x.source = k.source AND x.source_id = k.source_id
    ORDER BY k.created_at DESC, k.source_id"""
    return {"rows": run(con, body, scope, params), "total": int(total)}


def data_range(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[date | None, date | None]:
    """(first, last) local day of the recall's contacts up to ``as_of``, filters ignored."""
    frame = run(con, " SELECT min(day) AS first_day, max(day) AS last_day FROM c_all", scope)
    return frame["first_day"][0], frame["last_day"][0]
