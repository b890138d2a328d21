"""The stand-up wall screen's pieces: kiosk and dark CSS, big HTML tiles, the "data as of"
stamp, the stale banner, and which rotating view to show.

Views (``?rotate=overview,volume,coverage&every=60``): ``overview`` (alias ``tiles``): the KPI
tiles; ``volume``: today's inbound contacts per local hour and channel, yesterday's hours marked;
``coverage``: the coverage funnel (the two charts: ui/wall_views.py). The view shown is a function of wall-clock time
(:func:`pick_view`), so every screen with the same URL shows the same view and no click is needed.
"""

from __future__ import annotations

import html
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from metrics import Options
from metrics.catalog import Metric, on
from metrics.units import Target, arrow, sample, tone

VIEWS = ("overview", "volume", "coverage")
ALIASES = {"tiles": "overview"}
MIN_REFRESH_S, MAX_REFRESH_S = 5, 3600

KIOSK_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stMainMenu"], #MainMenu,
[data-testid="stDecoration"], [data-testid="stStatusWidget"], footer {display: none !important;}
[data-testid="stMainBlockContainer"], .block-container {padding: 1vh 1.2vw 0 1.2vw !important;
  max-width: 100% !important;}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {gap: 0 !important;}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] {margin-bottom: 0 !important;}
