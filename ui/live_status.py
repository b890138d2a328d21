"""Live sources as people see them: the Settings table (admins), and the stand-up's "data as of" lines,
stale banner, refresh and report time.

A live source is a webhook (``hook:<vendor>``, listed once configured in secrets.toml, even before
its first event) or a pulled stream (``pull:<source>/<stream>``, listed once the puller has run).
Its **lag** is, for a pulled stream, now − its watermark (the moment its data is complete up to),
and for a webhook the age of the oldest body still waiting in the spool (0 when none waits).
It is **stale** (red on the wall, named in the banner) when it is ``stopped`` or ``degraded``, when a
pulled stream has had no success for ``STALE_AFTER_S``, or when a webhook body has waited in the
spool for more than ``BACKLOG_STALE_S``. A quiet webhook (no events) is not stale.

While a live source has been active in the last ``ACTIVE_WITHIN_S`` (or a webhook is configured),
the stand-up refreshes every ``LIVE_REFRESH_S`` at most, and in a minute in which something was
loaded its report time is now to the second rather than to the minute, so a new record counts at
once (docs/live-sources.md, "Latency").
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import polars as pl
import streamlit as st

from connectors.live.hook_loader import KIND, source_name
from connectors.live.hook_records import VENDORS
from connectors.live.spool import Spool
from store import ledger, live
from store.db import read_transaction
from ui import data, live_hooks

LIVE_REFRESH_S = 5
STALE_AFTER_S = 15 * 60
BACKLOG_STALE_S = 5 * 60
ACTIVE_WITHIN_S = 3600
_REQUIRED = {"sendgrid": "public_key", "whatsapp": "app_secret", "twilio": "auth_token"}
_TS = pl.Datetime("us")
SCHEMA = {
    "name": pl.String, "kind": pl.String, "state": pl.String, "last_attempt_at": _TS, "last_success_at": _TS,
    "last_error": pl.String, "last_error_at": _TS, "cursor_text": pl.String, "watermark_at": _TS,
    "lag_s": pl.Float64, "rows_last_hour": pl.Int64, "stale": pl.Boolean,
}  # fmt: skip


_last: dict[str, object] = {}  # the last answers, shown while another process holds the store


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _read(key: str, query, default):
    """``query(con)`` on the store, waiting at most a second; while another process holds the store
    (a pull or watch load), the last answer (or ``default``)."""
    try:
        with data.store(wait_s=1.0) as con, read_transaction(con):
            _last[key] = query(con)
    except data.StoreBusy:
        pass
    return _last.get(key, default)


def configured_hooks() -> list[str]:
    return [v for v in VENDORS if live_hooks.vendor_config(v).get(_REQUIRED[v])]


def frame(now: datetime | None = None) -> pl.DataFrame:
    """Every live source with its state, last success, cursor text, lag, rows in the last hour, last
    error and stale flag (module rules)."""
    now = now or now_utc()
    stored = _read("status", lambda con: live.status(con, now), None)
    rows = stored.to_dicts() if stored is not None else []
    known = {r["name"] for r in rows}
    spool = Spool(live_hooks.spool_folder())
    for vendor in configured_hooks():
        name = source_name(vendor)
        if name not in known:
            rows.append({"name": name, "kind": KIND[vendor], "state": "waiting", "last_attempt_at": None,
                         "last_success_at": None, "last_error": None, "last_error_at": None,
                         "cursor_text": "waiting for the first event", "watermark_at": None, "lag_s": None,
                         "rows_last_hour": 0})  # fmt: skip
    for r in rows:
        r["stale"] = r["state"] in ("stopped", "degraded")
        if r["name"].startswith("hook:"):
            waiting, oldest = spool.backlog(r["name"].split(":", 1)[1])
            r["lag_s"] = (now - oldest).total_seconds() if oldest else 0.0
            r["cursor_text"] = f"spool: {waiting} waiting" + (f" · {r['cursor_text']}" if r["cursor_text"] else "")
            r["stale"] |= r["lag_s"] > BACKLOG_STALE_S
        else:
            last = r["last_success_at"]
            r["stale"] |= last is None or (now - last).total_seconds() > STALE_AFTER_S
    return pl.DataFrame(rows, schema=SCHEMA).sort("name")


def active(now: datetime | None = None) -> bool:
    """A webhook is configured, or a live source ran within ``ACTIVE_WITHIN_S``."""
    if configured_hooks():
        return True
    since = (now or now_utc()) - timedelta(seconds=ACTIVE_WITHIN_S)
    return _read("active", lambda con: live.attempted_since(con, since), 0) > 0


def report_time(minute: datetime) -> datetime:
    """``minute`` (now, to the minute), or now to the second when something was loaded this minute."""
    newest = _read("newest_load", ledger.newest_load, None)
    if newest is not None and minute <= newest < minute + timedelta(minutes=1):
        return now_utc().replace(microsecond=0)
    return minute


def lag_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def problems(live_frame: pl.DataFrame) -> list[str]:
    """One short phrase per stale live source, for the wall's banner."""
    out = []
    for r in live_frame.filter(pl.col("stale")).iter_rows(named=True):
        if r["state"] in ("stopped", "degraded"):
            out.append(f"{r['name']} {r['state']}")
        elif r["name"].startswith("hook:"):
            out.append(f"{r['name']} backlog {lag_text(r['lag_s'])}")
        else:
            out.append(f"{r['name']} no success for {lag_text(_age_s(r['last_success_at']))}")
    return out


def _age_s(at: datetime | None) -> float | None:
    return None if at is None else (now_utc() - at).total_seconds()


def wall_html(live_frame: pl.DataFrame, zone: str) -> str:
    """One "data as of" item per live source: state, last success (recall's zone) and lag."""
    from ui.wall import local

    items = []
    for r in live_frame.iter_rows(named=True):
        cls = ' class="stale"' if r["stale"] else ""
        when = local(r["last_success_at"], zone, "%H:%M:%S") if r["last_success_at"] else "no success yet"
        items.append(
            f'<span{cls} data-live="{html.escape(r["name"])}"><b>live {html.escape(r["name"])}</b> '
            f"{html.escape(r['state'])} · {when} · lag {lag_text(r['lag_s'])}</span>"
        )
    return "".join(items)


def settings_section() -> None:
    """The Settings page's table of live sources (admins only: the page is)."""
    st.subheader("Live sources")
    st.caption(
        "Webhooks configured in secrets.toml and the streams of `python -m connectors pull` "
        "(docs/live-sources.md). Lag: for a pulled stream, now − the moment its data is complete up to; "
        "for a webhook, how long the oldest received body has waited to be loaded. Times in UTC."
    )
    f = frame()
    if f.height == 0:
        st.info("No live source yet: configure a webhook in secrets.toml or run `python -m connectors pull`.")
        return
    shown = f.select(
        pl.col("name").alias("Source"),
        pl.col("kind").alias("Kind"),
        pl.when(pl.col("stale")).then(pl.col("state") + " ⚠").otherwise(pl.col("state")).alias("State"),
        pl.col("last_success_at").alias("Last success (UTC)"),
        pl.col("cursor_text").alias("Cursor"),
        pl.col("lag_s").map_elements(lag_text, return_dtype=pl.String).alias("Lag"),
        pl.col("rows_last_hour").alias("Rows, last hour"),
        pl.col("last_error").alias("Last error"),
        pl.col("last_error_at").alias("Error at (UTC)"),
    )
    st.dataframe(shown, hide_index=True, placeholder="—", key="settings_live_sources", width="stretch")
