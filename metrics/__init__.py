"""Metrics: pure functions over the store, returning polars frames or plain values.

Every function takes a DuckDB connection, a recall id, ``as_of`` (naive UTC) and options, and
states its rule in its module docstring. The grain is ``phase`` (docs/phases.md#bounds, plus ``all``) or
``day`` (local calendar day in the recall's zone).
"""

from metrics.base import NO_FILTERS, Filters, Options, as_utc, ratio, wilson
from metrics.coverage import coverage
from metrics.csat import csat
from metrics.fcr import fcr
from metrics.handling import handle_time
from metrics.outreach import (
    coverage_as_of,
    coverage_daily,
    time_to_notify,
    time_to_notify_summary,
    unreachable_customers,
)
from metrics.repeats import channel_switches, repeat_reasons
from metrics.report import build_report, recall_ids
from metrics.service import service_level
from metrics.tickets import backlog, ticket_times
from metrics.volume import affected_units, contact_rate, volume

__all__ = [
    "NO_FILTERS",
    "Filters",
    "Options",
    "affected_units",
    "as_utc",
    "backlog",
    "build_report",
    "contact_rate",
    "coverage",
    "csat",
    "fcr",
    "handle_time",
    "ratio",
    "recall_ids",
    "service_level",
    "ticket_times",
    "volume",
    "wilson",
    "channel_switches",
    "coverage_as_of",
    "coverage_daily",
    "repeat_reasons",
    "time_to_notify",
    "time_to_notify_summary",
    "unreachable_customers",
]
