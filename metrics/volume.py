"""Contacts, handled, channel mix and contact rate.

- **Contacts** = inbound contacts (abandoned calls included), by channel.
- **Handled** = inbound contacts that are not abandoned.
- **Channel mix** of channel k = contacts in k / contacts, within the bucket.
- **Contact rate** = contacts per 1,000 affected units of the recall (null with no units).
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, complete_phases, grouped, ratio, run


def volume(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket and channel (``all`` for every channel): contacts, handled, share."""
    select, group = grouped(by, "channel")
    body = f"""
    SELECT {select}, count(*) AS contacts, count(*) FILTER (NOT is_abandoned) AS handled
    FROM c WHERE direction = 'inbound' GROUP BY {group}"""
    frame = run(con, body, scope)
    frame = (
        complete_phases(frame, {"contacts": 0, "handled": 0}, "channel") if by == "phase" else frame.sort(by, "channel")
    )
    totals = frame.filter(pl.col("channel") == "all").select(by, pl.col("contacts").alias("_total"))
    return (
        frame.join(totals, on=by, how="left")
        .with_columns(
            pl.when(pl.col("_total") > 0).then(pl.col("contacts") / pl.col("_total")).otherwise(None).alias("share")
        )
        .drop("_total")
    )


def affected_units(con: duckdb.DuckDBPyConnection, scope: Scope) -> int:
    """Units in the recall's registry."""
    return con.execute("SELECT count(*) FROM affected WHERE recall_id = ?", [scope.recall_id]).fetchall()[0][0]


def contact_rate(contacts: int, units: int) -> float | None:
    """Contacts per 1,000 affected units."""
    value = ratio(contacts, units)
    return None if value is None else value * 1000
