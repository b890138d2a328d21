"""Metrics: pure functions over the store, returning polars frames or plain values.

Every metric function takes a DuckDB connection and a :class:`Scope` (recall, ``as_of`` in naive
UTC, options, filters), and states its rule in its module docstring; metrics/catalog.py declares
each metric's label, unit, direction, target and rule once. The grain is ``phase`` (docs/phases.md#bounds,
plus ``all``) or ``day`` (local calendar day in the recall's zone).
"""

from metrics.base import NO_FILTERS, Filters, Options, Scope, as_utc, ratio, wilson
from metrics.coverage import correction_rate, coverage, coverage_shares, funnel_outside
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
from metrics.tickets import backlog, backlog_at, ticket_times
from metrics.volume import affected_units, contact_rate, contact_rates, contacts_today, volume

__all__ = [
    "NO_FILTERS",
    "Filters",
    "Options",
    "Scope",
    "affected_units",
    "as_utc",
    "backlog",
    "backlog_at",
    "build_report",
    "contact_rate",
    "contact_rates",
    "contacts_today",
    "correction_rate",
    "coverage",
    "coverage_shares",
    "csat",
    "funnel_outside",
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
