"""The stand-up wall screen's pieces: kiosk and dark CSS, big HTML tiles, the "data as of"
stamp, the stale banner, and which rotating view to show.

Views (``?rotate=overview,volume,coverage&every=60``): ``overview`` (alias ``tiles``): the KPI
tiles; ``volume``: today's inbound contacts per local hour and channel, yesterday's hours as a
line; ``coverage``: the coverage funnel. The view shown is a function of wall-clock time
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
[data-testid="stMainBlockContainer"], .block-container {padding: 1rem 2rem 0.5rem 2rem !important;
  max-width: 100% !important;}
</style>"""

WALL_CSS = """<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {background: #0b1018 !important; color: #e8edf5;}
[data-testid="stHeader"] {background: transparent !important;}
.wall-top {display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 0.6rem;}
.wall-title {font-size: 2.6rem; font-weight: 700; color: #f8fafc;}
.wall-clock {font-size: 2.2rem; color: #cbd5e1; font-variant-numeric: tabular-nums;}
.wall-replay {font-size: 1.4rem; color: #fbbf24; margin-left: 1rem;}
.wall-stale {background: #b91c1c; color: #fff; font-size: 2.1rem; font-weight: 700; padding: 0.6rem 1.2rem;
  border-radius: 0.6rem; margin-bottom: 0.8rem;}
.wall-grid {display: grid; grid-template-columns: repeat(4, 1fr); gap: 1rem;}
.wall-tile {border-radius: 0.9rem; padding: 0.9rem 1.2rem; border: 4px solid #475569; background: #172033;
  min-height: 16.5rem; display: flex; flex-direction: column; justify-content: space-between;}
.wall-tile.green {background: #0f3d26; border-color: #22c55e;}
.wall-tile.amber {background: #4a3108; border-color: #f59e0b;}
.wall-tile.red {background: #4c1111; border-color: #ef4444;}
.wall-label {font-size: 2.1rem; font-weight: 600; color: #e2e8f0; line-height: 1.15;}
.wall-status {font-size: 1.2rem; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; color: #cbd5e1;}
.wall-value {font-size: min(6.2rem, 4.6vw); font-weight: 800; color: #ffffff; line-height: 1.05;
  font-variant-numeric: tabular-nums;}
.wall-value.small {color: #94a3b8;}
.wall-delta {font-size: 1.7rem; color: #cbd5e1; font-variant-numeric: tabular-nums;}
.wall-delta.better {color: #4ade80;} .wall-delta.worse {color: #f87171;}
.wall-delta.up::before {content: "▲ ";} .wall-delta.down::before {content: "▼ ";}
.wall-sub {font-size: 1.45rem; color: #cbd5e1;}
.wall-fresh {display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.3rem 2rem; margin-top: 0.2rem;
  font-size: 1.6rem; color: #cbd5e1;}
.wall-fresh span {white-space: nowrap;} .wall-fresh b {color: #f8fafc;}
.wall-fresh .stale, .wall-fresh .stale b {color: #f87171; font-weight: 700;}
.wall-fresh-title {font-size: 1.3rem; letter-spacing: 0.08em; color: #94a3b8; margin-top: 0.9rem;}
.wall-view {font-size: 1.1rem; color: #64748b; margin-top: 0.3rem;}
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


def tile_html(metric: Metric, tile: dict, target: Target | None, options: Options) -> str:
    """One tile: title, value, colour against ``target`` and the change since yesterday — its
    colour by the metric's direction (``better``/``worse``), its arrow by its sign.

    The small-sample rule (metrics/units.py) hides the value (and its colour) or marks it "small
    sample", for metrics measured on a sample (not coverage, a census of the registry)."""
    unit, n = metric.unit, tile["n"]
    state = sample(n) if metric.sampled else "enough"
    value = None if state == "hidden" else tile["value"]
    before_hidden = metric.sampled and sample(tile["previous_n"]) == "hidden"
    delta = None if state == "hidden" or before_hidden else tile["delta"]
    colour = (target.colour(value) if target else None) or "neutral"
    small = state == "small" and value is not None
    sub = (
        ""
        if "{n}" in metric.sub and n is None
        else metric.sub.format(
            n=f"{n:,}" if n is not None else "—",
            extra=metric.extra_unit.format(tile["extra"]),
            extra_delta=metric.extra_unit.format_delta(tile["extra_delta"]),
        )
    )
    if small:
        sub += " · small sample"
    status = STATUS.get(colour, "")
    if target is not None and value is not None:
        status += f" · target {'≥' if target.higher_is_better else '≤'} {unit.format(target.green)}"
    good = tone(metric.better, delta, unit)
    classes = " ".join(c for c in (good if good != "neutral" else "", arrow(delta, unit)) if c != "off")
    key = metric.id
    return (
        f'<div class="wall-tile {colour}" data-tile="{key}" data-colour="{colour}" '
        f'title="{html.escape(metric.rule(options))}">'
        f'<div><div class="wall-label">{html.escape(metric.title(options))}</div>'
        f'<div class="wall-status">{status}</div></div>'
        f'<div class="wall-value{" small" if small else ""}" data-value="{key}">{unit.format(value)}</div>'
        f'<div class="wall-delta {classes}" data-delta="{key}">'
        f"{unit.format_delta(delta)} since yesterday</div>"
        f'<div class="wall-sub">{sub}</div></div>'
    )


