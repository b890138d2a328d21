"""US FDA recall status report, 21 CFR 7.53 (docs/regulator-reports.md#us-fda-recall-status-report).

The six items of §7.53(b), in its order: (1) consignees notified, with the dates and methods of
notification; (2) consignees responding, and the quantity on hand when the notice arrived; (3)
consignees not responding; (4) quantity returned or corrected, and quantity accounted for; (5)
effectiveness checks made and their results; (6) the estimated time frame for completing the recall.

- Consignees are the recall's affected customers (the person ledger); notified, responding
  (engaged) and reached follow docs/metrics.md#coverage, in the period / by its end.
- Effectiveness checks are the outbound recall calls to affected customers (checks made; answered
  = check completed) and the delivery confirmations of the notices (reached).
- Estimated completion: the recall's planned close, and the day on which the units outstanding at
  the period's end (or the report time, when earlier) would all be remedied at the rate of the 28
  days before it (units remedied ÷ 28 per day), counted from that moment.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb

from metrics.periods import Period
from metrics.regulator import figures
from metrics.regulator.common import ACCOUNTED, REMEDY_LABELS, Facts, read_facts
from metrics.regulator.figures import CHANNEL_LABELS
from metrics.regulator.form import NA, NOT_RECORDED, PERIOD_COLUMNS, Report

FORM = "fda"
RATE_WINDOW_DAYS = 28
NOTICE_ROWS = ("phone", "email", "mail", "other_electronic")


def build(
    con: duckdb.DuckDBPyConnection, recall_id: str | None, period: str | Period, as_of: datetime | str | None = None
) -> Report:
    f = read_facts(con, recall_id, period, as_of)
    per_day = figures.remedy_rate_per_day(con, f.recall_id, f.period, RATE_WINDOW_DAYS)
    return report(f, per_day)


def report(f: Facts, remedied_per_day: float) -> Report:
    r = Report(
        FORM,
        "FDA Recall Status Report (21 CFR 7.53)",
        "U.S. Food and Drug Administration — recall status report to the district recall coordinator",
        f.recall_id,
        f.period.as_dict(),
        [
            ("Recall number", f.recall_id),
            ("Recalling firm", ""),
            ("Product", f.recall.get("product") or f.recall["name"]),
            ("Reporting period", f.period_text()),
            ("Status as of", f.local(f.period.status_at)),
        ],
    )
    one = r.section("consignees_notified", "1. Consignees notified of the recall", [("measure", ""), *PERIOD_COLUMNS])
    one.add("notified", "Consignees notified", *(f.person("notified", c) for c in ("period", "cumulative")))
    one.add("first_notified", "Date of first notification", f.local(f.moment("notified", "first_period_at")),
            f.local(f.moment("notified", "first_at")))  # fmt: skip
    one.add("last_notified", "Date of latest notification", f.local(f.moment("notified", "last_period_at")),
            f.local(f.moment("notified", "last_at")))  # fmt: skip
    methods = r.section(
        "methods",
        "1. Method of notification",
        [("method", "Method"), *PERIOD_COLUMNS, ("first", "First used"), ("last", "Last used by the period's end")],
    )
    for channel in NOTICE_ROWS:
        kind = "phone_outreach" if channel == "phone" else "notified"
        methods.add(
            channel,
            CHANNEL_LABELS[channel] + (" (notices and outbound recall calls)" if channel == "phone" else ""),
            f.person(kind, "period", channel),
            f.person(kind, "cumulative", channel),
            f.local(f.moment(kind, "first_at", channel)),
            f.local(f.moment(kind, "last_at", channel)),
        )
    methods.notes.append("A consignee notified by several methods counts under each.")

    two = r.section("response", "2–3. Consignee response", [("measure", ""), *PERIOD_COLUMNS])
    two.add("responding", "Consignees responding", *(f.person("engaged", c) for c in ("period", "cumulative")))
    two.add("not_responding", "Consignees notified and not responding", NA, f.states["not_responding"])
    two.add("quantity_on_hand", "Quantity of product on hand when the notice was received", NOT_RECORDED, NOT_RECORDED)
    two.notes.append(
        "Responding: a read, clicked or replied notice, or an inbound recall contact (any channel). "
        "Not responding is a state at the period's end."
    )

    four = r.section("returned_corrected", "4. Products returned or corrected", [("measure", ""), *PERIOD_COLUMNS])
    for remedy, label in REMEDY_LABELS.items():
        if remedy != "unknown" or f.unit("remedied", remedy="unknown"):
            four.add(remedy, label, f.unit("remedied_period", remedy=remedy), f.unit("remedied", remedy=remedy))
    four.add("total", "Total returned or corrected", f.unit("remedied_period"), f.unit("remedied"), total=True)
    otherwise = [sum(f.unit(c, disposition=d) for d in ACCOUNTED) for c in ("disposed_period", "disposed")]
    four.add("accounted_otherwise", "Accounted for otherwise (exported, stolen, scrapped, no remedy needed)",
             *(otherwise if f.dispositions_known() else ["unknown", "unknown"]))  # fmt: skip
    accounted = f.unit("remedied") + (otherwise[1] if f.dispositions_known() else 0)
    four.add("accounted_total", "Quantity accounted for", NA, accounted, total=True)
    four.add("in_distribution", "Quantity subject to the recall", NA, f.unit("units"))
    four.add("outstanding", "Quantity outstanding", NA, f.unit("units") - accounted)

    five = r.section("effectiveness_checks", "5. Effectiveness checks", [("measure", ""), *PERIOD_COLUMNS])
    five.add(
        "calls",
        "Check calls made (outbound recall calls)",
        *(f.person("called", c) for c in ("events_period", "events")),
    )
    five.add("called", "Consignees called", *(f.person("called", c) for c in ("period", "cumulative")))
    answered = [f.person("answered", c) for c in ("period", "cumulative")]
    five.add("answered", "Consignees reached by the call (check completed)", *answered)
    five.add("not_answered", "Consignees called, never reached by a call", NA,
             f.person("called", "cumulative") - answered[1])  # fmt: skip
    five.add(
        "delivered",
        "Consignees whose notice delivery was confirmed",
        *(f.person("reached", c) for c in ("period", "cumulative")),
    )
    five.add("not_delivered", "Consignees notified, delivery not confirmed", NA, f.states["not_reached"])

    six = r.section("completion", "6. Estimated time frame for completion", [("measure", ""), ("value", "")])
    closed = f.recall.get("closed_at")
    six.add(
        "planned_close",
        "Planned close of the recall (recall definition)",
        f.local(closed, False) if closed else "not set",
    )
    outstanding = f.unit("units") - accounted
    six.add("outstanding", "Units outstanding at the period's end", outstanding)
    six.add("rate", f"Units remedied per day (last {RATE_WINDOW_DAYS} days)", round(remedied_per_day, 2))
    six.add("estimate", "Estimated completion at that rate", _estimate(f, outstanding, remedied_per_day))
    return r


def _estimate(f: Facts, outstanding: int, per_day: float) -> str:
    if outstanding <= 0:
        return "complete"
    if per_day <= 0:
        return f"cannot be estimated (no unit remedied in the last {RATE_WINDOW_DAYS} days)"
    days = math.ceil(outstanding / per_day)
    if days > 3_650:
        return "more than ten years at that rate"
    return f.local(f.period.status_at + timedelta(days=days), False)
