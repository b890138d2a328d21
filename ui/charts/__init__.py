"""Plotly figures for the pages. One colour per channel everywhere (CHANNEL_COLORS).

Pages use ``from ui import charts`` and ``charts.<figure>(...)``."""

from ui.charts.base import CHANNEL_COLORS, FUNNEL_COLORS, FUNNEL_LABELS, GREY, GREY_BELOW_N, HIDE_BELOW_N, phase_marks
from ui.charts.coverage import coverage_funnel, coverage_over_time, coverage_rates, funnel_notes, hours_histogram
from ui.charts.handling import (
    backlog_lines,
    channel_mix,
    channel_volume,
    handle_time_bars,
    service_by_day,
    ticket_times_bars,
)
from ui.charts.quality import csat_by_channel, rate_by_day, rate_by_phase, reasons_bars, switch_matrix

__all__ = [
    "CHANNEL_COLORS",
    "FUNNEL_LABELS",
    "FUNNEL_COLORS",
    "GREY",
    "HIDE_BELOW_N",
    "GREY_BELOW_N",
    "phase_marks",
    "channel_volume",
    "channel_mix",
    "handle_time_bars",
    "service_by_day",
    "backlog_lines",
    "ticket_times_bars",
    "rate_by_phase",
    "rate_by_day",
    "csat_by_channel",
    "reasons_bars",
    "switch_matrix",
    "coverage_funnel",
    "funnel_notes",
    "coverage_rates",
    "coverage_over_time",
    "hours_histogram",
]
