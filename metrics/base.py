"""Conventions every metric follows (docs/metrics.md#conventions).

- A rate carries its denominator ``n``; a zero denominator gives null, never 0 or 100 %.
- Proportions come with a 95 % Wilson interval.
- Percentiles are ``quantile_cont`` (linear interpolation between order statistics).
- ``as_of`` is a naive UTC datetime; only what happened at or before it counts.
- Grain ``phase`` returns one row per phase plus ``all`` (whole recall); grain ``day`` one row
  per local calendar day in the recall's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from metrics.scope import PHASES, bucket_sql, scope_ctes

FCR_WINDOWS_H = (72, 168, 336, 720)
FCR_METHODS = ("repeat_contact", "zendesk_one_touch")


@dataclass(frozen=True)
class Options:
    """Metric options (defaults: docs/metrics.md#options)."""

    fcr_window_h: int = 168  # repeat window W: 3, 7, 14 or 30 days
    fcr_method: str = "repeat_contact"  # or "zendesk_one_touch"
    sl_threshold_s: float = 20.0  # answered within this many seconds
    short_abandon_s: float = 5.0  # abandons below this wait are excluded from SL and abandon rate

    def __post_init__(self) -> None:
        if self.fcr_window_h not in FCR_WINDOWS_H:
            raise ValueError(f"FCR window must be one of {FCR_WINDOWS_H} hours")
        if self.fcr_method not in FCR_METHODS:
            raise ValueError(f"FCR method must be one of {FCR_METHODS}")


DEFAULT_OPTIONS = Options()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(ts: datetime | str | None) -> datetime:
    """``as_of`` as a naive UTC datetime (ISO 8601 text allowed; naive input is UTC)."""
    if ts is None:
        return now_utc()
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, or None when the denominator is 0 or unknown."""
    if not den or num is None:
        return None
    return num / den


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """95 % Wilson score interval for k successes out of n; None when n = 0.

    p = k/n, d = 1 + z²/n, centre = (p + z²/2n)/d, half = z·sqrt(p(1−p)/n + z²/4n²)/d.
    """
    if n <= 0:
        return None
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Filters:
    """The shared page filters: channels (None = all) and a range of local days (inclusive)."""

    channels: tuple[str, ...] | None = None
    start: date | None = None
    end: date | None = None


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Scope:
    """What a metric measures: one recall, at the report time ``as_of`` (naive UTC; ISO 8601 text
    accepted), with the metric options and the shared filters. Every metric takes one."""

    recall_id: str
    as_of: datetime
    options: Options = DEFAULT_OPTIONS
    filters: Filters = NO_FILTERS

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_of", as_utc(self.as_of))

    def at(self, as_of: datetime) -> Scope:
        """The same scope at another report time."""
        return replace(self, as_of=as_of)

    def unfiltered(self) -> Scope:
        """The same scope without the channel and date filters (coverage counts people, not contacts)."""
        return replace(self, filters=NO_FILTERS)


def local_day(con: duckdb.DuckDBPyConnection, recall_id: str, at: datetime) -> date:
    """The calendar date of the UTC instant ``at`` in the recall's time zone."""
    zone = con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0]
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def run(
    con: duckdb.DuckDBPyConnection,
    body: str,
    scope: Scope,
    extra: dict[str, object] | None = None,
    by_channel: bool = False,
) -> pl.DataFrame:
    """Run ``WITH <scope CTEs>, <body>`` for the scope's recall at its ``as_of`` with its filters
    (and ``extra`` parameters of the body's own; ``by_channel``: metrics/scope.py ``scope_ctes``)."""
    sql = f"WITH {scope_ctes(by_channel)}{body}"
    filters = scope.filters
    params = {
        **(extra or {}),
        "rid": scope.recall_id,
        "as_of": scope.as_of,
        "channels": list(filters.channels) if filters.channels else None,
        "start": filters.start,
        "end": filters.end,
    }
    return con.sql(sql, params=params).pl()


def daily_counts_sql(events: str, first_day: str) -> str:
    """SQL (CTE bodies, leading comma) for ``daily``: (kind, day, n) from ``events`` (kind, moment_at):
    how many ``moment_at`` of each kind fall on each local day of the recall's zone (``r.timezone``),
    days before ``first_day`` (an SQL date expression) counted on it.

    Instants are first counted per 15-minute UTC bucket and only the buckets are converted: every
    zone's offset from UTC is a whole number of quarter hours, so no local midnight falls inside a
    bucket and the bucket's day is each instant's day (one time-zone conversion per bucket instead
    of one per row)."""
    return f""",
    per_bucket AS (SELECT kind, time_bucket(INTERVAL 15 MINUTE, moment_at) AS bucket, count(*) AS n
                   FROM {events} GROUP BY ALL),
    daily AS (SELECT kind, greatest(CAST(timezone(r.timezone, timezone('UTC', bucket)) AS DATE), {first_day}) AS day,
                     sum(n) AS n
              FROM per_bucket, r GROUP BY ALL)"""


def grouped(by: str, extra: str | None = None) -> tuple[str, str]:
    """(select expressions, GROUP BY clause) for a grain and an optional breakdown column.

    Totals are rows labelled ``all``: the phase grain adds the whole recall (``phase = 'all'``)
    and, with a breakdown, every value of it (``<extra> = 'all'``); the day grain adds only the
    breakdown total of each day.
    """
    col = bucket_sql(by)
    if extra is None:
        if by == "phase":
            return f"CASE WHEN grouping({col}) = 1 THEN 'all' ELSE {col} END AS {col}", f"CUBE ({col})"
        return col, col
    label = f"CASE WHEN grouping({extra}) = 1 THEN 'all' ELSE {extra} END AS {extra}"
    if by == "phase":
        return f"CASE WHEN grouping({col}) = 1 THEN 'all' ELSE {col} END AS {col}, {label}", f"CUBE ({col}, {extra})"
    return f"{col}, {label}", f"GROUPING SETS (({col}, {extra}), ({col}))"


def complete_phases(frame: pl.DataFrame, fill: dict[str, object], *keys: str) -> pl.DataFrame:
    """Add missing phase rows (every phase and ``all``) with ``fill`` values, in phase order."""
    order = [*PHASES, "all"]
    grid = pl.DataFrame({"phase": order})
    if keys:
        grid = grid.join(frame.select(keys).unique(), how="cross")
    out = grid.join(frame, on=["phase", *keys], how="left").with_columns(
        [pl.col(k).fill_null(v) for k, v in fill.items()]
    )
    rank = {p: i for i, p in enumerate(order)}
    return out.sort(pl.col("phase").replace_strict(rank, return_dtype=pl.Int32), *keys)
