"""Phone service level, abandon rate and ASA (inbound phone contacts).

- answered = calls not abandoned; abandoned = abandoned calls with ``wait_s ≥ short_abandon_s``
  (default 5 s); short abandons (shorter, or with unknown wait) are left out and counted apart.
- **Offered** = answered + abandoned.
- **Service level** = answered with ``wait_s ≤ sl_threshold_s`` (default 20 s) / offered.
- **Abandon rate** = abandoned / offered.
- **ASA** = mean ``wait_s`` of answered calls with a known wait.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, complete_phases, grouped, run


def service_level(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket: offered, answered, answered_within, abandoned, short_abandons,
    sl_rate, abandon_rate, asa_s."""
    select, group = grouped(by)
    options = scope.options
    short = float(options.short_abandon_s)
    body = f"""
    SELECT {select},
        count(*) FILTER (NOT is_abandoned) AS answered,
        count(*) FILTER (NOT is_abandoned AND wait_s <= {float(options.sl_threshold_s)}) AS answered_within,
        count(*) FILTER (is_abandoned AND wait_s >= {short}) AS abandoned,
        count(*) FILTER (is_abandoned AND (wait_s < {short} OR wait_s IS NULL)) AS short_abandons,
        avg(wait_s) FILTER (NOT is_abandoned) AS asa_s
    FROM c WHERE direction = 'inbound' AND channel = 'phone' GROUP BY {group}"""
    frame = run(con, body, scope)
    zeros = {k: 0 for k in ("answered", "answered_within", "abandoned", "short_abandons")}
    frame = complete_phases(frame, zeros) if by == "phase" else frame.sort(by)
    offered = pl.col("answered") + pl.col("abandoned")
    return frame.with_columns(offered.alias("offered")).with_columns(
        pl.when(pl.col("offered") > 0).then(pl.col("answered_within") / pl.col("offered")).alias("sl_rate"),
        pl.when(pl.col("offered") > 0).then(pl.col("abandoned") / pl.col("offered")).alias("abandon_rate"),
    )
