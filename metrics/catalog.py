"""Every metric, declared once: its name, unit, which way is better, its rule (built from the
current options), its default target, the function computing it and the grains it supports.

Tiles (Overview, Stand-up), chart and table labels, downloads, the report JSON's field names and
Settings' target form all read these entries; docs/metrics.md explains the rules at length.
Adding a metric is one entry here, one function computing it (metrics/<topic>.py), one test row
and its section of docs/metrics.md (docs/architecture.md, "Add a metric").

An entry's ``compute(con, scope, grain)`` returns a frame with a row per bucket (``grain`` =
``phase``: every phase and ``all``; ``day``: each local day) or, for the grain ``now``,
``compute(con, scope)`` one row at ``scope.as_of``. ``value``, ``n`` (its denominator, the
sample the small-sample rule looks at) and ``extra`` (a second figure a tile shows) name columns
of that frame; ``select`` picks the rows that hold the metric (``channel = all``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from metrics.base import Options, Scope
from metrics.coverage import coverage, coverage_shares
from metrics.csat import csat
from metrics.fcr import fcr
from metrics.handling import handle_time, handle_time_mean
from metrics.outreach import time_to_notify_summary
from metrics.repeats import fcr_and_repeats, repeat_rate
from metrics.service import service_level
from metrics.tickets import AGED_AFTER_H, backlog_at, ticket_times
from metrics.units import COUNT, HOURS, PCT, PER_1000, SECONDS, Better, Target, Unit
from metrics.volume import contact_rates, contacts_today, volume
from store import settings

GRAINS = ("phase", "day", "now")
# The stand-up's window of a tile (metrics/today.py): "today" (the stand-up day so far), "closed_day"
# (contacts of the newest local day whose repeat windows have all closed), "now" (a figure at the
# report time: contacts today, backlog, coverage).
WINDOWS = ("today", "closed_day", "now", "phase")
SURFACES = ("overview", "standup")  # where a metric is a tile


@dataclass(frozen=True)
class Reading:
    """A metric's figures in one bucket: the value, its denominator and the tile's second figure."""

    value: float | None
    n: int | None = None
    extra: float | None = None


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: Unit
    better: Better  # "higher", "lower", or None: neither (a count of demand)
    rule: Callable[[Options], str]  # the exact formula, in words, for these options
    compute: Callable[..., Any]
    value: str
    n: str | None = None
    extra: str | None = None
    extra_unit: Unit = COUNT
    grains: tuple[str, ...] = ("phase", "day")
    select: tuple[tuple[str, str], ...] = ()
    target: Target | None = None  # the default; Settings can change it
    targetable: bool = False  # Settings offers a target (every metric with a default one does)
    sampled: bool = True  # the small-sample rule applies (False: n is a whole population)
    qualifier: Callable[[Options], str] | None = None  # what the title adds in brackets: "20 s"
    short: str | None = None  # in narrow headers: "FCR"
    parts: Mapping[str, str] = field(default_factory=dict)  # other columns of the frame: header (options format)
    sub: str = "n = {n}"  # the wall tile's second line ({n}, {extra}, {extra_delta})
    report: str | None = None  # the field of the report JSON (docs/cli.md) holding it
    tiles: tuple[str, ...] = ()  # surfaces showing it as a tile, in catalog order
    window: str = "phase"  # the stand-up's main value (metrics/today.py): WINDOWS
    # Click-through (metrics/drill.py): which of ``c``'s rows (aliased ``k``) are behind the figure, an
    # SQL predicate with the fields {short} (short_abandon_s) and {eligible} (FCR eligibility); and
    # their ``outcome`` (SQL, fields {came_back}, {latest_satisfied}). None: no click-through.
    drill: str | None = None
    drill_outcome: str | None = None
    alert_days: int = 1  # the default alert rule's window (alerts/model.py): local days to date
    # Called instead of ``compute`` (same arguments) when only readings are wanted: a cheaper
    # function giving what :meth:`reading` needs — without the parts (AHT's quantiles), or this
    # metric's result stacked with others' from one query (a ``metric`` column names each one's rows).
    reads: Callable[..., Any] | None = None

    def title(self, options: Options) -> str:
        """The label with what the options make of it: "Service level (20 s)"."""
        return f"{self.label} ({self.qualifier(options)})" if self.qualifier else self.label

    def header(self, options: Options) -> str:
        """A table column's header: the title and, for times, the unit."""
        return self.unit.header(self.title(options))

    def measure(self, con: duckdb.DuckDBPyConnection, scope: Scope) -> Any:
        """The result tiles read: the phase grain when supported, else the value at ``as_of``."""
        return self.compute(con, scope, "phase") if "phase" in self.grains else self.compute(con, scope)

    def measure_args(self, scope: Scope) -> tuple:
        """``compute``'s arguments after the connection for :meth:`measure` (for cached calls)."""
        return (scope, "phase") if "phase" in self.grains else (scope,)

    @property
    def reader(self) -> Callable[..., Any]:
        """The function whose result :meth:`reading` takes when only readings are wanted (called with
        :meth:`measure_args`): ``reads``, else ``compute``."""
        return self.reads or self.compute

    def reading(self, result: pl.DataFrame | Mapping[str, Any], phase: str = "all") -> Reading:
        """The metric's figures in ``phase`` from ``compute``'s or ``reads``' result (a frame, or one row)."""
        if isinstance(result, pl.DataFrame):
            rows = result
            if "metric" in rows.columns:
                rows = rows.filter(pl.col("metric") == self.id)
            for column, wanted in self.select:
                rows = rows.filter(pl.col(column) == wanted)
            if "phase" in rows.columns:
                rows = rows.filter(pl.col("phase") == phase)
            if rows.height == 0:
                return Reading(None)
            row = rows.row(0, named=True)
        else:
            row = result
        return Reading(row[self.value], row[self.n] if self.n else None, row[self.extra] if self.extra else None)


