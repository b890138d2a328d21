"""US CPSC Monthly Progress Report for a corrective action plan
(docs/regulator-reports.md#us-cpsc-monthly-progress-report).

Laid out as the CPSC form (revised 10/2015): header; Section I, products corrected by the firm, by
location (manufacturer, distributor, retailers, consumers, total) — total products affected,
corrections this reporting period, total cumulative corrections; Section II, incidents (not held by
Recall Ops); Section III, consumers notified by phone, email and regular mail, and consumers who
contacted the firm about the recall by phone, email, mail and registration cards.

- A correction is a remedied unit (``remedy_completed_at``): per level, this period and cumulative.
- Consumers notified by a channel: distinct affected customers with an outreach event on it (phone
  also counts outbound recall calls), in the period / by its end.
- Consumers who contacted the firm: distinct consumers with an inbound recall contact (the
  dashboard's Contacts) on the channel, in the period / by its end — someone who called twice counts
  once. Contacts with no email or phone name no consumer: they are a line of their own, as contacts.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from metrics.coverage import correction_rate
from metrics.periods import Period
from metrics.regulator.common import LEVEL_LABELS, Facts, read_facts
from metrics.regulator.figures import CHANNEL_LABELS, pick
from metrics.regulator.form import NOT_RECORDED, PERIOD_COLUMNS, Report

FORM = "cpsc"


def build(
    con: duckdb.DuckDBPyConnection, recall_id: str | None, period: str | Period, as_of: datetime | str | None = None
) -> Report:
    f = read_facts(con, recall_id, period, as_of)
    return report(f)


def report(f: Facts) -> Report:
    r = Report(
        FORM,
        "CPSC Monthly Progress Report — Corrective Action Plan",
        "U.S. Consumer Product Safety Commission, Office of Compliance (form revised 10/2015)",
        f.recall_id,
        f.period.as_dict(),
        [
            ("Case number", f.recall_id),
            ("Reporting dates (from – to)", f.period_text()),
            ("Compliance officer", ""),
            ("Recalling firm", ""),
            ("Product", f.recall.get("product") or f.recall["name"]),
        ],
    )
    one = r.section(
        "products_corrected",
        "Section I — Products corrected by firm (as applicable under CAP)",
        [
            ("location", "Location of products"),
            ("affected", "Total products affected by recall"),
            ("period", "Corrections this reporting period"),
            ("cumulative", "Total cumulative corrections"),
        ],
    )
    for level, label in LEVEL_LABELS.items():
        one.add(level, label, *(f.level_value(level, c) for c in ("units", "remedied_period", "remedied")))
    unknown = f.unit("units", level="unknown")
    if unknown:
        one.add(
            "level_unknown",
            "Location not recorded",
            *(f.unit(c, level="unknown") for c in ("units", "remedied_period", "remedied")),
            note="Units whose supply-chain level the registry does not record.",
        )
    one.add("total", "Total", f.unit("units"), f.unit("remedied_period"), f.unit("remedied"), total=True)
    rate = correction_rate(f.unit("remedied"), f.unit("units"))
    one.notes.append(
        "Correction rate (cumulative corrections ÷ products affected; not on the form since 2014): "
        + ("—" if rate is None else f"{rate:.1%}")
    )

    two = r.section(
        "incidents",
        "Section II — Incident update (reported this period)",
        [("kind", ""), ("before", "Occurred before the recall"), ("after", "Occurred after the recall")],
    )
    for key, label in (("incidents", "Incidents"), ("injuries", "Injuries"), ("deaths", "Deaths")):
        two.add(key, label, NOT_RECORDED, NOT_RECORDED)
    two.notes.append("Recall Ops holds no incident reports: fill these in from the firm's incident records.")

    three = r.section(
        "notifications",
        "Section III — Notifications by firm and consumer response",
        [("measure", ""), *PERIOD_COLUMNS],
    )
    phone = _phone(f)
    three.add("notified_phone", "Consumers notified by phone", *phone)
    for channel, label in (("email", "Consumers notified by email"), ("mail", "Consumers notified by regular mail")):
        three.add(f"notified_{channel}", label, *(f.person("notified", c, channel) for c in ("period", "cumulative")))
    three.add(
        "notified_other_electronic",
        "Consumers notified by other electronic means (SMS, WhatsApp; not on the form)",
        *(f.person("notified", c, "other_electronic") for c in ("period", "cumulative")),
    )
    for channel, label in (
        ("phone", "Consumers who contacted the firm about the recall by phone"),
        ("email", "… by email"),
        ("mail", "… by regular mail"),
    ):
        values = [pick(f.contacts, c, regulator_channel=channel) for c in ("period", "cumulative")]
        if channel == "mail" and not f.contacts.filter(regulator_channel="mail").height:
            values = [NOT_RECORDED, NOT_RECORDED]
        three.add(f"contacted_{channel}", label, *values)
    three.add("contacted_registration_cards", "… by registration cards", NOT_RECORDED, NOT_RECORDED)
    three.add(
        "contacted_other_electronic",
        f"… by {CHANNEL_LABELS['other_electronic'].lower()} (not on the form)",
        *(pick(f.contacts, c, regulator_channel="other_electronic") for c in ("period", "cumulative")),
    )
    unknown = [pick(f.contacts, c, regulator_channel="all") for c in ("unknown_period", "unknown")]
    three.add(
        "contacted_unidentified",
        "Contacts about the recall from consumers not identified (no email or phone: contacts; not on the form)",
        *unknown,
    )
    for key, label in (
        ("homepage", "Recall posted on the firm's homepage"),
        ("website_hits", "Website hits on the recall page"),
        ("social_posts", "Recall posts on social media"),
        ("marketplace_monitoring", "Monitoring of online marketplaces for resale"),
    ):
        three.add(key, label, NOT_RECORDED, NOT_RECORDED)
    three.notes += [
        "Consumers notified: distinct affected customers with a notice on that channel (any attempt; "
        "reminders included) in the period, or by its end. Phone counts notice events by phone and "
        "outbound recall calls. A consumer notified on several channels counts on each.",
        "Consumers who contacted the firm: distinct consumers with an inbound recall contact (the "
        "dashboard's Contacts, abandoned calls included) on that channel in the period, or by its end; a "
        "consumer who called twice counts once, one who called and emailed counts on each. A consumer is "
        "the registry's customer, else the contact's email, else its phone.",
    ]
    if unknown[1]:
        split = ", ".join(
            f"{CHANNEL_LABELS[ch].split(' (')[0].lower()} {pick(f.contacts, 'unknown', regulator_channel=ch):,}"
            for ch in ("phone", "email", "mail", "other_electronic", "other")
            if pick(f.contacts, "unknown", regulator_channel=ch)
        )
        three.notes.append(
            f"Contacts with no email or phone cannot be told apart, so they are not counted as consumers above: "
            f"{unknown[1]:,} by the end ({split})."
        )
    r.notes.append(
        "Figures as of the status moment above (the period's end, or the report time when earlier): "
        "docs/regulator-reports.md in the Recall Ops repository."
    )
    return r


def _phone(f: Facts) -> tuple[int, int]:
    """Affected customers notified by phone: a notice event by phone or an outbound recall call."""
    return f.person("phone_outreach", "period", "phone"), f.person("phone_outreach", "cumulative", "phone")
