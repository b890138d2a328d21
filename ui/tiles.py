"""KPI tiles (``st.metric``) drawn from the metric catalog: the value in the metric's unit, the
small-sample rule (metrics/units.py), a delta against a named comparison coloured by the metric's
direction, and the metric's rule as help."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from metrics import Options
from metrics.catalog import Metric, Reading
from metrics.scope import PHASE_LABELS, PHASES
from metrics.units import arrow, sample, tone

DELTA_COLOR = {"higher": "normal", "lower": "inverse"}  # st.metric: normal = green when up


def shown(metric: Metric, reading: Reading | None) -> float | None:
    """The value a tile may show: none below the small-sample floor."""
    if reading is None or (metric.sampled and sample(reading.n) == "hidden"):
        return None
    return reading.value


def tile(
    metric: Metric,
    reading: Reading,
    options: Options,
    previous: Reading | None = None,
    versus: str | None = None,
    label: str | None = None,
    help_text: str | None = None,
) -> None:
    """One st.metric: hidden below 5, flagged below 30; the change from ``previous`` (labelled
    "vs ``versus``") green when it is good news for this metric, red when bad, grey otherwise, its
    arrow by its sign. ``label``/``help_text`` replace the catalog's title and rule."""
    value, before = shown(metric, reading), shown(metric, previous)
    small = metric.sampled and sample(reading.n) == "small" and value is not None
    delta = value - before if value is not None and before is not None else None
    good = tone(metric.better, delta, metric.unit)
    st.metric(
        (label or metric.title(options)) + (" (small sample)" if small else ""),
        metric.unit.format(value),
        delta=None if delta is None else metric.unit.format_delta(delta),
        delta_color="off" if good == "neutral" else DELTA_COLOR[metric.better],
        delta_arrow=arrow(delta, metric.unit),
        delta_description=f"vs {versus}" if delta is not None and versus else None,
        help=(help_text or metric.rule(options)) + (f" · n={reading.n}" if reading.n is not None else ""),
    )


def previous_phase(phase: str) -> str | None:
    if phase not in PHASES or phase == PHASES[0]:
        return None
    return PHASES[PHASES.index(phase) - 1]


def phase_tiles(metrics: Sequence[Metric], result_of: Callable[[Metric], Any], phase: str, options: Options) -> None:
    """Two rows (or more, four tiles a row at least) of tiles for ``phase``, each with its change
    from the phase before it; ``result_of(metric)`` is the metric's computed frame (every phase)."""
    before = previous_phase(phase)
    per_row = max(4, -(-len(metrics) // 2))
    for start in range(0, len(metrics), per_row):
        cols = st.columns(per_row)
        for col, metric in zip(cols, metrics[start : start + per_row], strict=False):
            result = result_of(metric)
            with col:
                tile(
                    metric,
                    metric.reading(result, phase),
                    options,
                    metric.reading(result, before) if before else None,
                    PHASE_LABELS[before] if before else None,
                )
