"""Charts of the Overview and Channels & handling pages: volume, mix, handle time, service, backlog."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from metrics.catalog import CATALOG
from ui.charts.base import (
    _LEGEND,
    _MARGIN,
    CHANNEL_COLORS,
    HIDE_BELOW_N,
    _add_marks,
    phase_mark_items,
    phase_marks,
    target_items,
    target_label,
)


def channel_volume(daily: pl.DataFrame, recall: dict, phase: str = "all") -> go.Figure:
    """Stacked bars of inbound contacts per local day and channel, phase starts marked and the
    selected phase shaded; each bar's ``customdata`` is [day, channel] (ui/drill.py)."""
    daily = daily.filter(pl.col("day").is_not_null())
    fig = go.Figure()
    per_channel = daily.filter(pl.col("channel") != "all")
    for channel in sorted(per_channel["channel"].unique()):
        rows = per_channel.filter(pl.col("channel") == channel)
        fig.add_bar(
            x=rows["day"].to_list(),
            y=rows["contacts"].to_list(),
            name=channel,
            marker_color=CHANNEL_COLORS.get(channel, "#7f7f7f"),
            customdata=[[str(day), channel] for day in rows["day"].to_list()],  # ui/drill.py: click-through
            hovertemplate="%{y} " + "<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(barmode="stack", height=380, margin=_MARGIN, legend=_LEGEND, yaxis_title="contacts",
                      hovermode="x unified", legend_title="Channel")  # fmt: skip
    return phase_marks(fig, recall, daily["day"].to_list(), phase)


def channel_mix(vol: pl.DataFrame, phase_labels: dict) -> go.Figure:
    """100 % stacked horizontal bars: each phase's contacts split by channel (phases with contacts)."""
    rows = vol.filter((pl.col("channel") != "all") & (pl.col("contacts") > 0))
    order = [p for p in phase_labels if p in set(rows["phase"])]
    fig = go.Figure()
    for channel in [c for c in CHANNEL_COLORS if c in set(rows["channel"])]:
        sub = rows.filter(pl.col("channel") == channel)
        share = dict(zip(sub["phase"], sub["share"], strict=True))
        count = dict(zip(sub["phase"], sub["contacts"], strict=True))
        fig.add_bar(
            y=[phase_labels[p] for p in order],
            x=[share.get(p, 0) for p in order],
            customdata=[count.get(p, 0) for p in order],
            orientation="h",
            name=channel,
            marker_color=CHANNEL_COLORS[channel],
            hovertemplate="%{y}: %{x:.1%} " + channel + " (%{customdata} contacts)<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=80 + 44 * len(order),
        margin=_MARGIN,
        legend=_LEGEND,
        xaxis=dict(tickformat=".0%", range=[0, 1]),
        yaxis=dict(autorange="reversed"),
    )
    return fig


def handle_time_bars(aht: pl.DataFrame, key: str = "channel") -> go.Figure:
    """Mean handle time per channel (bars, minutes) with the median (◆) and P90 (▲) beside it."""
    rows = aht.filter((pl.col("n") > 0) & (pl.col(key) != "all"))
    names = rows[key].to_list()
    minutes = {c: [None if v is None else v / 60 for v in rows[c]] for c in ("mean_s", "median_s", "p90_s")}
    colors = [CHANNEL_COLORS.get(n, "#7f7f7f") for n in names]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=minutes["mean_s"],
        marker_color=colors,
        name="mean",
        showlegend=False,
        customdata=rows["n"].to_list(),
        hovertemplate="%{x}: mean %{y:.2f} min (n=%{customdata})<extra></extra>",
    )
    for col, label, symbol in (("median_s", "median", "diamond"), ("p90_s", "P90", "triangle-up")):
        fig.add_scatter(
            x=names,
            y=minutes[col],
            mode="markers",
            name=label,
            marker=dict(symbol=symbol, size=11, color="#333"),
            hovertemplate="%{x}: " + label + " %{y:.2f} min<extra></extra>",
        )
    fig.add_bar(x=[None], y=[None], name="mean", marker_color="#999")  # legend entry; bars take channel colours
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="minutes")
    return fig