def tiles_html(result: dict, targets: dict[str, Target | None], options: Options) -> str:
    """The grid of stand-up tiles (metrics.standup.standup()), in catalog order, two rows."""
    metrics = on("standup")
    cells = [tile_html(m, result["tiles"][m.id], targets.get(m.id), options) for m in metrics]
    columns = -(-len(cells) // 2)
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


def freshness_html(fresh: pl.DataFrame, zone: str, as_of: datetime, live_items: str = "") -> str:
    """'Data as of' per source (newest record over its tables, and last load), in the recall's zone,
    then the live sources' items (``live_items``, ui/live_status.py). When replaying a past moment,
    records newer than it are not counted and not shown as newest."""
    if fresh.height == 0 and not live_items:
        return '<div class="wall-fresh">No data loaded yet.</div>'
    per_source = (
        fresh.group_by("source", maintain_order=True)
        .agg(pl.col("newest_at").max(), pl.col("last_loaded_at").max(), pl.col("stale").any())
        .sort("source")
    )
    items = []
    for r in per_source.iter_rows(named=True):
        cls = ' class="stale"' if r["stale"] else ""
        newest = local(min(r["newest_at"], as_of), zone, "%a %d %b %H:%M")
        items.append(
            f"<span{cls}><b>{html.escape(r['source'])}</b> as of {newest} · "
            f"loaded {local(r['last_loaded_at'], zone, '%d %b %H:%M')}</span>"
        )
    title = '<div class="wall-fresh-title">DATA AS OF (newest record · last load, per source)</div>'
    return title + '<div class="wall-fresh">' + "".join(items) + live_items + "</div>"


def header_html(title: str, as_of: datetime, zone: str, replay: bool) -> str:
    replaying = f'<span class="wall-replay">REPLAY of {local(as_of, zone)}</span>' if replay else ""
    return (
        f'<div class="wall-top"><div class="wall-title">{html.escape(title)}{replaying}</div>'
        f'<div class="wall-clock">{local(as_of, zone)}</div></div>'
    )


def dark_figure(fig, height: int = 640):
    """A Plotly figure restyled for the dark wall screen with large fonts."""
    fig.update_layout(
        template="plotly_dark",
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(size=24, color="#e8edf5"),
        height=height,
        margin=dict(l=20, r=20, t=60, b=20),
    )
    return fig


def css(kiosk: bool) -> None:
    """Style the page dark; in kiosk mode also hide the sidebar, header, toolbar and menus."""
    st.markdown(WALL_CSS + (KIOSK_CSS if kiosk else ""), unsafe_allow_html=True)


def hourly_figure(today: pl.DataFrame, yesterday: pl.DataFrame, colors: dict[str, str]):
    """Today's inbound contacts per local hour, stacked by channel; yesterday's hourly total as a line."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for channel in sorted(today["channel"].unique()) if today.height else []:
        rows = today.filter(pl.col("channel") == channel)
        fig.add_bar(x=rows["hour"].to_list(), y=rows["contacts"].to_list(), name=channel,
                    marker_color=colors.get(channel, "#7f7f7f"))  # fmt: skip
    totals = yesterday.group_by("hour").agg(pl.col("contacts").sum())
    hours = list(range(24))
    per_hour = dict(zip(totals["hour"].to_list(), totals["contacts"].to_list(), strict=True))
    fig.add_scatter(x=hours, y=[per_hour.get(h, 0) for h in hours], name="yesterday", mode="lines",
                    line=dict(color="#e2e8f0", width=4, dash="dot"))  # fmt: skip
    fig.update_layout(barmode="stack", title="Inbound contacts today by local hour (dotted: yesterday)",
                      xaxis=dict(range=[-0.5, 23.5], dtick=2, title="hour"), yaxis_title="contacts")  # fmt: skip
    return fig
