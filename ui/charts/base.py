"""Shared chart pieces: one colour per channel everywhere, phase marks, target lines."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go

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


FUNNEL_COLORS = dict(zip(FUNNEL_LABELS, ["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518"], strict=True))


GREY = "#b0b0b0"


HIDE_BELOW_N = 5


GREY_BELOW_N = 30


_MARGIN = dict(l=10, r=10, t=56, b=10)


_LEGEND = dict(orientation="h", yanchor="bottom", y=1.1, x=0, title=None, traceorder="normal")


def _local_day(at, tz: str):
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()


def phase_marks(fig: go.Figure, recall: dict, days: list, phase: str = "all") -> go.Figure:
    """Dotted lines at the phase starts that fall within ``days`` (local dates on the x axis),
    and the selected ``phase`` shaded."""
    if not days:
        return fig
    lo, hi = min(days), max(days)
    a = recall["announced_at"]
    starts = {
        "day_one": a,
        "during": a + timedelta(hours=24),
        "ongoing": recall.get("ongoing_from") or a + timedelta(hours=168),
        "after": recall.get("closed_at"),
    }
    labels = {"day_one": "Announced", "during": "", "ongoing": "Ongoing", "after": "Closed"}
    shifts = {"ongoing": 14}  # Announced and Ongoing are a week apart: keep their labels apart
    edges = {k: _local_day(v, recall["timezone"]) for k, v in starts.items() if v is not None}
    for key, day in edges.items():
        if lo <= day <= hi:
            fig.add_vline(x=day - timedelta(hours=12), line_dash="dot", line_color="#888", line_width=1)
            if labels[key]:
                fig.add_annotation(
                    x=day - timedelta(hours=12),
                    y=1.0,
                    yref="paper",
                    yanchor="bottom",
                    yshift=shifts.get(key, 0),
                    text=labels[key],
                    showarrow=False,
                    font_size=11,
                    xanchor="left",
                )
    if phase != "all":
        order = ["pre_announcement", "day_one", "during", "ongoing", "after"]
        start = edges.get(phase, lo) if phase != "pre_announcement" else lo
        nxt = order[order.index(phase) + 1] if phase != "after" else None
        end = edges.get(nxt, hi + timedelta(days=1)) if nxt else hi + timedelta(days=1)
        fig.add_vrect(
            x0=max(start, lo) - timedelta(hours=12),
            x1=min(end, hi + timedelta(days=1)) - timedelta(hours=12),
            fillcolor="#999",
            opacity=0.12,
            line_width=0,
            layer="below",
        )
    return fig


def _target_line(fig: go.Figure, target, label: str, scale: float = 1.0, row_kw: dict | None = None) -> None:
    if target is None:
        return
    fig.add_hline(
        y=target.green * scale,
        line_dash="dash",
        line_color="#2e7d32",
        line_width=1,
        annotation_text=label,
        annotation_position="top left",
        annotation_font_size=11,
        **(row_kw or {}),
    )
