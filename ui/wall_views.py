"""The wall's rotating chart views, drawn in HTML sized to the viewport (vh), so a 720p monitor and a
4K TV show them alike: no text under 2 % of the height, the chart taking the height the header and
the footer leave (ui/wall.py, ``.wall-screen``).

- :func:`volume_html`: today's inbound contacts per local hour, stacked by channel, yesterday's
  hourly total as a dotted mark; hours still to come are drawn as such, an empty day says so (no
  bars, no line of zeros), and a stale source is named on the chart (its hours are missing data,
  not zero contacts).
- :func:`coverage_html`: the coverage stages as bars of customers against the affected customers.
"""

from __future__ import annotations

import html
import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from ui.charts.base import FUNNEL_COLORS, FUNNEL_LABELS
from ui.charts.coverage import funnel_notes
from ui.wall import local

VIEW_CSS = """<style>
.wall-chart {flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; gap: 0.6vh;}
.wall-chart-title {font-size: 3vh; font-weight: 600; color: #e2e8f0; display: flex; gap: 1.4vw;
  align-items: baseline; flex-wrap: nowrap; white-space: nowrap; overflow: hidden;}
.wall-key {font-size: 2.4vh; font-weight: 400; color: #cbd5e1;}
.wall-key i {display: inline-block; width: 1.8vh; height: 1.8vh; border-radius: 0.3vh; margin-right: 0.4vw;
  vertical-align: -0.2vh;}
.wall-key i.dots {background: none; border-top: 0.5vh dotted #e2e8f0; height: 0; vertical-align: 0.5vh;}
.wall-note {font-size: 2.6vh; color: #fbbf24; font-weight: 600;}
.wall-plot {flex: 1 1 auto; min-height: 0; display: flex; gap: 0.4vw;}
.wall-axis {display: flex; flex-direction: column-reverse; justify-content: space-between; font-size: 2.2vh;
  color: #94a3b8; text-align: right; min-width: 3.5vw; padding-bottom: 3vh; font-variant-numeric: tabular-nums;}
.wall-hours {flex: 1 1 auto; display: grid; grid-template-columns: repeat(24, 1fr); gap: 0.3vw; min-width: 0;}
.wall-hour {display: flex; flex-direction: column; min-width: 0;}
.wall-bar {flex: 1 1 auto; position: relative; display: flex; flex-direction: column-reverse;
  border-bottom: 0.3vh solid #64748b;}
.wall-bar.future {background: repeating-linear-gradient(135deg, #111827 0 0.6vh, #0b1018 0.6vh 1.2vh);}
.wall-bar span {display: block; flex: none;}
.wall-bar b {position: absolute; left: -0.15vw; right: -0.15vw; border-top: 0.5vh dotted #e2e8f0;}
.wall-hour-label {font-size: 2.2vh; height: 3vh; line-height: 3vh; text-align: center; color: #94a3b8;
  font-variant-numeric: tabular-nums; white-space: nowrap;}
.wall-empty {position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;}
.wall-stages {flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; justify-content: space-around;}
.wall-stage {display: grid; grid-template-columns: 16vw 1fr; align-items: center; gap: 1vw;}
.wall-stage-label {font-size: 3.2vh; color: #e2e8f0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.wall-stage-track {height: 8vh; background: #172033; border-radius: 0.8vh; position: relative; overflow: hidden;}
.wall-stage-fill {height: 100%; border-radius: 0.8vh;}
.wall-stage-value {position: absolute; left: 1vw; top: 0; bottom: 0; display: flex; align-items: center;
  font-size: 4vh; font-weight: 800; color: #fff; text-shadow: 0 0 0.6vh #000; font-variant-numeric: tabular-nums;}
.wall-notes {font-size: 2.3vh; color: #cbd5e1; line-height: 1.3;}
</style>"""


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value``, at least 10: the top of a count
    axis (quarters of it are its labels)."""
    if value <= 10:
        return 10
    power = 10 ** math.floor(math.log10(value))
    return int(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value))


def volume_html(
    today: pl.DataFrame,
    yesterday: pl.DataFrame,
    colors: dict[str, str],
    day: date,
    day_before: date,
    hours_so_far: int = 24,
    stale: list[str] | None = None,
) -> str:
    """Today's inbound contacts per local hour (``hour``, ``channel``, ``contacts`` rows of
    metrics.standup.hourly_volume), stacked by channel in ``colors``; yesterday's total per hour a
    dotted mark. Hours from ``hours_so_far`` on have not happened yet (hatched). ``stale``: sentences
    naming stale sources, written on the chart."""
    per_hour: dict[int, dict[str, int]] = {}
    for row in today.iter_rows(named=True):
        per_hour.setdefault(row["hour"], {})[row["channel"]] = row["contacts"]
    before: dict[int, int] = {}
    for row in yesterday.iter_rows(named=True):
        before[row["hour"]] = before.get(row["hour"], 0) + row["contacts"]
    channels = sorted(today["channel"].unique().to_list()) if today.height else []
    top = nice_ceiling(max([sum(v.values()) for v in per_hour.values()] + list(before.values()) + [0]))
    columns = []
    for hour in range(24):
        counts = per_hour.get(hour, {})
        segments = "".join(
            f'<span style="height:{100 * counts[c] / top:.2f}%;background:{colors.get(c, "#7f7f7f")}" '
            f'title="{html.escape(c)} {counts[c]:,}"></span>'
            for c in channels
            if counts.get(c)
        )
        mark = f'<b style="bottom:{100 * before[hour] / top:.2f}%"></b>' if hour in before else ""
        future = " future" if hour >= hours_so_far else ""
        label = f"{hour:02d}" if hour % 3 == 0 else "&nbsp;"
        total = sum(counts.values())
        columns.append(
            f'<div class="wall-hour" data-hour="{hour}" data-contacts="{total}">'
            f'<div class="wall-bar{future}">{segments}{mark}</div><div class="wall-hour-label">{label}</div></div>'
        )
    empty = [f"{d:%a %d %b}" for d, frame in ((day, today), (day_before, yesterday)) if frame.height == 0]
    overlay = (
        f'<div class="wall-empty"><span class="wall-note" data-empty="1">No inbound contacts {" or ".join(empty)}'
        "</span></div>"
        if empty
        else ""
    )
    axis = "".join(f"<span>{top * i // 4:,}</span>" for i in range(5))
    key = "".join(
        f'<span class="wall-key"><i style="background:{colors.get(c, "#7f7f7f")}"></i>{html.escape(c)}</span>'
        for c in channels
    )
    notes = "".join(f'<div class="wall-note" data-stale-series="1">⚠ {html.escape(s)}</div>' for s in stale or [])
    return (
        f'{VIEW_CSS}<div class="wall-chart" data-chart="volume">'
        f'<div class="wall-chart-title">Inbound contacts today by local hour {key}'
        '<span class="wall-key"><i class="dots"></i>yesterday</span></div>'
        f'{notes}<div class="wall-plot"><div class="wall-axis">{axis}</div>'
        f'<div class="wall-hours" style="position:relative">{"".join(columns)}{overlay}</div></div></div>'
    )


def coverage_html(coverage: dict, outside: dict[str, int] | None = None) -> str:
    """Each coverage stage (metrics.coverage_shares) as a bar of customers measured against the
    affected customers, with the count and share written on it; under the bars, the stages that are
    not subsets of the one before (ui/charts/coverage.py funnel_notes)."""
    affected = coverage["affected_customers"]
    rows = []
    for key, label in FUNNEL_LABELS.items():
        count = coverage[key]
        share = count / affected if affected else None
        text = f"{count:,} · {share:.0%}" if share is not None else f"{count:,}"
        width = min(100.0, 100 * share) if share is not None else 0
        rows.append(
            f'<div class="wall-stage" data-stage="{key}"><div class="wall-stage-label">{html.escape(label)}</div>'
            f'<div class="wall-stage-track"><div class="wall-stage-fill" style="width:{width:.2f}%;'
            f'background:{FUNNEL_COLORS[key]}"></div><div class="wall-stage-value">{text}</div></div></div>'
        )
    notes = "".join(f"<div>{html.escape(n)}</div>" for n in funnel_notes(outside or {}))
    return (
        f'{VIEW_CSS}<div class="wall-chart" data-chart="coverage">'
        f'<div class="wall-chart-title">Coverage of affected customers '
        f'<span class="wall-key">{affected:,} affected</span></div>'
        f'<div class="wall-stages">{"".join(rows)}</div><div class="wall-notes">{notes}</div></div>'
    )


def stale_series(fresh: pl.DataFrame, zone: str) -> list[str]:
    """One sentence per stale source of contacts (metrics.freshness rows): its hours are missing
    data, not zero contacts."""
    rows = fresh.filter((pl.col("table_name") == "contacts") & pl.col("stale")).sort("source")
    return [
        f"{r['source']}: no contacts since {local(r['newest_at'], zone, '%a %d %b %H:%M')}"
        " — its hours are missing, not zero"
        for r in rows.iter_rows(named=True)
    ]


def hours_so_far(as_of: datetime, zone: str, day: date) -> int:
    """How many local hours of ``day`` have begun by ``as_of`` (naive UTC): 24 for a day gone by."""
    now = as_of.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    if now.date() > day:
        return 24
    return now.hour + 1 if now.date() == day else 0
