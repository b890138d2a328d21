"""The shared filters (recall, phase, channels, dates), kept in the URL query string so any view
can be bookmarked or put on a wall screen, e.g.
``?recall=ID&phase=day_one&channels=phone,email&start=2026-03-02&end=2026-03-09``.
Every page calls these same functions; widgets are keyed by the query parameter's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
import streamlit as st

from metrics import Filters, Options, Scope
from metrics.base import FCR_WINDOWS_H, as_utc
from metrics.catalog import CATALOG
from metrics.drill import data_range
from metrics.scope import PHASE_LABELS
from store import ledger
from store.schema import CHANNELS
from ui.text import md

PHASE_IDS = list(PHASE_LABELS)
# Report times and dates from the URL must lie here: outside, a page would compute years of empty
# days (or overflow a date) for a typo.
EARLIEST = datetime(2000, 1, 1)
LATEST_AHEAD = timedelta(days=366)


def notice(key: str, value: str, fallback: str) -> None:
    """Say that ``?key=value`` was not used, and what is shown instead (the value as literal text)."""
    st.warning(f"?{key}={md(value[:80])} is not valid here; {fallback}.", icon="⚠️")


def _from_url(key: str, allowed: list[str], default: str) -> None:
    """Seed the widget's session state from ``?key=`` on first run (an unknown value: the default,
    with a notice)."""
    if key not in st.session_state:
        value = st.query_params.get(key)
        if value is not None and value not in allowed:
            notice(key, value, f"showing {default}")
        st.session_state[key] = value if value in allowed else default
    else:
        _keep(key)


def _keep(key: str) -> None:
    """Carry a widget's value over to another page (each page's widget is new; re-assigning its
    key makes the value the new widget's starting value instead of the widget default)."""
    st.session_state[key] = st.session_state[key]


def recall_and_phase(recalls: pl.DataFrame) -> tuple[dict, str]:
    """Sidebar selectors; returns (the recall row, the phase id)."""
    ids = recalls["recall_id"].to_list()
    names = dict(zip(ids, recalls["name"].to_list(), strict=True))
    _from_url("recall", ids, ids[-1])
    _from_url("phase", PHASE_IDS, "all")
    recall_id = st.sidebar.selectbox("Recall", ids, key="recall", format_func=lambda r: f"{r} · {names[r]}")
    phase = st.sidebar.selectbox("Phase", PHASE_IDS, key="phase", format_func=PHASE_LABELS.get)
    st.query_params["recall"] = recall_id
    st.query_params["phase"] = phase
    return recalls.filter(pl.col("recall_id") == recall_id).row(0, named=True), phase


def replay_time(say_why: bool = True) -> datetime | None:
    """``?as_of=`` (ISO 8601) as a naive UTC time: replay that moment on any page; None when
    absent, ``now`` (live: ui/replay.py), or unreadable (then named on the page when ``say_why``)."""
    text = st.query_params.get("as_of")
    if not text or text == "now":
        return None
    try:
        ts = as_utc(text)
    except (ValueError, OverflowError):
        if say_why:
            st.error(f"?as_of={md(repr(text))} is not an ISO 8601 time; showing now.")
        return None
    if not EARLIEST <= ts <= now_minute() + LATEST_AHEAD:
        if say_why:
            notice(
                "as_of", text, f"a replay time must lie between {EARLIEST:%Y-%m-%d} and a year from now; showing now"
            )
        return None
    return ts


def now_minute() -> datetime:
    """Now (UTC, naive) to the minute, so that cached results are reused within it."""
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)


def as_of_now() -> datetime:
    """Report time: the replayed moment (:func:`replay_time`), else :func:`now_minute`."""
    return replay_time() or now_minute()


def _parse_date(key: str) -> date | None:
    """``?key=`` as a date between 2000-01-01 and a year from now; None (with a notice) otherwise."""
    text = st.query_params.get(key)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not EARLIEST.date() <= day <= (now_minute() + LATEST_AHEAD).date():
        notice(key, text, "the whole recall is shown")
        return None
    return day