def service_by_day(sl: pl.DataFrame, recall: dict, targets: dict, phase: str = "all") -> go.Figure:
    """Phone service level and abandon rate per local day (lines, %; days with fewer than 5 offered
    calls left out), their targets dashed; ASA per day below (seconds) with its target."""
    from plotly.subplots import make_subplots

    rows = sl.filter(pl.col("day").is_not_null())
    days, n = rows["day"].to_list(), rows["offered"].to_list()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.62, 0.38])
    for key, color in (("service_level", "#1f77b4"), ("abandon_rate", "#d62728")):
        col, label = CATALOG[key].value, CATALOG[key].label.lower()
        fig.add_scatter(
            x=days,
            y=[v if k >= HIDE_BELOW_N else None for v, k in zip(rows[col], n, strict=True)],
            customdata=n,
            mode="lines+markers",
            name=label,
            line=dict(color=color),
            marker_size=5,
            hovertemplate="%{x|%a %d %b}: " + label + " %{y:.1%} (offered %{customdata})<extra></extra>",
            row=1,
            col=1,
        )
    asa = CATALOG["asa_s"]
    fig.add_bar(
        x=days,
        y=rows[asa.value].to_list(),
        name=asa.short,
        marker_color="#7f7f7f",
        hovertemplate="%{x|%a %d %b}: " + asa.short + " %{y:.1f} s<extra></extra>",
        row=2,
        col=1,
    )
    shapes, notes = [], []  # added once: each layout update validates every mark again
    for key, row in (("service_level", 1), ("abandon_rate", 1), ("asa_s", 2)):
        if targets.get(key):
            more = target_items(fig, targets[key], target_label(key, targets[key]), row_kw=dict(row=row, col=1))
            shapes, notes = shapes + more[0], notes + more[1]
    phased = phase_mark_items(fig, recall, days, phase)
    _add_marks(fig, shapes + phased[0], notes + phased[1])
    fig.update_layout(height=480, margin=_MARGIN, legend=_LEGEND, hovermode="x unified")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(title_text=f"{asa.short} ({asa.unit.symbol})", row=2, col=1)
    return fig


def backlog_lines(bl: pl.DataFrame, recall: dict, phase: str = "all") -> go.Figure:
    """Open tickets at the end of each local day, and the part of them aged (metrics/tickets.py)."""
    days = bl["day"].to_list()
    fig = go.Figure()
    for column, color, fill in (("open_tickets", "#4c78a8", "tozeroy"), ("aged_tickets", "#d62728", None)):
        name = CATALOG["backlog"].parts[column]
        fig.add_scatter(
            x=days,
            y=bl[column].to_list(),
            name=name,
            mode="lines",
            line=dict(color=color),
            fill=fill,
            hovertemplate="%{x|%a %d %b}: %{y} " + name + "<extra></extra>",
        )
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="tickets", hovermode="x unified")
    return phase_marks(fig, recall, days, phase)


def ticket_times_bars(tt: pl.DataFrame, phase_labels: dict) -> go.Figure:
    """First reply and resolution time per phase (tickets), median (solid) and P90 (light), hours."""
    rows = tt.filter(pl.col("phase").is_in(list(phase_labels)) & ((pl.col("frt_n") > 0) | (pl.col("resolution_n") > 0)))
    x = [phase_labels[p] for p in rows["phase"]]
    fig = go.Figure()
    colors = {("frt", "median"): "#4c78a8", ("frt", "p90"): "#a9c4e0", ("resolution", "median"): "#f58518"}
    colors[("resolution", "p90")] = "#fbc894"
    for prefix, label in (("frt", "first reply"), ("resolution", "resolution")):
        for stat, name in (("median", "median"), ("p90", "P90")):
            hours = [None if v is None else v / 3600 for v in rows[f"{prefix}_{stat}_s"]]
            fig.add_bar(
                x=x,
                y=hours,
                name=f"{label} {name}",
                marker_color=colors[(prefix, stat)],
                customdata=rows[f"{prefix}_n"].to_list(),
                hovertemplate="%{x}: " + f"{label} {name}" + " %{y:.1f} h (n=%{customdata})<extra></extra>",
            )
    fig.update_layout(barmode="group", height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="hours")
    return fig
