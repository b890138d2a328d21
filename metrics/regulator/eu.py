"""EU / UK recall effectiveness summary (docs/regulator-reports.md#eu-uk-effectiveness-summary).

Regulation (EU) 2023/988 (GPSR) asks firms to notify every affected consumer they can identify
directly (art. 35), with a recall notice (art. 36), and to offer an effective, free and timely remedy
(art. 37); the UK's PAS 7100 asks for the effectiveness of a corrective action to be monitored. There
is no prescribed progress form: this is the table market surveillance authorities ask for —
affected units and identifiable consumers, directly notified, reached and remedied, by
country/region, with the notice channels used and the remedies given.

By region a consumer counts in every region holding one of their units (docs/metrics.md#coverage);
the total row is the whole recall (not the sum of the regions).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from metrics.periods import Period
from metrics.regulator import figures
from metrics.regulator.common import REMEDY_LABELS, Facts, read_facts
from metrics.regulator.figures import CHANNEL_LABELS
from metrics.regulator.form import NOT_RECORDED, PERIOD_COLUMNS, Report

FORM = "eu"
REGION_COLUMNS = [
    ("region", "Country / region"),
    ("units", "Affected units"),
    ("consumers", "Identifiable consumers"),
    ("notified_period", "Directly notified, this period"),
    ("notified", "Directly notified, cumulative"),
    ("reached_period", "Reached, this period"),
    ("reached", "Reached, cumulative"),
    ("remedied_period", "Units remedied, this period"),
    ("remedied", "Units remedied, cumulative"),
    ("rate", "Correction rate"),
]


def build(
    con: duckdb.DuckDBPyConnection, recall_id: str | None, period: str | Period, as_of: datetime | str | None = None
) -> Report:
    f = read_facts(con, recall_id, period, as_of, people_by="region")
    sizes = figures.group_sizes(con, f.recall_id, f.period, "region")
    return report(f, sizes, f.groups)


def report(f: Facts, sizes: pl.DataFrame, by_region: pl.DataFrame) -> Report:
    r = Report(
        FORM,
        "Recall effectiveness summary (EU GPSR arts 35–37 / UK PAS 7100)",
        "For the market surveillance authority: direct notification, reach and remedy by country/region",
        f.recall_id,
        f.period.as_dict(),
        [
            ("Recall", f"{f.recall_id} — {f.recall['name']}"),
            ("Product", f.recall.get("product") or ""),
            ("Reporting period", f.period_text()),
            ("Economic operator", ""),
            ("Market surveillance authority", ""),
        ],
    )
    regions = r.section("regions", "Affected, notified, reached and remedied by country/region", REGION_COLUMNS)
    for row in sizes.iter_rows(named=True):
        g = row["region"]
        people = [
            figures.pick(by_region, c, grp=g, kind=k, channel="all")
            for k in ("notified", "reached")
            for c in ("period", "cumulative")
        ]
        regions.add(g, g, row["units"], row["affected_customers"], *people, row["remedied_period"], row["remedied"],
                    row["remedied"] / row["units"] if row["units"] else "—")  # fmt: skip
    units = f.unit("units")
    regions.add("total", "Total (whole recall)", units, f.states["affected"],
                *(f.person(k, c) for k in ("notified", "reached") for c in ("period", "cumulative")),
                f.unit("remedied_period"), f.unit("remedied"),
                f.unit("remedied") / units if units else "—", total=True)  # fmt: skip
    regions.notes.append(
        "Consumers: distinct affected customers (registry owners); a consumer with units in two regions "
        "counts in both. Units without an owner (supply-chain stock) count in units only."
    )
    funnel = r.section(
        "consumers", "Consumers: direct notification (art. 35) and response", [("measure", ""), *PERIOD_COLUMNS]
    )
    funnel.add("identifiable", "Identifiable affected consumers", "", f.states["affected"])
    for kind, label in (
        ("notified", "Directly notified"),
        ("reached", "Reached (delivery confirmed or call answered)"),
        ("engaged", "Responded (read, clicked, replied or contacted the firm)"),
        ("remedied", "All their units remedied"),
    ):
        funnel.add(kind, label, *(f.person(kind, c) for c in ("period", "cumulative")))
    funnel.add("never_notified", "Identifiable but never notified", "", f.states["never_notified"])

    channels = r.section(
        "channels",
        "Notice channels used",
        [("channel", "Channel"), *PERIOD_COLUMNS, ("first", "First used"), ("last", "Last used by the period's end")],
    )
    for channel in ("email", "mail", "phone", "other_electronic"):
        kind = "phone_outreach" if channel == "phone" else "notified"
        if f.person(kind, "cumulative", channel):
            channels.add(channel, CHANNEL_LABELS[channel], f.person(kind, "period", channel),
                         f.person(kind, "cumulative", channel), f.local(f.moment(kind, "first_at", channel), False),
                         f.local(f.moment(kind, "last_at", channel), False))  # fmt: skip
    channels.add("indirect", "Indirect notice (website, social media, shops, press; art. 35(4))",
                 NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED)  # fmt: skip

    remedies = r.section("remedies", "Remedies completed (art. 37), units", [("remedy", "Remedy"), *PERIOD_COLUMNS])
    for remedy, label in REMEDY_LABELS.items():
        if remedy != "unknown" or f.unit("remedied", remedy="unknown"):
            remedies.add(remedy, label, f.unit("remedied_period", remedy=remedy), f.unit("remedied", remedy=remedy))
    remedies.add("total", "Total", f.unit("remedied_period"), f.unit("remedied"), total=True)
    return r
