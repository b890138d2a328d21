"""Shared chart pieces: one colour per channel everywhere, phase marks, target lines."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go

from documents.palette import CHANNEL_COLORS, FUNNEL_COLORS
from metrics.catalog import CATALOG
from metrics.coverage import FUNNEL
from metrics.scope import PHASES, phase_bounds
from metrics.units import GREY_BELOW_N, HIDE_BELOW_N

__all__ = ["CHANNEL_COLORS", "FUNNEL_COLORS", "FUNNEL_LABELS", "GREY", "GREY_BELOW_N", "HIDE_BELOW_N", "phase_marks"]


FUNNEL_LABELS = {k: CATALOG[k].label for k in FUNNEL}  # the coverage stages, in order
GREY = "#b0b0b0"  # a rate on a small sample (metrics/units.py)


_MARGIN = dict(l=10, r=10, t=56, b=10)


_LEGEND = dict(orientation="h", yanchor="bottom", y=1.1, x=0, title=None, traceorder="normal")


def _local_day(at, tz: str):
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()


def _subplots(fig: go.Figure) -> list[tuple[str, str]]:
    """(xref, yref) of each subplot's axes: ``[("x", "y")]``, or ``("x2", "y2")``… for subplots."""
    layout = fig.layout.to_plotly_json()
    names = sorted((k for k in layout if k.startswith("xaxis")), key=lambda k: int(k[5:] or 1))
    pairs = [("x" + k[5:], layout[k].get("anchor") or "y" + k[5:]) for k in names]
    return pairs or [("x", "y")]


def phase_marks(fig: go.Figure, recall: dict, days: list, phase: str = "all") -> go.Figure:
    """Dotted lines at the phase starts that fall within ``days`` (local dates on the x axis), in
    every subplot, labelled above the first; and the selected ``phase`` shaded."""
    _add_marks(fig, *phase_mark_items(fig, recall, days, phase))
    return fig


def phase_mark_items(fig: go.Figure, recall: dict, days: list, phase: str = "all") -> tuple[list[dict], list[dict]]:
    """(shapes, annotations) that :func:`phase_marks` adds, for a chart adding other marks too."""
    if not days:
        return [], []
    lo, hi = min(days), max(days)
    starts = {p: start for p, (start, _) in phase_bounds(recall).items() if p != PHASES[0]}
    labels = {"day_one": "Announced", "during": "", "ongoing": "Ongoing", "after": "Closed"}
    shifts = {"ongoing": 14}  # Announced and Ongoing are a week apart: keep their labels apart
    edges = {k: _local_day(v, recall["timezone"]) for k, v in starts.items() if v is not None}
    axes = _subplots(fig)
    shapes, notes = [], []
    for key, day in edges.items():
        if lo <= day <= hi:
            x = day - timedelta(hours=12)
            mark = dict(type="line", x0=x, x1=x, y0=0, y1=1, line=dict(dash="dot", color="#888", width=1))
            shapes += [dict(mark, xref=xr, yref=f"{yr} domain") for xr, yr in axes]
            if labels[key]:
                notes.append(
                    dict(x=x, y=1.0, xref=axes[0][0], yref="paper", yanchor="bottom", yshift=shifts.get(key, 0),
                         text=labels[key], showarrow=False, font=dict(size=11), xanchor="left")
                )  # fmt: skip
    if phase != "all":
        start = edges.get(phase, lo) if phase != PHASES[0] else lo
        nxt = PHASES[PHASES.index(phase) + 1] if phase != PHASES[-1] else None
        end = edges.get(nxt, hi + timedelta(days=1)) if nxt else hi + timedelta(days=1)
        x0 = max(start, lo) - timedelta(hours=12)
        x1 = min(end, hi + timedelta(days=1)) - timedelta(hours=12)
        shade = dict(type="rect", x0=x0, x1=x1, y0=0, y1=1, fillcolor="#999", opacity=0.12, line_width=0, layer="below")
        shapes += [dict(shade, xref=xr, yref=f"{yr} domain") for xr, yr in axes]
    return shapes, notes


def _add_marks(fig: go.Figure, shapes: list[dict], notes: list[dict]) -> None:
    """Append shapes and annotations in one layout update (``add_vline``/``add_hline`` per line and
    subplot cost ~40 ms each; each update validates every shape again: a chart with several kinds
    of marks collects them first, :func:`phase_mark_items`, :func:`target_items`)."""
    if shapes or notes:
        fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *notes])


def target_label(metric_id: str, target) -> str:
    """ "FCR target 70%": the metric's short name and its green threshold in its unit."""
    m = CATALOG[metric_id]
    return f"{m.short or m.label} target {m.unit.format(target.green)}"


def _target_line(fig: go.Figure, target, label: str, scale: float = 1.0, row_kw: dict | None = None) -> None:
    """A dashed green line at the target (``target.green × scale``), labelled at its top left, in
    subplot ``row_kw["row"]`` or in every subplot (as ``add_hline`` draws it, in one layout update)."""
    _add_marks(fig, *target_items(fig, target, label, scale, row_kw))


def target_items(
    fig: go.Figure, target, label: str, scale: float = 1.0, row_kw: dict | None = None
) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations) that :func:`_target_line` adds; none for no target."""
    if target is None:
        return [], []
    axes = _subplots(fig)
    if row_kw:
        axes = [axes[row_kw["row"] - 1]]
    y = target.green * scale
    line = dict(type="line", x0=0, x1=1, y0=y, y1=y, line=dict(color="#2e7d32", dash="dash", width=1))
    note = dict(text=label, x=0, xanchor="left", y=y, yanchor="bottom", showarrow=False, font=dict(size=11))
    refs = [dict(xref=f"{xr} domain", yref=yr) for xr, yr in axes]
    return [{**line, **r} for r in refs], [{**note, **r} for r in refs]
