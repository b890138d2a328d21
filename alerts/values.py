"""The one place alert rules get metric values from (docs/alerts.md#metric-values).

Every metric is the catalog's (metrics/catalog.py): :func:`Reader.read` computes a metric's value
and its denominator ``n`` with the catalog entry's own function, for a recall, phase, channel and
window of local days at an ``as_of``; :data:`METRICS` names the metrics rules may use — every
metric of the catalog but the two that are one figure per channel (:data:`REFUSED`: a distribution
is no single value to compare). Metrics the catalog gives per phase are read in the rule's window;
the others (:data:`AT_INSTANT`: the backlog, contacts today, the coverage figures, time to notify)
are figures at the evaluation moment — no phase, no days; only the backlog and contacts today
follow a channel (the coverage figures are about customers and units, whatever the channel).
Targets are the catalog's (Settings, else the defaults).

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

from metrics.base import Filters, Options, Scope
from metrics.catalog import CATALOG
from metrics.catalog import targets as catalog_targets
from metrics.units import Target
from store.settings import stale_hours

# Not a rule's subject: one figure per channel, a distribution (a rule on one channel's contacts is
# ``contacts`` with a ``channel``). Rule validation names the reason (alerts/model.py).
REFUSED = {
    "contacts_by_channel": "one figure per channel, not one value: use metric contacts with a channel",
    "channel_mix": "a distribution over channels, not one value: use metric contacts with a channel",
}
# Computed at as_of (the catalog's "now" grain): no phase, no days.
AT_INSTANT = tuple(m.id for m in CATALOG.values() if "phase" not in m.grains and m.id not in REFUSED)
BY_CHANNEL = ("backlog", "contacts_today")  # the instant metrics a channel narrows


@dataclass(frozen=True)
class MetricInfo:
    label: str
    unit: str  # the catalog unit's id: pct (a fraction), s (seconds), h (hours), count…
    instant: bool = False  # a figure at the evaluation moment (no phase, no days)
    channels: bool = True  # a rule may narrow it to one channel


METRICS: dict[str, MetricInfo] = {
    m.id: MetricInfo(m.label, m.unit.id, m.id in AT_INSTANT, m.id not in AT_INSTANT or m.id in BY_CHANNEL)
    for m in CATALOG.values()
    if m.id not in REFUSED
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
    """Target and amber band per metric (metrics/catalog.py: Settings, else the default); metrics
    without one are absent or None."""
    return catalog_targets(con)


def local_date(zone: str, at: datetime) -> date:
    """The calendar date of the naive UTC instant ``at`` in ``zone``."""
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


@dataclass
class Reader:
    """Reads metric values, computing each catalog function once per window."""

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
        if w.days <= 0 or w.recall_id is None:
            return Filters(channels=channels)
        end = self.day(w.recall_id, w.as_of)
        return Filters(channels=channels, start=end - timedelta(days=w.days - 1), end=end)

    def _result(self, metric: str, w: Window) -> Any:
        m = CATALOG[metric]
        instant = metric in AT_INSTANT
        channels = (w.channel,) if w.channel and metric in BY_CHANNEL else None
        filters = Filters(channels=channels) if instant else self._filters(w)
        scope = Scope(w.recall_id, w.as_of, Options(), filters)
        key = (m.compute, scope)
        if key not in self._memo:
            self._memo[key] = m.compute(self.con, scope) if instant else m.compute(self.con, scope, "phase")
        return self._memo[key]

    def read(self, metric: str, w: Window) -> Reading:
        """``metric``'s value and n in window ``w`` (value None when n is 0); a count's n is itself."""
        m = CATALOG[metric]
        reading = m.reading(self._result(metric, w), w.phase)
        if m.unit.id == "count" and m.n is None:
            count = None if reading.value is None else int(reading.value)
            return Reading(None if count is None else float(count), count or 0)
        value = reading.value
        return Reading(None if value is None else float(value), int(reading.n or 0))

    def pre_announcement_daily(self, metric: str, w: Window) -> Reading:
        """For counts: the mean per local day of the pre-announcement phase (days from the first
        with a contact to the one before the announcement's), times the window's days. For a
        figure at the instant (:data:`AT_INSTANT`): its value at the announcement."""
        if metric in AT_INSTANT:
            announced = self.con.execute(
                "SELECT announced_at FROM recalls WHERE recall_id = ?", [w.recall_id]
            ).fetchall()[0][0]
            return self.read(metric, Window(w.recall_id, min(announced, w.as_of), w.phase, w.channel, w.days))
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