def _days(options: Options) -> int:
    return options.fcr_window_h // 24


def _fcr_rule(o: Options) -> str:
    if o.fcr_method == "zendesk_one_touch":
        return (
            "Zendesk one-touch. Resolved: solved or closed Zendesk tickets with fewer than 2 agent replies, "
            "÷ solved or closed Zendesk tickets with a known reply count. Pending: Zendesk tickets not yet solved."
        )
    d = _days(o)
    return (
        f"Repeat-contact FCR, {d}-day window. Eligible: handled inbound contacts with a known customer whose "
        f"{d}-day window has closed. Resolved: not transferred, and the same customer made no other inbound "
        f"contact for this recall, on any channel, within {d} days. FCR = resolved ÷ eligible. "
        "Pending: windows still open."
    )


def _offered(o: Options) -> str:
    return f"(answered + abandoned after ≥ {o.short_abandon_s:g} s)"


_ALL = (("channel", "all"),)
# The contacts behind the figures (``drill``): offered calls; contacts with a CSAT response by as_of.
_OFFERED = "direction = 'inbound' AND channel = 'phone' AND (NOT is_abandoned OR wait_s >= {short})"
_ANSWERED = """EXISTS (SELECT 1 FROM csat s WHERE s.contact_h = k.key_h AND s.responded_at <= $as_of
    AND s.is_satisfied IS NOT NULL)"""

