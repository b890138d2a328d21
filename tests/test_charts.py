"""Chart marks (ui/charts/base.py): phase lines and target lines land in every subplot they
should, where plotly's own add_vline / add_hline would put them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics import Options
from metrics.catalog import CATALOG
from metrics.coverage import FUNNEL
from metrics.units import Target
from ui.charts.base import _target_line, phase_marks
from ui.charts.coverage import coverage_funnel

RECALL = {"announced_at": datetime(2026, 3, 2, 14), "timezone": "America/Chicago", "closed_at": None}
DAYS = [date(2026, 2, 26) + timedelta(days=i) for i in range(20)]


def two_rows() -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    fig.add_bar(x=DAYS, y=list(range(20)), row=1, col=1)
    fig.add_bar(x=DAYS, y=list(range(20)), row=2, col=1)
    return fig


def refs(fig: go.Figure, kind: str) -> list[tuple]:
    return sorted((s.xref, s.yref, s.x0) for s in fig.layout.shapes if s.type == kind)


def test_phase_lines_and_the_shaded_phase_are_in_every_subplot_with_labels_above_the_first():
    fig = phase_marks(two_rows(), RECALL, DAYS, phase="during")
    # Announced (day one: 2 March local), during (3 March), ongoing (9 March); no close.
    lines = [(x, y, d) for x, y, d in refs(fig, "line")]
    assert lines == sorted(
        (x, y, d) for x, y in (("x", "y domain"), ("x2", "y2 domain")) for d in DAYS[4:5] + DAYS[5:6] + DAYS[11:12]
    )
    assert refs(fig, "rect") == [("x", "y domain", DAYS[5]), ("x2", "y2 domain", DAYS[5])]  # during: 3 → 9 March
    labels = {(a.text, a.xref, a.yref) for a in fig.layout.annotations}
    assert labels == {("Announced", "x", "paper"), ("Ongoing", "x", "paper")}


def test_a_target_line_matches_plotlys_add_hline():
    target = Target(green=0.8, amber=0.6)
    ours, theirs = two_rows(), two_rows()
    _target_line(ours, target, "SL target 80%", row_kw=dict(row=2, col=1))
    theirs.add_hline(y=0.8, line_dash="dash", line_color="#2e7d32", line_width=1, annotation_text="SL target 80%",
                     annotation_position="top left", annotation_font_size=11, row=2, col=1)  # fmt: skip
    assert ours.layout.shapes == theirs.layout.shapes
    assert ours.layout.annotations == theirs.layout.annotations
    single = go.Figure(go.Bar(x=[1], y=[1]))
    _target_line(single, target, "target", scale=100)
    assert [(s.xref, s.yref, s.y0) for s in single.layout.shapes] == [("x domain", "y", 80.0)]


def test_the_coverage_stages_are_bars_against_affected_with_their_definitions_and_a_note_when_not_nested():
    """Engaged (2,105) above reached (1,643), as in the issue: each bar is measured against the
    affected customers, not drawn inside the bar above, and the chart says which stage is not a
    subset of the one before and by how many customers."""
    funnel = {"affected_customers": 4000, "notified": 3900, "reached": 1643, "engaged": 2105, "remedied": 900}
    fig = coverage_funnel(funnel, {"notified": 0, "reached": 12, "engaged": 700, "remedied": 0})
    (bars,) = fig.data
    assert bars.type == "bar" and list(bars.x) == [4000, 3900, 1643, 2105, 900]
    assert list(bars.text) == ["4,000 · 100%", "3,900 · 98%", "1,643 · 41%", "2,105 · 53%", "900 · 22%"]
    assert list(bars.customdata) == [CATALOG[k].rule(Options()) for k in FUNNEL]
    assert "calls us" in bars.customdata[3] or "unprompted" in bars.customdata[3]
    notes = [a.text for a in fig.layout.annotations]
    assert notes == [
        "Reached is not a subset of notified: 12 reached customers were not notified.",
        "Engaged is not a subset of reached: 700 engaged customers were not reached.",
    ]
    assert not coverage_funnel(funnel, {"notified": 0, "reached": 0, "engaged": 0, "remedied": 0}).layout.annotations