.wall-screen {height: calc(100vh - 1.5vh - var(--wall-above, 0vh)); min-height: 0;}
</style>"""

# Sizes are fractions of the viewport (vh), so the wall fills a 720p monitor and a 4K TV alike: values
# ≈ 9 % of the height, no visible text under 2 %; in kiosk mode the screen (.wall-screen) is exactly
# the viewport's height less the REPLAY band above it, and the tiles take what the rest leaves.
WALL_CSS = """<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {background: #0b1018 !important; color: #e8edf5;}
[data-testid="stHeader"] {background: transparent !important;}
.wall-screen {display: flex; flex-direction: column; gap: 0.8vh; min-height: 70vh;}
.wall-top {display: flex; justify-content: space-between; align-items: baseline; flex: none;}
.wall-title {font-size: 3.4vh; line-height: 1.1; font-weight: 700; color: #f8fafc; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis;}
.wall-clock {font-size: 3.4vh; line-height: 1.1; color: #cbd5e1; font-variant-numeric: tabular-nums;
  white-space: nowrap;}
.wall-stale {background: #b91c1c; color: #fff; font-size: 3vh; font-weight: 700; padding: 0.6vh 1.2vw;
  border-radius: 0.8vh; flex: none;}
.wall-grid {display: grid; grid-template-columns: repeat(3, 1fr); grid-auto-rows: 1fr; gap: 1vh 0.8vw;
  flex: 1 1 auto; min-height: 0;}
.wall-tile {border-radius: 1.2vh; padding: 1vh 1vw; border: 0.45vh solid #475569; background: #172033;
  display: flex; flex-direction: column; justify-content: space-between; min-width: 0; overflow: hidden;}
.wall-tile.green {background: #0f3d26; border-color: #22c55e;}
.wall-tile.amber {background: #4a3108; border-color: #f59e0b;}
.wall-tile.red {background: #4c1111; border-color: #ef4444;}
.wall-label {font-size: 3.1vh; font-weight: 600; color: #e2e8f0; line-height: 1.15; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis;}
.wall-window {font-weight: 400; color: #cbd5e1;}
.wall-status {font-size: 2.1vh; line-height: 1.3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; color: #cbd5e1;}
.wall-value {font-size: min(9vh, 7vw); font-weight: 800; color: #ffffff; line-height: 1.05;
  font-variant-numeric: tabular-nums; white-space: nowrap;}
.wall-value.small {color: #94a3b8;}
.wall-delta {font-size: 2.6vh; line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  color: #cbd5e1; font-variant-numeric: tabular-nums;}
.wall-delta.better {color: #4ade80;} .wall-delta.worse {color: #f87171;}
.wall-delta.up::before {content: "▲ ";} .wall-delta.down::before {content: "▼ ";}
.wall-sub {font-size: 2.3vh; line-height: 1.25; color: #cbd5e1; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis;}
.wall-foot {display: flex; justify-content: space-between; align-items: baseline; gap: 2vw; flex: none;}
.wall-fresh {font-size: 2.2vh; line-height: 1.25; min-width: 0; color: #cbd5e1; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis;
  flex: none;}
.wall-fresh b {color: #f8fafc;}
.wall-fresh .stale, .wall-fresh .stale b {color: #f87171; font-weight: 700;}
.wall-view {font-size: 2vh; color: #94a3b8; flex: none; white-space: nowrap;}
.wall-screen .alert-strip {gap: 0.5vh; margin: 0; flex: none;}
.wall-screen .alert-item {font-size: 2.8vh; padding: 0.4vh 1vw; border-left-width: 0.8vh; gap: 1vw;}
.wall-screen .alert-sev, .wall-screen .alert-rule, .wall-screen .alert-since, .wall-screen .alert-mark,
.wall-screen .alert-more {font-size: 2.3vh;}
[data-testid="stCaptionContainer"] {font-size: 2.2vh !important;}
.replay-band {white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 2.6vh !important;
  line-height: 1.25; padding: 0.4vh 1vw !important; margin: 0 0 0.6vh 0 !important;
  border-radius: 0.8vh !important;}
</style>"""

STATUS = {"green": "on target", "amber": "near target", "red": "off target"}


def parse_views(text: str | None) -> list[str]:
    """The known view names in ``text`` (comma-separated), in order; ``["overview"]`` when none."""
    names = [ALIASES.get(v.strip().lower(), v.strip().lower()) for v in (text or "").split(",")]
    views = [v for v in names if v in VIEWS]
    return views or ["overview"]


def pick_view(views: list[str], every_s: float, elapsed_s: float) -> str:
    """The view to show ``elapsed_s`` seconds into the rotation: view i is shown during
    ``[i·every_s, (i+1)·every_s)``, cycling. ``every_s ≤ 0`` shows the first view."""
    if every_s <= 0 or len(views) == 1:
        return views[0]
    return views[int(elapsed_s // every_s) % len(views)]


def seconds(text: str | None, default: float, low: float = MIN_REFRESH_S, high: float = MAX_REFRESH_S) -> float:
    """A number of seconds from the URL, clamped to [low, high]; ``default`` when absent or not a
    finite number (``nan``, ``inf``: :func:`valid_seconds`)."""
    value = float(text) if valid_seconds(text) else float(default)
    return min(max(value, low), high)


def valid_seconds(text: str | None) -> bool:
    """``text`` is a finite number (what ``?refresh=`` and ``?every=`` take)."""
    try:
        return bool(text) and math.isfinite(float(text))
    except ValueError:
        return False


def unknown_views(text: str | None) -> list[str]:
    """The names in ``?rotate=`` that are not views (for a notice)."""
    names = [v.strip().lower() for v in (text or "").split(",") if v.strip()]
    return [v for v in names if ALIASES.get(v, v) not in VIEWS]


WINDOW_TITLES = {"now": "now"}  # the window a "now" tile names (contacts today names its own)
PHASE_WORDS = {"all": "since announcement"}


def tile_title(metric: Metric, window: str | None, options: Options) -> str:
    """The tile's title naming its window: "Service level (20 s) · today", "FCR · 7 Apr contacts".
    A title longer than one line of a tile (30 characters) takes the metric's short name."""
    name = metric.title(options)
    if metric.short and len(name) + len(WINDOW_TITLES.get(window or "", window or "")) > 30:
        name = metric.short
    if window is None or metric.id == "contacts_today":
        return html.escape(name)
    return f'{html.escape(name)} <span class="wall-window">· {html.escape(WINDOW_TITLES.get(window, window))}</span>'


def _sub(metric: Metric, tile: dict, phase: str) -> str:
    """The second line: for a windowed tile, the cumulative value and the window's n; else the
    catalog's ``sub`` line."""
    n = tile["n"]
    if "cumulative_n" in tile:
        since = PHASE_WORDS.get(phase, f"in {phase.replace('_', ' ')}")
        shown = metric.unit.format(tile["cumulative"]) if sample(tile.get("cumulative_n")) != "hidden" else "—"
        return f"{shown} {since} · n = {n:,}" if n is not None else f"{shown} {since}"
    if "{n}" in metric.sub and n is None:
        return ""
    return metric.sub.format(
        n=f"{n:,}" if n is not None else "—",
        extra=metric.extra_unit.format(tile["extra"]),
        extra_delta=metric.extra_unit.format_delta(tile["extra_delta"]),
    )


def tile_html(metric: Metric, tile: dict, target: Target | None, options: Options, phase: str = "all") -> str:
    """One tile: title naming its window, value, colour against ``target`` and the change against
    the window it is compared with (``versus``; default yesterday) — its colour by the metric's
    direction (``better``/``worse``), its arrow by its sign —, then the cumulative value.

    The small-sample rule (metrics/units.py) hides the value (and its colour) or marks it "small
    sample", for metrics measured on a sample (not coverage, a census of the registry)."""
    unit, n = metric.unit, tile["n"]
    state = sample(n) if metric.sampled else "enough"
    value = None if state == "hidden" else tile["value"]
    before_hidden = metric.sampled and sample(tile["previous_n"]) == "hidden"
    delta = None if state == "hidden" or before_hidden else tile["delta"]
    colour = (target.colour(value) if target else None) or "neutral"
    small = state == "small" and value is not None
    sub = _sub(metric, tile, phase)
    if small:
        sub += " · small sample"
    elif state == "hidden" and n:
        sub += " · too few to show"
    status = STATUS.get(colour, "")
    if target is not None and value is not None:
        status += f" · target {'≥' if target.higher_is_better else '≤'} {unit.format(target.green)}"
    good = tone(metric.better, delta, unit)
    classes = " ".join(c for c in (good if good != "neutral" else "", arrow(delta, unit)) if c != "off")
    key, versus = metric.id, tile.get("versus", "yesterday")
    since = "since yesterday" if versus == "yesterday" else f"vs {versus}"
    return (
        f'<div class="wall-tile {colour}" data-tile="{key}" data-colour="{colour}" data-n="{"" if n is None else n}" '
        f'title="{html.escape(metric.rule(options))}">'
        f'<div><div class="wall-label">{tile_title(metric, tile.get("window"), options)}</div>'
        f'<div class="wall-status">{status or "&nbsp;"}</div></div>'
        f'<div class="wall-value{" small" if small else ""}" data-value="{key}">{unit.format(value)}</div>'
        f'<div class="wall-delta {classes}" data-delta="{key}">'
        f"{unit.format_delta(delta)} {since}</div>"
        f'<div class="wall-sub">{sub}</div></div>'
    )


def tiles_html(result: dict, targets: dict[str, Target | None], options: Options, phase: str = "all") -> str:
    """The grid of stand-up tiles (metrics.today.today_tiles()), in catalog order, as square as it goes."""
    metrics = on("standup")
    cells = [tile_html(m, result["tiles"][m.id], targets.get(m.id), options, phase) for m in metrics]
    columns = math.ceil(math.sqrt(len(cells)))  # 9 tiles: 3 × 3
    return f'<div class="wall-grid" style="grid-template-columns: repeat({columns}, 1fr)">' + "".join(cells) + "</div>"


def local(ts: datetime | None, zone: str, pattern: str = "%a %d %b %H:%M %Z") -> str:
    """A naive UTC timestamp shown in the recall's zone."""
    if ts is None:
        return "—"
    return ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).strftime(pattern)


def _age(hours: float) -> str:
    if hours < 0:
        return "newer than the replay time"
    return f"{hours:.0f} h old" if hours < 48 else f"{hours / 24:.0f} days old"


def stale_banner(fresh: pl.DataFrame, live_problems: list[str] | None = None) -> str | None:
    """The red banner naming the stale sources and the live sources in trouble (ui/live_status.py),
    or None when there are none."""
    stale = fresh.filter(pl.col("stale"))
    parts = []
    if stale.height:
        names = ", ".join(html.escape(s) for s in dict.fromkeys(stale["source"].to_list()))
        youngest, limits = stale["age_h"].min(), sorted({f"{h:g} h" for h in stale["stale_after_h"].to_list()})
        parts.append(f"{names}: newest record {_age(youngest)} or more (threshold {', '.join(limits)})")
    if live_problems:
        parts.append("live sources: " + ", ".join(html.escape(p) for p in live_problems))
    if not parts:
        return None
    return f'<div class="wall-stale" data-stale="1">⚠ STALE DATA — {"; ".join(parts)}</div>'


LIST_UP_TO = 3  # more sources than this are summed up in one line


def freshness_html(fresh: pl.DataFrame, zone: str, as_of: datetime, live_items: str = "") -> str:
    """'Data as of' in one line, in the recall's zone: up to three sources by name (newest record over
    their tables), more summed up ("4 sources as of Tue 10 Mar 14:58 · 2 stale since 15 Jun"), then
    the live sources' items (``live_items``, ui/live_status.py). Every source with its last load is
    in the line's tooltip. When replaying a past moment, records newer than it are not counted."""
    if fresh.height == 0 and not live_items:
        return '<div class="wall-fresh">No data loaded yet.</div>'
    per_source = (
        fresh.group_by("source", maintain_order=True)
        .agg(pl.col("newest_at").max(), pl.col("last_loaded_at").max(), pl.col("stale").any())
        .sort("source")
    )
    rows = [{**r, "newest_at": min(r["newest_at"], as_of)} for r in per_source.iter_rows(named=True)]
    stamp = "%d %b %H:%M"
    full = " · ".join(
        f"{r['source']} as of {local(r['newest_at'], zone, stamp)}, loaded {local(r['last_loaded_at'], zone, stamp)}"
        for r in rows
    )
    if len(rows) <= LIST_UP_TO:
        items = [
            f'<span class="{"stale" if r["stale"] else "fresh"}"><b>{html.escape(r["source"])}</b> as of '
            f"{local(r['newest_at'], zone, '%a %d %b %H:%M')}</span>"
            for r in rows
        ]
    else:
        current = [r for r in rows if not r["stale"]]
        stale = [r for r in rows if r["stale"]]
        items = []
        if current:
            newest = max(r["newest_at"] for r in current)
            items.append(f"<b>{len(current)} sources</b> as of {local(newest, zone, '%a %d %b %H:%M')}")
        if stale:
            oldest = min(r["newest_at"] for r in stale)
            since = local(oldest, zone, "%d %b")
            items.append(f'<span class="stale"><b>{len(stale)} sources stale</b> since {since}</span>')
    return f'<div class="wall-fresh" title="{html.escape(full)}">Data: ' + " · ".join(items) + live_items + "</div>"


def header_html(title: str, as_of: datetime, zone: str) -> str:
    """The recall's name and the report time in its zone (a replay says so in the band above)."""
    return (
        f'<div class="wall-top"><div class="wall-title">{html.escape(title)}</div>'
        f'<div class="wall-clock">{local(as_of, zone)}</div></div>'
    )


def screen_html(parts: list[str], above_vh: float) -> str:
    """The wall's screen: ``parts`` stacked, the tile grid or the chart view taking the height left;
    in kiosk mode the viewport's height less ``above_vh`` (the REPLAY band)."""
    body = "".join(p for p in parts if p)
    return f'<div class="wall-screen" style="--wall-above: {above_vh:g}vh">{body}</div>'


def status_html(view_name: str, run_every_s: float, rotation: str) -> str:
    """The small last line: the view shown, the refresh interval and the rotation."""
    return (
        f'<div class="wall-view" data-view="{view_name}">{view_name} · refreshes every {run_every_s:.0f} s'
        f"{rotation}</div>"
    )


def css(kiosk: bool) -> None:
    """Style the page dark; in kiosk mode also hide the sidebar, header, toolbar and menus."""
    st.markdown(WALL_CSS + (KIOSK_CSS if kiosk else ""), unsafe_allow_html=True)