# fmt: off
METRICS: tuple[Metric, ...] = (
    # --- volume ---
    Metric("contacts_today", "Contacts today", COUNT, None, compute=contacts_today, value="contacts_today",
           extra="since_announcement", grains=("now",), sampled=False, tiles=("standup",),
           sub="{extra} since announcement ({extra_delta})",
           window="now",
           rule=lambda o: "Inbound contacts created today (the recall's time zone) up to now, abandoned calls "
           "included; below: since the announcement."),
    Metric("contacts", "Contacts", COUNT, None, compute=volume, value="contacts", select=_ALL, sampled=False,
           report="contacts", tiles=("overview",), drill="direction = 'inbound'",
           rule=lambda o: "Inbound contacts, abandoned calls included."),
    Metric("contacts_by_channel", "Contacts by channel", COUNT, None, compute=volume, value="contacts",
           sampled=False, report="by_channel", rule=lambda o: "Inbound contacts on each channel."),
    Metric("channel_mix", "Channel mix", PCT, None, compute=volume, value="share", sampled=False,
           report="channel_mix", rule=lambda o: "Each channel's contacts ÷ all inbound contacts in the bucket."),
    Metric("handled", "Handled", COUNT, None, compute=volume, value="handled", select=_ALL, sampled=False,
           report="handled", tiles=("overview",), drill="direction = 'inbound' AND NOT is_abandoned",
           rule=lambda o: "Inbound contacts that were not abandoned."),
    Metric("contact_rate", "Contact rate", PER_1000, None, compute=contact_rates, value="contact_rate",
           n="affected_units", sampled=False,
           rule=lambda o: "Inbound contacts per 1,000 affected units of the recall."),
    # --- phone service ---
    Metric("service_level", "Service level", PCT, "higher", compute=service_level, value="sl_rate", n="offered",
           target=Target(0.80, 0.70), targetable=True, qualifier=lambda o: f"{o.sl_threshold_s:g} s",
           short="SL", report="service_level", tiles=("overview", "standup"),
           parts={"offered": "offered", "answered": "answered", "answered_within": "answered ≤ {sl_threshold_s:g} s",
                  "abandoned": "abandoned ≥ {short_abandon_s:g} s", "short_abandons": "short abandons"},
           window="today", drill=_OFFERED,
           rule=lambda o: f"Phone: answered within {o.sl_threshold_s:g} s ÷ {_offered(o)}."),
    Metric("abandon_rate", "Abandon rate", PCT, "lower", compute=service_level, value="abandon_rate", n="offered",
           target=Target(0.05, 0.10, higher_is_better=False), targetable=True, report="abandon_rate",
           tiles=("overview", "standup"),
           window="today", drill=_OFFERED,
           rule=lambda o: f"Phone: abandoned after ≥ {o.short_abandon_s:g} s ÷ {_offered(o)}."),
    Metric("asa_s", "Avg speed of answer", SECONDS, "lower", compute=service_level, value="asa_s", n="offered",
           target=Target(30.0, 60.0, higher_is_better=False), targetable=True, short="ASA", report="asa_s",
           tiles=("overview", "standup"),
           window="today", drill=_OFFERED,
           rule=lambda o: "Phone: mean wait of answered calls with a known wait (n: offered calls)."),
    Metric("short_abandons", "Short abandons", COUNT, None, compute=service_level, value="short_abandons",
           sampled=False, qualifier=lambda o: "not counted",
           rule=lambda o: f"Phone calls abandoned within {o.short_abandon_s:g} s, or with no wait recorded: left "
           "out of service level and abandon rate."),
    # --- handling ---
    Metric("aht_s", "Avg handle time", SECONDS, "lower", compute=handle_time, value="mean_s", n="n", select=_ALL,
           targetable=True, short="AHT", report="aht_s", tiles=("overview",),
           reads=handle_time_mean,  # the mean without the quantiles, which cost most of the query
           parts={"median_s": "median (s)", "p90_s": "P90 (s)"},
           drill="direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL",
           rule=lambda o: "Mean handle time of handled contacts with a known handle time (calls: talk + hold + "
           "wrap; tickets and chats: tracked agent time). Never ticket age. Median and P90 beside it."),
    # --- quality ---
    Metric("fcr", "First contact resolution", PCT, "higher", compute=fcr, value="rate", n="n", extra="pending",
           reads=fcr_and_repeats,
           target=Target(0.70, 0.60), targetable=True, short="FCR", report="fcr", tiles=("overview", "standup"),
           sub="n = {n} · {extra} pending",
           parts={"resolved": "Resolved", "n": "Eligible", "pending": "Pending (window open)"}, window="closed_day",
           drill="{eligible}", alert_days=14,
           drill_outcome="CASE WHEN {came_back} THEN 'repeat' WHEN is_transferred THEN 'transferred' "
           "ELSE 'resolved' END",
           rule=_fcr_rule),
    Metric("repeat_rate", "Repeat-contact rate", PCT, "lower", compute=repeat_rate, value="rate", n="n",
           reads=fcr_and_repeats,
           short="Repeats", target=Target(0.20, 0.30, higher_is_better=False), targetable=True,
           tiles=("overview", "standup"), window="closed_day", alert_days=14,
           drill="{eligible}", drill_outcome="CASE WHEN {came_back} THEN 'repeat' ELSE 'no repeat' END",
           rule=lambda o: f"FCR-eligible contacts whose customer came back for this recall, on any channel, within "
           f"{_days(o)} days ÷ FCR-eligible contacts."),
    Metric("csat", "CSAT", PCT, "higher", compute=csat, value="rate", n="n", target=Target(0.85, 0.75),
           targetable=True, report="csat", tiles=("overview", "standup"),
           parts={"satisfied": "satisfied", "n": "responses", "ci_low": "95 % CI low", "ci_high": "95 % CI high"},
           window="today", alert_days=7, drill=_ANSWERED,
           drill_outcome="CASE WHEN {latest_satisfied} THEN 'satisfied' ELSE 'not satisfied' END",
           rule=lambda o: "Satisfied (4–5 of 5, or good) ÷ responses about the recall's contacts; 0–10 answers "
           "(NPS) are left out. With a 95 % Wilson interval."),
    # --- tickets ---
    Metric("first_reply_s", "First reply time", SECONDS, "lower", compute=ticket_times, value="frt_median_s",
           n="frt_n", qualifier=lambda o: "median",
           parts={"frt_p90_s": "first reply P90 (s)", "frt_n": "tickets replied to"},
           rule=lambda o: "Tickets: first reply − creation of inbound tickets replied to (calendar time)."),
    Metric("resolution_s", "Resolution time", SECONDS, "lower", compute=ticket_times, value="resolution_median_s",
           n="resolution_n", qualifier=lambda o: "median",
           parts={"resolution_p90_s": "resolution P90 (s)", "resolution_n": "tickets resolved"},
           rule=lambda o: "Tickets: resolution − creation of inbound tickets resolved (calendar time)."),
    Metric("backlog", "Open backlog", COUNT, "lower", compute=backlog_at, value="open_tickets",
           extra="aged_tickets", grains=("now",), sampled=False, tiles=("standup",),
           sub=f"aged &gt; {AGED_AFTER_H} h: {{extra}} ({{extra_delta}})",
           parts={"open_tickets": "open", "aged_tickets": f"open > {AGED_AFTER_H} h"},
           window="now",
           rule=lambda o: f"Tickets (contacts on channels other than phone) created and not yet resolved; aged: "
           f"created more than {AGED_AFTER_H} h before."),
    # --- coverage of affected customers (a census of the registry, not a sample) ---
    Metric("affected_customers", "Affected customers", COUNT, None, compute=coverage, value="affected_customers",
           grains=("now",), sampled=False, report="affected_customers",
           rule=lambda o: "Distinct owners in the recall's registry (customer ref, else email, else phone); "
           "units with no known owner count only as units."),
    Metric("notified", "Notified", COUNT, "higher", compute=coverage, value="notified", grains=("now",),
           sampled=False, report="notified",
           rule=lambda o: "Affected customers with at least one outreach attempt, of any status (failed and "
           "bounced included)."),
    Metric("reached", "Reached", COUNT, "higher", compute=coverage, value="reached", grains=("now",),
           sampled=False, report="reached",
           rule=lambda o: "Affected customers with an attempt delivered, read, opened or clicked, or an answered "
           "outbound call (sent alone is not reached)."),
    Metric("engaged", "Engaged", COUNT, "higher", compute=coverage, value="engaged", grains=("now",),
           sampled=False, report="engaged",
           rule=lambda o: "Affected customers who read, clicked or replied, or contacted us about the recall "
           "(an email open alone is not engagement; a customer who calls unprompted is engaged without "
           "being reached)."),
    Metric("remedied", "Remedied", COUNT, "higher", compute=coverage, value="remedied", grains=("now",),
           sampled=False, report="remedied",
           rule=lambda o: "Affected customers with the remedy completed on every one of their units."),
    Metric("affected_units", "Affected units", COUNT, None, compute=coverage, value="affected_units",
           grains=("now",), sampled=False, report="affected_units", rule=lambda o: "Units in the recall's registry."),
    Metric("remedied_units", "Units remedied", COUNT, "higher", compute=coverage, value="remedied_units",
           grains=("now",), sampled=False, report="remedied_units",
           rule=lambda o: "Units whose remedy was completed by the report time."),
    Metric("correction_rate", "Correction rate", PCT, "higher", compute=coverage_shares, value="correction_rate",
           n="affected_units", grains=("now",), sampled=False, rule=lambda o: "Remedied units ÷ affected units."),
    Metric("coverage", "Customers reached", PCT, "higher", compute=coverage_shares, value="reached_share",
           n="affected_customers", extra="remedied_share", extra_unit=PCT, grains=("now",), sampled=False,
           tiles=("standup",), sub="remedied {extra} of {n} affected",
           window="now",
           rule=lambda o: "Affected customers reached (an attempt delivered, read, opened or clicked, or an "
           "answered outbound call) ÷ affected customers; below: remedied ÷ affected customers."),
    Metric("time_to_notify_h", "Time to notify", HOURS, "lower", compute=time_to_notify_summary, value="median_h",
           n="n", grains=("now",), sampled=False, qualifier=lambda o: "median",
           parts={"n": "Notified customers", "median_h": "Median", "p90_h": "P90", "not_notified": "Not notified yet"},
           rule=lambda o: "Per affected customer: first outreach attempt (any status) − announcement, in hours."),
)
# fmt: on

