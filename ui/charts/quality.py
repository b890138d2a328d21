"""Charts of the Quality page: rates with Wilson intervals, CSAT by channel, repeat reasons."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from metrics.catalog import CATALOG
from ui.charts.base import (
    _LEGEND,
    _MARGIN,
    CHANNEL_COLORS,
    GREY,
    GREY_BELOW_N,
    HIDE_BELOW_N,
    _target_line,
    phase_marks,
    target_label,
)
from ui.text import plot


def _rate_bars(x: list, rows: pl.DataFrame, colors: list, ci: bool, rate: str = "rate", n: str = "n") -> go.Figure:
    """Bars of a rate labelled with n: grey when n < 30, left out when n < 5, the 95 % interval
    (columns ci_low, ci_high) as error bars when ``ci``."""
    records = list(rows.iter_rows(named=True))
    shown = [r[rate] is not None and r[n] >= HIDE_BELOW_N for r in records]
    fig = go.Figure()
    labels = [
        f"{k}<br>n={r[n]}" + ("" if s or r[n] == 0 else " (hidden)") for k, r, s in zip(x, records, shown, strict=True)
    ]
    fig.add_bar(
        x=labels,
        y=[r[rate] if s else None for r, s in zip(records, shown, strict=True)],
        marker_color=[c if r[n] >= GREY_BELOW_N else GREY for c, r in zip(colors, records, strict=True)],
        customdata=[r[n] for r in records],
        error_y=dict(
            type="data",
            symmetric=False,
            color="#333",
            array=[r["ci_high"] - r[rate] if s else None for r, s in zip(records, shown, strict=True)],
            arrayminus=[r[rate] - r["ci_low"] if s else None for r, s in zip(records, shown, strict=True)],
        )
        if ci
        else None,
        hovertemplate="%{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
    )
    fig.update_layout(height=340, margin=_MARGIN, yaxis=dict(tickformat=".0%", range=[0, 1.05]), showlegend=False)
    return fig


def rate_by_phase(frame: pl.DataFrame, phase_labels: dict, metric: str, target=None, ci: bool = False) -> go.Figure:
    """A rate per phase (``all`` last) as bars labelled with n, grey when n < 30, left out when
    n < 5, with the 95 % interval when ``ci`` and ``metric``'s target dashed."""
    rows = frame.filter(pl.col("phase").is_in(list(phase_labels)))
    m = CATALOG[metric]
    fig = _rate_bars([phase_labels[p] for p in rows["phase"]], rows, ["#4c78a8"] * rows.height, ci, m.value, m.n)
    if target is not None:
        _target_line(fig, target, target_label(metric, target))
    return fig


def rate_by_day(frame: pl.DataFrame, recall: dict, phase: str = "all", rate: str = "rate", n: str = "n") -> go.Figure:
    """A rate per local day (markers, grey when n < 30, left out when n < 5) with n as faint bars."""
    rows = frame.filter(pl.col("day").is_not_null())
    days, counts = rows["day"].to_list(), rows[n].to_list()
    values = [v if c >= HIDE_BELOW_N else None for v, c in zip(rows[rate], counts, strict=True)]
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=days,
        y=counts,
        name="n (eligible)",
        marker_color="#dde3ea",
        hovertemplate="%{x|%a %d %b}: n=%{y}<extra></extra>",
        secondary_y=True,
    )
    fig.add_scatter(
        x=days,
        y=values,
        customdata=counts,
        mode="lines+markers",
        name="rate",
        connectgaps=False,
        line=dict(color="#4c78a8"),
        marker=dict(color=[GREY if c < GREY_BELOW_N else "#4c78a8" for c in counts]),
        hovertemplate="%{x|%a %d %b}: %{y:.1%} (n=%{customdata})<extra></extra>",
        secondary_y=False,
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(
        showgrid=False, title_text="n", range=[0, 3 * max(counts or [1])], tickformat=",d", secondary_y=True
    )
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, hovermode="x unified")
    return phase_marks(fig, recall, days, phase)


def csat_by_channel(frame: pl.DataFrame, target=None) -> go.Figure:
    """CSAT per channel with responses: bars in the channel colour (grey when n < 30, left out
    when n < 5) with the Wilson 95 % interval."""
    rows = frame.filter((pl.col("channel") != "all") & (pl.col("n") > 0))
    channels = rows["channel"].to_list()
    fig = _rate_bars(channels, rows, [CHANNEL_COLORS.get(c, "#7f7f7f") for c in channels], ci=True)
    if target is not None:
        _target_line(fig, target, target_label("csat", target))
    return fig


def reasons_bars(reasons: pl.DataFrame, top: int = 12) -> go.Figure:
    """Repeated contacts by first-contact reason (most frequent first), count and share."""
    rows = reasons.head(top)
    fig = go.Figure()
    fig.add_bar(
        y=[plot(r) for r in rows["reason"].to_list()],
        x=rows["contacts"].to_list(),
        orientation="h",
        marker_color="#4c78a8",
        text=[f"{k} · {s:.0%}" for k, s in zip(rows["contacts"], rows["share"], strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x} repeated contacts<extra></extra>",
    )
    fig.update_layout(
        height=80 + 28 * max(rows.height, 1),
        margin=dict(l=10, r=60, t=10, b=10),
        yaxis=dict(autorange="reversed"),
        xaxis_title="repeated contacts",
        showlegend=False,
    )
    return fig


def switch_matrix(switches: pl.DataFrame) -> go.Figure:
    """Heat map: first contact channel (rows) → channel of the repeat (columns), counts."""
    seen = set(switches["first_channel"]) | set(switches["repeat_channel"])
    channels = [c for c in CHANNEL_COLORS if c in seen]
    count = {(f, t): k for f, t, k in switches.select("first_channel", "repeat_channel", "contacts").iter_rows()}
    z = [[count.get((f, t), 0) for t in channels] for f in channels]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=channels,
            y=channels,
            colorscale="Blues",
            showscale=False,
            text=z,
            texttemplate="%{text}",
            hovertemplate="first %{y} → repeat %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        height=120 + 40 * len(channels),
        margin=_MARGIN,
        xaxis=dict(title="repeat channel", side="top"),
        yaxis=dict(title="first contact channel", autorange="reversed"),
    )
    return fig
