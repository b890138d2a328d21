"""The stand-up's main values: today so far, not since the announcement (docs/metrics.md#stand-up-tiles).

**The stand-up day** at report time T, in the recall's zone: the local day of T when T is at or
after 10:00 local ("today so far", ending at T); before 10:00, the last full day (yesterday,
ending at local midnight), since a morning stand-up reviews the day before.

Each stand-up tile (metrics/catalog.py, ``window``) measures its window with its own rule, the
shared channel filter applying and the date filter replaced by the window's day:

- ``today``: the contacts of the stand-up day up to its end (service level, abandon rate, ASA,
  CSAT of those contacts). Compared with **the same window yesterday**: the day before, up to
  T − 24 h (a full day when the stand-up day is full).
- ``closed_day``: the contacts of the newest local day whose repeat windows (W days) have all
  closed by the window's end — the day before the local date of (end − W); FCR and repeat rate
  of a day's contacts are unknown until then. Compared with the day before it, at end − 24 h.
- ``now``: the figure at T (contacts today, open backlog, customers reached), as before.

Every tile also carries its cumulative value (the chosen phase, default the whole recall) as the
second line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from metrics.base import Filters, Scope
from metrics.catalog import Metric, on
from metrics.standup import _standup
from store.db import read_transaction

STANDUP_CLOCK = time(10, 0)  # before this local time the stand-up day is yesterday (a full day)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """One local day of contacts, measured at ``end`` (naive UTC); ``label`` names it on a tile."""

    day: date
    end: datetime
    label: str


def _zone(con: duckdb.DuckDBPyConnection, recall_id: str) -> ZoneInfo:
    return ZoneInfo(con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0])


def _utc(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting ``day``, as naive UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)


def standup_day(at: datetime, zone: ZoneInfo) -> Window:
    """The stand-up day at ``at`` (naive UTC): today so far from 10:00 local, else yesterday in full."""
    local = _local(at, zone)
    if local.time() >= STANDUP_CLOCK:
        return Window(local.date(), at, "today")
    return Window(local.date() - DAY, _utc(local.date(), zone), "yesterday")


def windows(metric: Metric, at: datetime, zone: ZoneInfo, window_days: int) -> tuple[Window, Window]:
    """(the window of ``metric`` at ``at``, the one it is compared with) for windowed metrics."""
    now = standup_day(at, zone)
    if now.label == "today":
        before = Window(now.day - DAY, at - timedelta(hours=24), "same time yesterday")
    else:
        before = Window(now.day - DAY, _utc(now.day, zone), "the day before")
    if metric.window == "closed_day":
        closed = _local(now.end - timedelta(days=window_days), zone).date() - DAY
        label = f"{closed.day} {closed:%b} contacts"
        return Window(closed, now.end, label), Window(closed - DAY, now.end - DAY, "the day before")
    return now, before


def _reading(con: duckdb.DuckDBPyConnection, metric: Metric, scope: Scope, window: Window, results: dict) -> Any:
    """``metric``'s reading over ``window``; ``results`` keeps each function's result per window, so
    tiles sharing a function (service level, abandon rate, ASA) are computed once."""
    filters = Filters(channels=scope.filters.channels, start=window.day, end=window.day)
    args = metric.measure_args(replace(scope, as_of=window.end, filters=filters))
    key = (metric.reader, args)
    if key not in results:
        results[key] = metric.reader(con, *args)
    return metric.reading(results[key], "all")


def today_tiles(con: duckdb.DuckDBPyConnection, scope: Scope, phase: str = "all") -> dict[str, Any]:
    """The stand-up tiles at ``scope.as_of``: for each, ``value``, ``n``, ``extra`` of its window,
    ``previous``/``previous_n`` and ``delta`` against the window it is compared with, ``window``
    (what the title names) and ``versus``, and ``cumulative``/``cumulative_n`` (the chosen phase).
    Also ``stand_up_day`` (a date), and ``today``/``yesterday`` (local dates of T and T − 24 h)."""
    with read_transaction(con):
        instant = [m.id for m in on("standup") if m.window not in ("today", "closed_day")]
        since = _standup(con, scope, phase, compared=instant)  # windowed tiles compare windows instead
        zone = _zone(con, scope.recall_id)
        days = scope.options.fcr_window_h // 24
        tiles, results = {}, {}
        for metric in on("standup"):
            whole = since["tiles"][metric.id]
            if metric.window not in ("today", "closed_day"):
                tiles[metric.id] = {**whole, "window": "now", "versus": "yesterday", "cumulative": None}
                continue
            now, before = windows(metric, scope.as_of, zone, days)
            a, b = _reading(con, metric, scope, now, results), _reading(con, metric, scope, before, results)
            delta = None if a.value is None or b.value is None else a.value - b.value
            tiles[metric.id] = {
                "value": a.value, "n": a.n, "extra": a.extra, "previous": b.value, "previous_n": b.n,
                "delta": delta, "extra_delta": None, "window": now.label, "versus": before.label,
                "cumulative": whole["value"], "cumulative_n": whole["n"],
            }  # fmt: skip
        stand_up = standup_day(scope.as_of, zone)
    return {**since, "stand_up_day": stand_up.day, "tiles": tiles}