CATALOG: dict[str, Metric] = {m.id: m for m in METRICS}


def on(surface: str) -> list[Metric]:
    """The metrics shown as tiles on ``surface`` (overview, standup), in catalog order."""
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {SURFACES}")
    return [m for m in METRICS if surface in m.tiles]


def targetable() -> list[Metric]:
    """The metrics Settings offers a target for, in catalog order."""
    return [m for m in METRICS if m.targetable]


def targets(con: duckdb.DuckDBPyConnection) -> dict[str, Target | None]:
    """Each targetable metric's target: the one saved in Settings (store/settings.py; ``None``
    saved: no target), else its default. The direction is always the metric's own."""
    stored = settings.get(con, "targets") or {}
    out: dict[str, Target | None] = {}
    for m in targetable():
        chosen = stored.get(m.id, m.target and {"green": m.target.green, "amber": m.target.amber})
        out[m.id] = Target(chosen["green"], chosen["amber"], m.better == "higher") if chosen else None
    return out


def headers(frame_columns: list[str], options: Options, *ids: str) -> dict[str, str]:
    """Readable headers for the columns of a metric frame: each named metric's value column gets
    its header, its other known columns theirs (``parts``)."""
    out: dict[str, str] = {}
    for metric_id in ids:
        m = CATALOG[metric_id]
        for column, header in m.parts.items():
            out.setdefault(column, header.format(**vars(options)))
        out[m.value] = m.header(options)
    return {k: v for k, v in out.items() if k in frame_columns}


def report_field(metric_id: str) -> str:
    """The report JSON's field name of a metric."""
    name = CATALOG[metric_id].report
    if name is None:
        raise KeyError(f"{metric_id} is not in the report")
    return name
