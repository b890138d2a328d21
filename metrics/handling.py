"""Average handle time (AHT).

AHT = mean of ``handle_s`` over handled contacts (inbound, not abandoned) whose handle time is
known; for calls ``handle_s = talk_s + hold_s + wrap_s`` (computed at load when not given), for
tickets and chats the tracked agent time. Never computed from ticket age. Reported per channel
and for all channels, with the median and P90 (``quantile_cont``) beside the mean.

A ``breakdown`` other than ``channel`` (``queue`` or ``agent``) groups by that column instead;
contacts where it is empty are labelled ``(none)``.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, complete_phases, grouped, run
from metrics.scope import bucket_sql

BREAKDOWNS = ("channel", "queue", "agent")
NONE_LABEL = "(none)"

# Both quantiles from one list aggregate: one ordering of the values per group instead of two.
_QUANTILES = "quantile_cont(handle_s, [0.5, 0.9])[1] AS median_s, quantile_cont(handle_s, [0.5, 0.9])[2] AS p90_s"


def _quantiles_sql(col: str, breakdown: str, group: str, select: str) -> str:
    """CTE bodies (leading comma) ``q``: (col, breakdown, median_s, p90_s) of ``h`` per group:
    ``quantile_cont(handle_s, 0.5 | 0.9)``'s rule (n values sorted, position p = (n − 1) × q, the
    values at floor(p) and ceil(p) interpolated: lo + (p − floor(p)) × (hi − lo)) worked out from
    the count of each distinct handle time — a few thousand values (whole seconds) instead of
    sorting millions of rows once per grouping set. Equal to ``quantile_cont`` but in the last bit
    of an interpolated value, where DuckDB's own arithmetic may round once instead of twice."""
    g = f"{col}, {breakdown}"
    picks = []
    for name, q in (("median_s", 0.5), ("p90_s", 0.9)):
        pos = f"CAST(n_all - 1 AS DOUBLE) * CAST({q} AS DOUBLE)"  # as quantile_cont: in doubles, not decimals
        at = "max(handle_s) FILTER (WHERE end_k - k <= {i} AND {i} < end_k)"
        lo, hi = at.format(i=f"floor({pos})"), at.format(i=f"ceil({pos})")
        picks.append(f"{lo} + ({pos} - floor({pos})) * ({hi} - {lo}) AS {name}")
    return f""",
    hist AS (SELECT {col}, {breakdown}, handle_s, count(*) AS k FROM h GROUP BY ALL),
    sets AS (SELECT {select}, handle_s, sum(k) AS k FROM hist GROUP BY {group}, handle_s),
    ranked AS (SELECT *, sum(k) OVER (PARTITION BY {g} ORDER BY handle_s ROWS UNBOUNDED PRECEDING) AS end_k,
                      sum(k) OVER (PARTITION BY {g}) AS n_all FROM sets),
    q AS (SELECT {g}, {", ".join(picks)} FROM ranked GROUP BY {g}, n_all)"""


def handle_time(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    by: str = "phase",
    breakdown: str = "channel",
    quantiles: bool = True,
) -> pl.DataFrame:
    """One row per bucket and ``breakdown`` value (``all`` included): n, mean_s, median_s, p90_s
    (``quantiles=False``: n and mean_s only, for callers that show the mean alone)."""
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"handle time breakdown must be one of {BREAKDOWNS}")
    select, group = grouped(by, breakdown)
    col = bucket_sql(by)
    body = f""",
    h AS (SELECT phase, day, handle_s, coalesce({breakdown}, '{NONE_LABEL}') AS {breakdown} FROM c
          WHERE direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL)"""
    if quantiles and by == "phase" and breakdown != "agent":  # measured at 10M: 0.9 -> 0.3 s
        body += f""",
    m AS (SELECT {select}, count(*) AS n, avg(handle_s) AS mean_s FROM h GROUP BY {group})"""
        body += _quantiles_sql(col, breakdown, group, select)
        body += f"\n    SELECT m.*, q.median_s, q.p90_s FROM m JOIN q USING ({col}, {breakdown})"
    else:  # by day or by agent the groups are small: counting distinct values saves nothing
        body += f"\n    SELECT {select}, count(*) AS n, avg(handle_s) AS mean_s{', ' + _QUANTILES if quantiles else ''}"
        body += f"\n    FROM h GROUP BY {group}"
    frame = run(con, body, scope)
    return complete_phases(frame, {"n": 0}, breakdown) if by == "phase" else frame.sort(by, breakdown)


def handle_time_mean(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """:func:`handle_time` by channel without the median and P90 (n and mean_s), which cost most
    of the query: what a tile that shows the mean reads (the AHT metric's ``reads``)."""
    return handle_time(con, scope, by, quantiles=False)
