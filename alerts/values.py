"""The one place alert rules get metric values from (docs/alerts.md#metric-values).

A narrow interface over today's metric functions (metrics/) and targets (store/settings.py):
:func:`read` gives a metric's value and its denominator ``n`` for a recall, phase, channel and
window of local days at an ``as_of``; :data:`METRICS` names the metrics rules may use. When the
metric catalog lands, this module is the one to switch to it.

Windows: ``days = N ≥ 1`` is the local days from ``day(as_of) − (N − 1)`` to ``day(as_of)`` (the
recall's zone), up to ``as_of`` — ``days = 1`` is "today so far", and the same window at
``as_of − 24 h`` is the same hours of the day before; ``days = 0`` is the whole phase. ``n`` is the
denominator the metric states (calls offered for service level, abandon rate and ASA; eligible
contacts for FCR; responses for CSAT; handled contacts with a handle time for AHT) or, for
counts, the count itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from metrics.base import Filters
from metrics.csat import csat
from metrics.fcr import fcr
from metrics.handling import handle_time
from metrics.service import service_level
from metrics.tickets import open_backlog
from metrics.volume import volume
from store.settings import Target, stale_hours
from store.settings import targets as stored_targets


@dataclass(frozen=True)
class MetricInfo:
    label: str
    unit: str  # pct (a fraction), s (seconds), count
    family: str  # which metric function computes it
    column: str | None = None


METRICS: dict[str, MetricInfo] = {
    "contacts": MetricInfo("Inbound contacts", "count", "volume", "contacts"),
    "service_level": MetricInfo("Service level", "pct", "service", "sl_rate"),
    "abandon_rate": MetricInfo("Abandon rate", "pct", "service", "abandon_rate"),
    "asa_s": MetricInfo("Average speed of answer", "s", "service", "asa_s"),
    "aht_s": MetricInfo("Average handle time", "s", "handling", "mean_s"),
    "fcr": MetricInfo("First contact resolution", "pct", "fcr", "rate"),
    "csat": MetricInfo("CSAT", "pct", "csat", "rate"),
    "backlog": MetricInfo("Open tickets", "count", "backlog"),
}


@dataclass(frozen=True)
class Window:
    recall_id: str
    as_of: datetime
    phase: str = "all"
    channel: str | None = None
    days: int = 1


@dataclass(frozen=True)
class Reading:
    value: float | None
    n: int | None


def targets(con: duckdb.DuckDBPyConnection) -> dict[str, Target | None]:
    """Target and amber band per metric (Settings); metrics without one are absent or None."""
    return stored_targets(con)


def local_date(zone: str, at: datetime) -> date:
    """The calendar date of the naive UTC instant ``at`` in ``zone``."""
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def _row(frame: pl.DataFrame, **match: Any) -> dict[str, Any] | None:
    for key, value in match.items():
        frame = frame.filter(pl.col(key) == value)
    return frame.row(0, named=True) if frame.height else None


@dataclass
class Reader:
    """Reads metric values, computing each metric function once per (family, window)."""

    con: duckdb.DuckDBPyConnection
    _memo: dict[tuple, Any] = field(default_factory=dict)
    _zones: dict[str, str] = field(default_factory=dict)

    def day(self, recall_id: str, at: datetime) -> date:
        """``at``'s local date in the recall's zone."""
        if recall_id not in self._zones:
            self._zones[recall_id] = local_zone(self.con, recall_id)
        return local_date(self._zones[recall_id], at)

    def _filters(self, w: Window) -> Filters:
        channels = (w.channel,) if w.channel else None
        if w.days <= 0:
            return Filters(channels=channels)
        end = self.day(w.recall_id, w.as_of)
        return Filters(channels=channels, start=end - timedelta(days=w.days - 1), end=end)

    def _family(self, family: str, w: Window) -> Any:
        key = (family, w)
        if key not in self._memo:
            self._memo[key] = self._compute(family, w)
        return self._memo[key]

    def _compute(self, family: str, w: Window) -> Any:
        con, f, rid, at = self.con, self._filters(w), w.recall_id, w.as_of
        if family == "volume":
            return _row(volume(con, rid, at, "phase", f), phase=w.phase, channel="all")
        if family == "service":
            return _row(service_level(con, rid, at, "phase", filters=f), phase=w.phase)
        if family == "handling":
            return _row(handle_time(con, rid, at, "phase", f, quantiles=False), phase=w.phase, channel="all")
        if family == "fcr":
            return _row(fcr(con, rid, at, "phase", filters=f), phase=w.phase)
        if family == "csat":
            return _row(csat(con, rid, at, "phase", f), phase=w.phase)
        if family == "backlog":
            return open_backlog(con, rid, at, Filters(channels=f.channels))
        raise KeyError(family)

    def read(self, metric: str, w: Window) -> Reading:
        """``metric``'s value and n in window ``w`` (value None when n is 0)."""
        info = METRICS[metric]
        got = self._family(info.family, w)
        if info.family == "backlog":
            return Reading(float(got[0]), int(got[0]))
        if got is None:
            return Reading(None, 0)
        n = {"volume": "contacts", "service": "offered", "handling": "n", "fcr": "n", "csat": "n"}[info.family]
        value = got[info.column]
        return Reading(None if value is None else float(value), int(got[n] or 0))

    def pre_announcement_daily(self, metric: str, w: Window) -> Reading:
        """For counts: the mean per local day of the pre-announcement phase (days from the first
        with a contact to the one before the announcement's), times the window's days."""
        whole = self.read(metric, Window(w.recall_id, w.as_of, "pre_announcement", w.channel, 0))
        if METRICS[metric].unit != "count" or whole.value is None:
            return whole
        first, announced = self.con.execute(
            "SELECT min(day), (SELECT announced_at FROM recalls WHERE recall_id = $rid) FROM contact_facts "
            "WHERE recall_id = $rid AND phase = 'pre_announcement'",
            {"rid": w.recall_id},
        ).fetchall()[0]
        if first is None:
            return Reading(None, 0)
        span = max((self.day(w.recall_id, announced) - first).days, 1)
        return Reading(whole.value / span * max(w.days, 1), whole.n)


def local_zone(con: duckdb.DuckDBPyConnection, recall_id: str) -> str:
    return con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0]


def newest_by_source(con: duckdb.DuckDBPyConnection, table: str, as_of: datetime) -> dict[str, datetime]:
    """Per source of ``table``: its newest record at or before ``as_of`` (created_at, responded_at
    or status_at — the moments metrics/freshness.py uses), so a replay sees what was there then."""
    column = {"contacts": "created_at", "csat": "responded_at", "notifications": "status_at"}[table]
    rows = con.execute(
        f"SELECT source, max({column}) FROM {table} WHERE {column} <= ? GROUP BY source", [as_of]
    ).fetchall()
    return dict(rows)


def stale_after_h(con: duckdb.DuckDBPyConnection, source: str) -> float:
    return stale_hours(con, source)
