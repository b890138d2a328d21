"""US NHTSA quarterly recall report, 49 CFR 573.7 (docs/regulator-reports.md#us-nhtsa-quarterly-report).

For each reporting period of the 49 U.S.C. 30118(f) schedule — eight quarters from the one holding
the announcement, then three annual reports (metrics/periods.py ``nhtsa_schedule``): the dates
owner notification began and ended (first and latest notice by the period's end); units involved;
remedied; inspected and found not to need the remedy; unreachable, by reason (exported, stolen,
scrapped, failure to receive notification, other), each counted separately; for equipment, the
units remedied before first sale (stock with the manufacturer, distributors or retailers).

A unit remedied by the period's end counts as remedied whatever its disposition; otherwise its
dated disposition counts (docs/regulator-reports.md#figures). Completion rate = remedied ÷ involved.
A "schedule" section repeats the cumulative figures at the end of each earlier report of the schedule.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from metrics.coverage import correction_rate
from metrics.periods import Period, nhtsa_schedule
from metrics.regulator.common import DISPOSITION_LABELS, Facts, read_facts
from metrics.regulator.form import NA, PERIOD_COLUMNS, UNKNOWN, Report

FORM = "nhtsa"
UNREACHABLE = ("exported", "stolen", "scrapped", "not_notified", "other")
NHTSA_LABELS = DISPOSITION_LABELS | {"not_notified": "Failure to receive notification"}
CHAIN = ("manufacturer", "distributor", "retailer")


def build(
    con: duckdb.DuckDBPyConnection, recall_id: str | None, period: str | Period, as_of: datetime | str | None = None
) -> Report:
    f = read_facts(con, recall_id, period, as_of)
    history = [  # each as of its end, or the report time while it runs; none not yet begun; units only
        (name, read_facts(con, f.recall_id, p, f.period.status_at, units_only=True))
        for name, p in nhtsa_schedule(f.recall["announced_at"], f.recall["timezone"])
        if p.end_at <= f.period.end_at and p.start_at < f.period.status_at
    ]
    return report(f, history)


def report_name(f: Facts) -> str:
    for name, p in nhtsa_schedule(f.recall["announced_at"], f.recall["timezone"]):
        if (p.first_day, p.last_day) == (f.period.first_day, f.period.last_day):
            return name
    return "Outside the 49 U.S.C. 30118(f) schedule (8 quarters, then 3 annual reports)"


def unreachable(f: Facts, column: str) -> int | str:
    return sum(f.unit(column, disposition=d) for d in UNREACHABLE) if f.dispositions_known() else UNKNOWN


def report(f: Facts, history: list[tuple[str, Facts]]) -> Report:
    r = Report(
        FORM,
        "NHTSA Quarterly Recall Report (49 CFR 573.7)",
        "U.S. National Highway Traffic Safety Administration — recall campaign status",
        f.recall_id,
        f.period.as_dict(),
        [
            ("Campaign number", f.recall_id),
            ("Manufacturer", ""),
            ("Subject", f.recall.get("product") or f.recall["name"]),
            ("Report", report_name(f)),
            ("Report period", f.period_text()),
            ("Owner notification began", f.local(f.moment("notified", "first_at"), False)),
            ("Owner notification ended (latest by the period's end)", f.local(f.moment("notified", "last_at"), False)),
        ],
    )
    units = r.section("units", "Campaign status", [("measure", ""), *PERIOD_COLUMNS])
    units.add("involved", "Number of vehicles or items of equipment involved", NA, f.unit("units"))
    units.add("remedied", "Inspected and remedied", f.unit("remedied_period"), f.unit("remedied"))
    chain = [
        sum(f.unit(c, level=lv) for lv in CHAIN) if f.levels_known() else UNKNOWN
        for c in ("remedied_period", "remedied")
    ]
    units.add("before_first_sale", "Of these, equipment remedied or returned before first sale", *chain)
    units.add(
        "no_remedy_needed",
        "Inspected and found not to need the remedy",
        *(f.disposition_value("no_remedy_needed", c) for c in ("disposed_period", "disposed")),
    )
    for d in UNREACHABLE:
        units.add(f"unreachable_{d}", f"Unreachable: {NHTSA_LABELS[d].lower()}",
                  *(f.disposition_value(d, c) for c in ("disposed_period", "disposed")))  # fmt: skip
    units.add(
        "unreachable", "Unreachable, total", unreachable(f, "disposed_period"), unreachable(f, "disposed"), total=True
    )
    undated = f.unit("undated")
    if undated:
        units.add("undated", "Disposition recorded without a date (in no period)", NA, undated)
    accounted = f.unit("remedied") + (f.unit("disposed") if f.dispositions_known() else 0)
    units.add("outstanding", "Not remedied and not accounted for", NA, f.unit("units") - accounted)
    rate = correction_rate(f.unit("remedied"), f.unit("units"))
    units.add("completion_rate", "Completion rate (remedied ÷ involved)", NA, rate if rate is not None else "—")

    hist = r.section(
        "schedule",
        "Reports of the schedule to this period (cumulative at each report's end)",
        [("report", "Report"), ("period", "Period"), ("involved", "Involved"), ("remedied", "Remedied"),
         ("unreachable", "Unreachable"), ("rate", "Completion rate")],
    )  # fmt: skip
    for name, h in history:
        n, rate = h.unit("units"), correction_rate(h.unit("remedied"), h.unit("units"))
        hist.add(h.period.label, name, h.period.label, n, h.unit("remedied"), unreachable(h, "disposed"),
                 "—" if rate is None else rate)  # fmt: skip
    if not history:
        hist.notes.append("No report of the schedule ends by this period's end.")
    return r