def channels_and_dates(recall: dict, data_days: tuple[date | None, date | None] = (None, None)) -> Filters:
    """Sidebar channel multiselect and local date range; returns the metric filters. The date
    picker's calendar spans ``data_days`` (the recall's first and last day with data,
    metrics.drill.data_range), so it opens on the recall's data rather than on today."""
    if "channels" not in st.session_state:
        wanted = [c for c in (st.query_params.get("channels") or "").split(",") if c]
        unknown = [c for c in wanted if c not in CHANNELS]
        if unknown:
            notice("channels", ",".join(unknown), f"channels are {', '.join(CHANNELS)}; those are left out")
        st.session_state["channels"] = [c for c in wanted if c in CHANNELS]
    else:
        _keep("channels")
    channels = st.sidebar.multiselect("Channels", CHANNELS, key="channels", placeholder="All channels")
    if "dates" not in st.session_state:
        start, end = _parse_date("start"), _parse_date("end")
        if start and end and end < start:
            notice("end", end.isoformat(), f"it is before ?start={start.isoformat()}; the whole recall is shown")
        st.session_state["dates"] = (start, end) if start and end and start <= end else ()
    else:
        _keep("dates")
    chosen = [d for d in st.session_state["dates"] if d]
    first, last = data_days
    lowest = min([d for d in (first, *chosen) if d], default=None)
    highest = max([d for d in (last, *chosen) if d], default=None)
    picked = st.sidebar.date_input(
        "Dates (local)",
        key="dates",
        min_value=lowest,
        max_value=highest,
        help="Leave empty for the whole recall."
        + (f" Its data spans {first:%d %b %Y} – {last:%d %b %Y}." if first and last else ""),
    )
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and len(picked) == 2 else (None, None)
    _sync("channels", ",".join(channels) or None)
    _sync("start", start.isoformat() if start else None)
    _sync("end", end.isoformat() if end else None)
    return Filters(channels=tuple(channels) or None, start=start, end=end)


def _sync(key: str, value: str | None) -> None:
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


FCR_METHOD_LABELS = {"repeat_contact": "Repeat contact (any channel)", "zendesk_one_touch": "Zendesk one-touch"}
FCR_WINDOW_DAYS = [str(h // 24) for h in FCR_WINDOWS_H]
DEFAULT_WINDOW_DAYS = str(Options().fcr_window_h // 24)


def fcr_options() -> Options:
    """FCR method and repeat window (keys and URL parameters ``fcr_method``, ``fcr_window`` in days)."""
    _from_url("fcr_method", list(FCR_METHOD_LABELS), Options().fcr_method)
    _from_url("fcr_window", FCR_WINDOW_DAYS, DEFAULT_WINDOW_DAYS)
    left, right = st.columns([3, 2])
    method = left.radio(
        f"{CATALOG['fcr'].short} method",
        list(FCR_METHOD_LABELS),
        key="fcr_method",
        format_func=FCR_METHOD_LABELS.get,
        horizontal=True,
    )
    window = right.radio(
        "Repeat window (days)",
        FCR_WINDOW_DAYS,
        key="fcr_window",
        horizontal=True,
        disabled=method != "repeat_contact",
        help="A contact is resolved when the customer makes no other inbound contact within this window.",
    )
    _sync("fcr_method", None if method == Options().fcr_method else method)
    _sync("fcr_window", None if window == DEFAULT_WINDOW_DAYS else window)
    return Options(fcr_window_h=int(window) * 24, fcr_method=method)


@dataclass(frozen=True)
class View:
    """What a recall page works on: the ledger version its cached reads are keyed on, the recall
    row, the phase chosen and the metrics' scope (recall, report time, options, filters)."""

    version: tuple
    recall: dict
    phase: str
    scope: Scope
    data_days: tuple[date | None, date | None] = (None, None)  # first and last day with contacts

    def describe(self) -> str:
        """What the page shows, for its header: the dates and channels filtered (or all of them)."""
        f, (first, last) = self.scope.filters, self.data_days
        if f.start and f.end:
            dates = f"{f.start:%d %b %Y} – {f.end:%d %b %Y} (local)"
        elif first and last:
            dates = f"all dates ({first:%d %b %Y} – {last:%d %b %Y})"
        else:
            dates = "all dates"
        channels = ", ".join(f.channels) if f.channels else "all channels"
        return f"{dates} · {channels}"

    def read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(con, *args, **kwargs)``, cached (ui.data.read)."""
        from ui import data

        return data.read(self.version, function, *args, **kwargs)

    def with_options(self, options: Options) -> View:
        return replace(self, scope=replace(self.scope, options=options))

    def at(self, as_of: datetime) -> View:
        return replace(self, scope=self.scope.at(as_of))


def recall_view(busy_notice: bool = True) -> View:
    """The common start of a recall page: the ledger version (and, with ``busy_notice``, the notice that
    the store is busy), then the shared sidebar filters and the report time (:func:`as_of_now`).
    Stops the page with a hint when no recall is defined yet."""
    from ui import data

    version = data.ledger_version()
    if busy_notice:
        data.busy_notice()
    recalls = data.read(version, ledger.recalls)
    if recalls.height == 0:
        st.info(
            "No recall is defined yet. Load a recall TOML on the Upload page or with `python -m connectors ingest`."
        )
        st.stop()
    recall, phase = recall_and_phase(recalls)
    as_of = as_of_now()
    days = data.read(version, data_range, Scope(recall["recall_id"], as_of))
    chosen = channels_and_dates(recall, days)
    return View(version, recall, phase, Scope(recall["recall_id"], as_of, Options(), chosen), days)
