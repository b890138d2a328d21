"""Average handle time (AHT).

AHT = mean of ``handle_s`` over handled contacts (inbound, not abandoned) whose handle time is
known; for calls ``handle_s = talk_s + hold_s + wrap_s`` (computed at load when not given), for
tickets and chats the tracked agent time. Never computed from ticket age. Reported per channel
and for all channels, with the median and P90 (``quantile_cont``) beside the mean.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from metrics.base import NO_FILTERS, Filters, complete_phases, grouped, run


def handle_time(
    con: duckdb.DuckDBPyConnection, recall_id: str, as_of: datetime, by: str = "phase", filters: Filters = NO_FILTERS
) -> pl.DataFrame:
    """One row per bucket and channel (``all`` included): n, mean_s, median_s, p90_s."""
    select, group = grouped(by, "channel")
    body = f"""
    SELECT {select}, count(*) AS n, avg(handle_s) AS mean_s,
           quantile_cont(handle_s, 0.5) AS median_s, quantile_cont(handle_s, 0.9) AS p90_s
    FROM c WHERE direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL
    GROUP BY {group}"""
    frame = run(con, body, recall_id, as_of, filters)
    return complete_phases(frame, {"n": 0}, "channel") if by == "phase" else frame.sort(by, "channel")
