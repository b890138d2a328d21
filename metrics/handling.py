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

BREAKDOWNS = ("channel", "queue", "agent")
NONE_LABEL = "(none)"
# Both quantiles from one list aggregate: one ordering of the values per group instead of two.
_QUANTILES = ", quantile_cont(handle_s, [0.5, 0.9])[1] AS median_s, quantile_cont(handle_s, [0.5, 0.9])[2] AS p90_s"


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
    body = f""",
    h AS (SELECT phase, day, handle_s, coalesce({breakdown}, '{NONE_LABEL}') AS {breakdown} FROM c
          WHERE direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL)
    SELECT {select}, count(*) AS n, avg(handle_s) AS mean_s{_QUANTILES if quantiles else ""}
    FROM h GROUP BY {group}"""
    frame = run(con, body, scope)
    return complete_phases(frame, {"n": 0}, breakdown) if by == "phase" else frame.sort(by, breakdown)


def handle_time_mean(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """:func:`handle_time` by channel without the median and P90 (n and mean_s), which cost most
    of the query: what a tile that shows the mean reads (the AHT metric's ``reads``)."""
    return handle_time(con, scope, by, quantiles=False)
