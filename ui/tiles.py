"""KPI tiles (``st.metric``) drawn from the metric catalog: the value in the metric's unit, the
small-sample rule (metrics/units.py), a delta against a named comparison coloured by the metric's
direction, and the metric's rule as help."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import streamlit as st

from metrics import Options
from metrics.catalog import Metric, Reading
from metrics.scope import PHASE_LABELS, PHASES
from metrics.units import Target, sample, tone
from metrics.verdict import per_day, shown

DELTA_COLOR = {"higher": "normal", "lower": "inverse"}  # st.metric: normal = green when up


TILE_CSS = """<style>
[class*="st-key-tile_green_"] {border-left: 6px solid #16a34a; background: rgba(22, 163, 74, 0.08);}
[class*="st-key-tile_amber_"] {border-left: 6px solid #d97706; background: rgba(217, 119, 6, 0.10);}
[class*="st-key-tile_red_"] {border-left: 6px solid #dc2626; background: rgba(220, 38, 38, 0.09);}
[class*="st-key-tile_"] {border-radius: 0.5rem; padding: 0.2rem 0.6rem;}
</style>"""
STATUS = {"green": "on target", "amber": "near target", "red": "off target"}


def style() -> None:
    """The frames of target-coloured tiles (once per page, before the tiles)."""
    st.markdown(TILE_CSS, unsafe_allow_html=True)


def tile(
    metric: Metric,
    reading: Reading,
    options: Options,
    previous: Reading | None = None,
    versus: str | None = None,
    label: str | None = None,
    help_text: str | None = None,
    target: Target | None = None,
    days: tuple[float | None, float | None] | None = None,
    waiting: bool = False,
) -> None:
    """One st.metric: hidden below 5, flagged below 30; the change from ``previous`` (labelled
    "vs ``versus``") green when it is good news for this metric, red when bad, grey otherwise, its
    arrow by its sign. ``label``/``help_text`` replace the catalog's title and rule. With a
    ``target`` the tile is framed in its colour (and the help says which); with ``days`` (the
    lengths of the two phases compared) a count's change is per day (metrics/verdict.py).
    ``waiting``: the change is still being read: "…" holds its place (a draft, drawn again with
    the change in the same run; its frame's key ends ``_draft``)."""
    value, before = shown(metric, reading), shown(metric, previous)
    small = metric.sampled and sample(reading.n) == "small" and value is not None
    daily = days is not None and metric.unit.id == "count"
    if daily:
        value_d, before_d = per_day(metric, value, days[0]), per_day(metric, before, days[1])
        delta = value_d - before_d if value_d is not None and before_d is not None else None
        text = None if delta is None else "±0 a day" if abs(delta) < 0.05 else f"{delta:+,.1f} a day"
    else:
        delta = value - before if value is not None and before is not None else None
        text = None if delta is None else metric.unit.format_delta(delta)
    still = delta is None or (abs(delta) < 0.05 if daily else metric.unit.unchanged(delta))
    good = "neutral" if still or metric.better is None else tone(metric.better, delta, metric.unit)
    if daily and not still and metric.better is not None:  # tone() rounds counts to whole ones
        good = "better" if (delta > 0) == (metric.better == "higher") else "worse"
    pointing = "off" if still else "up" if delta > 0 else "down"
    colour = target.colour(value) if target is not None else None
    status = ""
    if colour:
        sign = "≥" if target.higher_is_better else "≤"
        status = f"{STATUS[colour]} (target {sign} {metric.unit.format_target(target.green)}) · "
    with st.container(key=f"tile_{colour or 'none'}_{metric.id}" + ("_draft" if waiting else "")):
        st.metric(
            (label or metric.title(options)) + (" (small sample)" if small else ""),
            metric.unit.format(value),
            delta="…" if waiting else text,
            delta_color="off" if good == "neutral" else DELTA_COLOR[metric.better],
            delta_arrow=pointing,
            delta_description=(f"since {versus}" if versus == "yesterday" else f"vs {versus}")
            if (delta is not None or waiting) and versus
            else None,
            help=status + (help_text or metric.rule(options)) + (f" · n={reading.n}" if reading.n is not None else ""),
        )


def previous_phase(phase: str) -> str | None:
    if phase not in PHASES or phase == PHASES[0]:
        return None
    return PHASES[PHASES.index(phase) - 1]


def skeleton(metrics: Sequence[Metric], phase: str, options: Options) -> None:
    """The places of :func:`phase_tiles` before any number is read: each tile's label over "…"
    (and "…" where its change goes), framed in grey (keys ``tile_none_<id>_soon``). Drawn first,
    the page keeps its layout while the numbers are read, and the browser fetches the tiles' code
    meanwhile instead of after the numbers (docs/benchmarks-browser.md, "Issue 19, eleventh pass")."""
    style()
    changes = phase == "all" or previous_phase(phase) is not None
    for col, metric in _grid(metrics):
        with col, st.container(key=f"tile_none_{metric.id}_soon"):
            st.metric(metric.title(options), "…", delta="…" if changes else None, delta_color="off", delta_arrow="off")


def _grid(metrics: Sequence[Metric]) -> Iterator[tuple[Any, Metric]]:
    """(column, metric) of each tile: two rows (or more, four tiles a row at least)."""
    per_row = max(4, -(-len(metrics) // 2))
    for start in range(0, len(metrics), per_row):
        yield from zip(st.columns(per_row), metrics[start : start + per_row], strict=False)


def phase_tiles(
    metrics: Sequence[Metric],
    result_of: Callable[[Metric], Any],
    phase: str,
    options: Options,
    targets: Mapping[str, Target | None] | None = None,
    yesterday_of: Callable[[Metric], Any] | None = None,
    days: Mapping[str, float | None] | None = None,
    waiting: bool = False,
) -> None:
    """Two rows (or more, four tiles a row at least) of tiles for ``phase``, framed in their
    target colour (``targets``). The change shown: for the whole recall (``all``), since yesterday
    (``yesterday_of(metric)``: the result at ``as_of − 24 h``); for one phase, from the phase before
    it, counts per day of each phase (``days``: metrics.verdict.phase_days).
    ``result_of(metric)`` is the metric's computed frame (every phase). ``waiting`` (with ``all``):
    a draft whose changes since yesterday are still being read (:func:`tile`)."""
    style()
    before = previous_phase(phase)
    for col, metric in _grid(metrics):
        result = result_of(metric)
        target = (targets or {}).get(metric.id)
        with col:
            if phase == "all" and waiting:
                previous, versus, lengths = None, "yesterday", None
            elif phase == "all" and yesterday_of is not None:
                previous, versus, lengths = metric.reading(yesterday_of(metric), phase), "yesterday", None
            elif before:
                previous, versus = metric.reading(result, before), PHASE_LABELS[before]
                lengths = (days.get(phase), days.get(before)) if days else None
            else:
                previous, versus, lengths = None, None, None
            tile(
                metric,
                metric.reading(result, phase),
                options,
                previous,
                versus,
                target=target,
                days=lengths,
                waiting=waiting and phase == "all",
            )
