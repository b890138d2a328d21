"""Stand-up wall screen numbers: each tile now and at yesterday's stand-up (``as_of − 24 h``).

Tiles, for one recall at report time T (naive UTC), the phase chosen on the page (default
``all``) and the shared filters (channels, local dates):

- ``contacts``: inbound contacts created on T's local calendar day (recall's zone) up to T,
  abandoned calls included (channel filter applies, the date filter does not); ``extra`` =
  contacts since announcement, i.e. inbound contacts with ``created_at ≥ announced_at`` (phases
  day_one, during, ongoing and after).
- ``service_level``, ``abandon_rate``, ``asa_s``, ``fcr``, ``csat``: exactly the report's values
  for the phase (docs/metrics.md#stand-up-tiles), with their denominators ``n`` (offered calls, FCR-eligible contacts,
  CSAT responses).
- ``backlog``: open tickets at T (metrics.tickets.backlog, the snapshot at T); ``extra`` = aged
  (open and created more than 24 h before T).
- ``coverage``: reached ÷ affected customers at T (null with no affected customers); ``extra`` =
  remedied ÷ affected customers; ``n`` = affected customers.

**Delta since yesterday** = value at T − value at T − 24 h, each computed by the same rule at its
own time (so "contacts today" is compared with yesterday's local day up to the same clock time);
null when either side is null. Rates are fractions, so a delta of 0.05 is 5 points.

The hourly volume of one local day: inbound contacts per local clock hour and channel.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from metrics.base import DEFAULT_OPTIONS, NO_FILTERS, Filters, Options, ratio, run
from metrics.report import build_report
from metrics.scope import PHASES
from metrics.tickets import open_backlog
from metrics.volume import volume
from store.db import read_transaction

YESTERDAY = timedelta(hours=24)
TILES = ("contacts", "service_level", "abandon_rate", "asa_s", "fcr", "csat", "backlog", "coverage")


def local_day(con: duckdb.DuckDBPyConnection, recall_id: str, at: datetime) -> date:
    """The calendar date of the UTC instant ``at`` in the recall's time zone."""
    zone = con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0]
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def _contacts_on(con: duckdb.DuckDBPyConnection, recall_id: str, at: datetime, day: date, filters: Filters) -> int:
    today = Filters(channels=filters.channels, start=day, end=day)
    rows = volume(con, recall_id, at, "phase", today).filter((pl.col("phase") == "all") & (pl.col("channel") == "all"))
    return int(rows["contacts"][0]) if rows.height else 0


def snapshot(
    con: duckdb.DuckDBPyConnection,
    recall_id: str,
    as_of: datetime,
    phase: str = "all",
    options: Options = DEFAULT_OPTIONS,
    filters: Filters = NO_FILTERS,
) -> dict[str, dict[str, Any]]:
    """Every tile at ``as_of``: ``{tile: {"value", "n", "extra"}}`` (rules in the module docstring)."""
    report = build_report(con, recall_id, as_of, options, filters)
    m = report["phases"][phase]
    since = sum(report["phases"][p]["contacts"] for p in PHASES if p != "pre_announcement")
    today = _contacts_on(con, recall_id, as_of, local_day(con, recall_id, as_of), filters)
    open_tickets, aged_tickets = open_backlog(con, recall_id, as_of, filters)
    cov = report["coverage"]
    affected = cov["affected_customers"]
    return {
        "contacts": {"value": today, "n": None, "extra": since},
        "service_level": {"value": m["service_level"]["rate"], "n": m["service_level"]["n"], "extra": None},
        "abandon_rate": {"value": m["abandon_rate"]["rate"], "n": m["abandon_rate"]["n"], "extra": None},
        "asa_s": {"value": m["asa_s"], "n": m["service_level"]["n"], "extra": None},
        "fcr": {"value": m["fcr"]["rate"], "n": m["fcr"]["n"], "extra": m["fcr"]["pending"]},
        "csat": {"value": m["csat"]["rate"], "n": m["csat"]["n"], "extra": None},
        "backlog": {"value": open_tickets, "n": None, "extra": aged_tickets},
        "coverage": {
            "value": ratio(cov["reached"], affected),
            "n": affected,
            "extra": ratio(cov["remedied"], affected),
        },
    }


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def standup(
    con: duckdb.DuckDBPyConnection,
    recall_id: str,
    as_of: datetime,
    phase: str = "all",
    options: Options = DEFAULT_OPTIONS,
    filters: Filters = NO_FILTERS,
) -> dict[str, Any]:
    """The tiles at ``as_of`` and at ``as_of − 24 h``, with ``delta`` and ``extra_delta`` per tile.

    Returns ``{"as_of", "yesterday_at", "today", "yesterday", "tiles": {tile: {"value", "n",
    "extra", "previous", "previous_n", "previous_extra", "delta", "extra_delta"}}}``.
    """
    with read_transaction(con):
        return _standup(con, recall_id, as_of, phase, options, filters)


def _standup(
    con: duckdb.DuckDBPyConnection, recall_id: str, as_of: datetime, phase: str, options: Options, filters: Filters
) -> dict[str, Any]:
    before = as_of - YESTERDAY
    now, then = (snapshot(con, recall_id, at, phase, options, filters) for at in (as_of, before))
    tiles = {
        k: {
            **now[k],
            "previous": then[k]["value"],
            "previous_n": then[k]["n"],
            "previous_extra": then[k]["extra"],
            "delta": _minus(now[k]["value"], then[k]["value"]),
            "extra_delta": _minus(now[k]["extra"], then[k]["extra"]),
        }
        for k in TILES
    }
    return {
        "as_of": as_of,
        "yesterday_at": before,
        "today": local_day(con, recall_id, as_of),
        "yesterday": local_day(con, recall_id, before),
        "tiles": tiles,
    }


def hourly_volume(
    con: duckdb.DuckDBPyConnection, recall_id: str, as_of: datetime, day: date, filters: Filters = NO_FILTERS
) -> pl.DataFrame:
    """Inbound contacts of local ``day`` (up to ``as_of``) per local clock hour (0–23) and channel:
    columns hour, channel, contacts. The channel filter applies; the date filter is ``day``."""
    body = """
    SELECT CAST(hour(timezone(r.timezone, timezone('UTC', c.created_at))) AS INTEGER) AS hour,
        c.channel, count(*) AS contacts
    FROM c CROSS JOIN r WHERE c.direction = 'inbound' GROUP BY ALL ORDER BY ALL"""
    return run(con, body, recall_id, as_of, Filters(channels=filters.channels, start=day, end=day))
