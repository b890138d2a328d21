"""Stand-up wall screen numbers: each tile now and at yesterday's stand-up (``as_of − 24 h``).

The tiles are the catalog's metrics shown on the stand-up (metrics/catalog.py, ``tiles``), for one
recall at report time T (naive UTC), the phase chosen on the page (default ``all``) and the shared
filters: each metric's reading in that phase (or, for metrics measured at an instant — contacts
today, open backlog, customers reached —, at T), with its denominator ``n`` and second figure
``extra``, exactly as the report and the other pages compute them (docs/metrics.md#stand-up-tiles).

**Delta since yesterday** = value at T − value at T − 24 h, each computed by the same rule at its
own time (so "contacts today" is compared with yesterday's local day up to the same clock time);
null when either side is null. Rates are fractions, so a delta of 0.05 is 5 points.

The hourly volume of one local day: inbound contacts per local clock hour and channel.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from metrics.base import Filters, Scope, local_day, run
from metrics.catalog import on
from store.db import read_transaction

YESTERDAY = timedelta(hours=24)


def snapshot(
    con: duckdb.DuckDBPyConnection, scope: Scope, phase: str = "all", ids: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Every stand-up tile (those named in ``ids`` when given) at ``scope.as_of``: ``{metric id:
    {"value", "n", "extra"}}``; metrics read by one function (``Metric.reader``) with the same
    arguments are computed once."""
    results: dict[Any, Any] = {}
    tiles = {}
    for metric in on("standup"):
        if ids is not None and metric.id not in ids:
            continue
        key = (metric.reader, metric.measure_args(scope))
        if key not in results:
            results[key] = metric.reader(con, *key[1])
        reading = metric.reading(results[key], phase)
        tiles[metric.id] = {"value": reading.value, "n": reading.n, "extra": reading.extra}
    return tiles


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def standup(con: duckdb.DuckDBPyConnection, scope: Scope, phase: str = "all") -> dict[str, Any]:
    """The tiles at ``scope.as_of`` and at ``as_of − 24 h``, with ``delta`` and ``extra_delta`` per tile.

    Returns ``{"as_of", "yesterday_at", "today", "yesterday", "tiles": {tile: {"value", "n",
    "extra", "previous", "previous_n", "previous_extra", "delta", "extra_delta"}}}``.
    """
    with read_transaction(con):
        return _standup(con, scope, phase)


def _standup(
    con: duckdb.DuckDBPyConnection, scope: Scope, phase: str, compared: Collection[str] | None = None
) -> dict[str, Any]:
    """``compared``: the tiles whose value at ``as_of − 24 h`` is wanted (None: all); the others get
    null previous values and deltas."""
    as_of, before = scope.as_of, scope.as_of - YESTERDAY
    now, then = snapshot(con, scope, phase), snapshot(con, scope.at(before), phase, compared)
    none = {"value": None, "n": None, "extra": None}
    tiles = {
        k: {
            **now[k],
            "previous": then.get(k, none)["value"],
            "previous_n": then.get(k, none)["n"],
            "previous_extra": then.get(k, none)["extra"],
            "delta": _minus(now[k]["value"], then.get(k, none)["value"]),
            "extra_delta": _minus(now[k]["extra"], then.get(k, none)["extra"]),
        }
        for k in now
    }
    return {
        "as_of": as_of,
        "yesterday_at": before,
        "today": local_day(con, scope.recall_id, as_of),
        "yesterday": local_day(con, scope.recall_id, before),
        "tiles": tiles,
    }


def hourly_volume(con: duckdb.DuckDBPyConnection, scope: Scope, day: date) -> pl.DataFrame:
    """Inbound contacts of local ``day`` (up to ``as_of``) per local clock hour (0–23) and channel:
    columns hour, channel, contacts. The channel filter applies; the date filter is ``day``."""
    body = """
    SELECT CAST(hour(timezone(r.timezone, timezone('UTC', c.created_at))) AS INTEGER) AS hour,
        c.channel, count(*) AS contacts
    FROM c CROSS JOIN r WHERE c.direction = 'inbound' GROUP BY ALL ORDER BY ALL"""
    return run(con, body, replace(scope, filters=Filters(channels=scope.filters.channels, start=day, end=day)))
