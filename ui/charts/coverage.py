"""Charts of the Coverage page: the funnel, rates by group, coverage over time, time to notify."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

from metrics import Options
from metrics.catalog import CATALOG
from metrics.coverage import funnel_notes as coverage_notes
from ui.charts.base import _LEGEND, _MARGIN, FUNNEL_COLORS, FUNNEL_LABELS, phase_marks
from ui.text import plot


def funnel_notes(outside: dict[str, int]) -> list[str]:
    """One sentence per stage that is not a subset of the stage before (metrics.funnel_notes)."""
    return coverage_notes(outside, FUNNEL_LABELS)


def coverage_funnel(coverage: dict, outside: dict[str, int] | None = None, line_px: int = 22) -> go.Figure:
    """Each coverage stage as a bar of customers measured against the affected customers (its share
    of them written on it) and its definition on hover. The stages are not nested (an answered
    outbound call reaches a customer never notified; a customer who calls unprompted is engaged
    without being reached), so no bar is drawn inside the one above it; ``outside``
    (metrics.funnel_outside) names, under the bars, each stage with customers not in the one before,
    one line of ``line_px`` each."""
    keys = list(FUNNEL_LABELS)
    affected = coverage["affected_customers"]
    shares = [f"{coverage[k]:,} · {coverage[k] / affected:.0%}" if affected else f"{coverage[k]:,}" for k in keys]
    fig = go.Figure(
        go.Bar(
            y=[FUNNEL_LABELS[k] for k in keys],
            x=[coverage[k] for k in keys],
            orientation="h",
            text=shares,
            textposition="auto",
            marker_color=[FUNNEL_COLORS[k] for k in keys],
            customdata=[CATALOG[k].rule(Options()) for k in keys],
            hovertemplate="<b>%{y}</b>: %{x:,}<br>%{customdata}<extra></extra>",
        )
    )
    notes = funnel_notes(outside or {})
    fig.update_layout(
        height=300 + line_px * len(notes),
        margin=dict(l=10, r=10, t=10, b=10 + line_px * len(notes)),
        xaxis=dict(range=[0, affected * 1.02 or 1]),
        yaxis=dict(autorange="reversed"),
        showlegend=False,
    )
    for i, note in enumerate(notes):
        fig.add_annotation(text=note, x=0, xref="paper", xanchor="left", y=0, yref="paper", yanchor="top",
                           yshift=-26 - line_px * i, showarrow=False, font=dict(size=12))  # fmt: skip
    return fig


def coverage_rates(frame: pl.DataFrame, by: str, top: int = 15) -> go.Figure:
    """Notified / reached / engaged / remedied as a share of affected customers, per ``by`` group
    (the ``top`` groups with most affected units)."""
    rows = frame.head(top)
    groups = [plot(g) for g in rows[by].to_list()]
    fig = go.Figure()
    for key in ("notified", "reached", "engaged", "remedied"):
        rates = [k / a if a else None for k, a in zip(rows[key], rows["affected_customers"], strict=True)]
        fig.add_bar(
            x=groups,
            y=rates,
            name=FUNNEL_LABELS[key],
            marker_color=FUNNEL_COLORS[key],
            customdata=list(zip(rows[key].to_list(), rows["affected_customers"].to_list(), strict=True)),
            hovertemplate="%{x}: %{y:.1%} " + key + " (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        height=360,
        margin=_MARGIN,
        legend=_LEGEND,
        yaxis=dict(tickformat=".0%", range=[0, 1.05]),
        xaxis=dict(type="category"),
    )
    return fig


def coverage_over_time(daily: pl.DataFrame, recall: dict) -> go.Figure:
    """Cumulative notified, reached, engaged and remedied customers per local day; affected dashed."""
    days = daily["day"].to_list()
    fig = go.Figure()
    total = daily["affected_customers"].to_list()
    fig.add_scatter(
        x=days,
        y=total,
        name=FUNNEL_LABELS["affected_customers"],
        mode="lines",
        line=dict(color=FUNNEL_COLORS["affected_customers"], dash="dash"),
        hovertemplate="%{x|%a %d %b}: %{y} affected<extra></extra>",
    )
    for key in ("notified", "reached", "engaged", "remedied"):
        fig.add_scatter(
            x=days,
            y=daily[key].to_list(),
            name=FUNNEL_LABELS[key],
            mode="lines",
            line=dict(color=FUNNEL_COLORS[key], width=2.5),
            customdata=[k / a if a else None for k, a in zip(daily[key], total, strict=True)],
            hovertemplate="%{x|%a %d %b}: %{y} " + key + " (%{customdata:.1%})<extra></extra>",
        )
    fig.update_layout(height=360, margin=_MARGIN, legend=_LEGEND, yaxis_title="customers", hovermode="x unified")
    moving = daily.filter(
        pl.any_horizontal(pl.col(k).diff() != 0 for k in ("notified", "reached", "engaged", "remedied"))
    )
    if moving.height and days:  # open on the weeks where something happened; zoom out for the rest
        fig.update_xaxes(range=[days[0] - timedelta(days=1), min(days[-1], moving["day"][-1] + timedelta(days=14))])
    return phase_marks(fig, recall, days)


def hours_histogram(bins: pl.DataFrame, summary: dict) -> go.Figure:
    """Customers per bin of hours from the announcement to the first notification (bins from
    metrics.time_to_notify); median and P90 marked."""
    fig = go.Figure(
        go.Bar(
            x=[(a + b) / 2 for a, b in zip(bins["bin_start_h"], bins["bin_end_h"], strict=True)],
            y=bins["customers"].to_list(),
            width=[b - a for a, b in zip(bins["bin_start_h"], bins["bin_end_h"], strict=True)],
            customdata=list(zip(bins["bin_start_h"].to_list(), bins["bin_end_h"].to_list(), strict=True)),
            marker_color="#72b7b2",
            hovertemplate="%{customdata[0]:.1f}–%{customdata[1]:.1f} h: %{y} customers<extra></extra>",
        )
    )
    for key, label in (("median_h", "median"), ("p90_h", "P90")):
        if summary.get(key) is not None:
            fig.add_vline(
                x=summary[key],
                line_dash="dash",
                line_color="#333",
                annotation_text=f"{label} {summary[key]:.1f} h",
                annotation_position="top right",
                annotation_font_size=11,
            )
    fig.update_layout(
        height=340, margin=_MARGIN, xaxis_title="hours after the announcement", yaxis_title="customers", bargap=0.05
    )
    return fig
