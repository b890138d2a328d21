"""Plotly figures. One colour per channel everywhere (CHANNEL_COLORS)."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

CHANNEL_COLORS = {
    "phone": "#1f77b4",
    "email": "#ff7f0e",
    "chat": "#2ca02c",
    "whatsapp": "#25d366",
    "sms": "#9467bd",
    "social": "#e377c2",
    "web": "#8c564b",
}
FUNNEL_LABELS = {
    "affected_customers": "Affected customers",
    "notified": "Notified",
    "reached": "Reached",
    "engaged": "Engaged",
    "remedied": "Remedied",
}


def volume_by_day(daily: pl.DataFrame, recall: dict) -> go.Figure:
    """Stacked bars of inbound contacts per local day and channel, phase starts marked."""
    fig = go.Figure()
    per_channel = daily.filter(pl.col("channel") != "all")
    for channel in sorted(per_channel["channel"].unique()):
        rows = per_channel.filter(pl.col("channel") == channel)
        fig.add_bar(
            x=rows["day"].to_list(),
            y=rows["contacts"].to_list(),
            name=channel,
            marker_color=CHANNEL_COLORS.get(channel, "#7f7f7f"),
            hovertemplate="%{x|%a %d %b}: %{y} " + channel + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", height=360, margin=dict(l=10, r=10, t=30, b=10), legend_title="Channel")
    marks = {
        "Announced": recall["announced_at"],
        "Ongoing": recall["ongoing_from"],
        "Closed": recall.get("closed_at"),
    }
    for label, at in marks.items():
        if at is not None:
            day = at.date() if hasattr(at, "date") else at
            fig.add_vline(x=day - timedelta(hours=12), line_dash="dot", line_color="#888")
            fig.add_annotation(x=day, y=1.02, yref="paper", text=label, showarrow=False, font_size=11)
    return fig


def coverage_funnel(coverage: dict) -> go.Figure:
    """Affected → notified → reached → engaged → remedied (customers)."""
    keys = list(FUNNEL_LABELS)
    fig = go.Figure(
        go.Funnel(
            y=[FUNNEL_LABELS[k] for k in keys],
            x=[coverage[k] for k in keys],
            textinfo="value+percent initial",
            marker_color=["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518"],
        )
    )
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10))
    return fig
