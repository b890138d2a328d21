"""Contacts, handled, channel mix and contact rate.

- **Contacts** = inbound contacts (abandoned calls included), by channel.
- **Handled** = inbound contacts that are not abandoned.
- **Channel mix** of channel k = contacts in k / contacts, within the bucket.
- **Contact rate** = contacts per 1,000 affected units of the recall (null with no units).
- **Contacts today** (:func:`contacts_today`) = inbound contacts created on the local calendar day
  of ``as_of`` (recall's zone) up to ``as_of`` (the channel filter applies, the date filter does
  not); **since announcement** = inbound contacts with ``created_at ≥ announced_at`` (phases
  day_one to after; the shared filters apply).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from metrics.base import Filters, Scope, complete_phases, grouped, local_day, ratio, run
from metrics.scope import PHASES


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


def contact_rates(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket: contacts (all channels), affected_units, contact_rate."""
    return rates_of(volume(con, scope, by), affected_units(con, scope), by)


def rates_of(volumes: pl.DataFrame, units: int, by: str = "phase") -> pl.DataFrame:
    """:func:`contact_rates` from :func:`volume`'s result at grain ``by`` and the affected units."""
    rows = volumes.filter(pl.col("channel") == "all").select(by, "contacts")
    rates = [contact_rate(k, units) for k in rows["contacts"]]
    return rows.with_columns(pl.lit(units).alias("affected_units"), pl.Series("contact_rate", rates, pl.Float64))


def contacts_today(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row: contacts_today, since_announcement (rules in the module docstring)."""
    day = local_day(con, scope.recall_id, scope.as_of)
    today = replace(scope, filters=Filters(channels=scope.filters.channels, start=day, end=day))
    rows = volume(con, today, "phase").filter((pl.col("phase") == "all") & (pl.col("channel") == "all"))
    phases = volume(con, scope, "phase").filter(pl.col("channel") == "all")
    since = phases.filter(pl.col("phase").is_in(PHASES[1:]))["contacts"].sum()
    today_n = int(rows["contacts"][0]) if rows.height else 0
    return pl.DataFrame({"contacts_today": [today_n], "since_announcement": [int(since)]})
