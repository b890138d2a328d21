"""The post-recall review as one self-contained HTML page (docs/regulator-reports.md#post-recall-review),
printable to PDF: timeline, the five-phase table of every catalog metric, volume by channel,
coverage and correction rate against CPSC's benchmarks, time to notify, unreachable customers
(always masked), the alerts and reason patterns that fired (alerts/history.py ``episodes``, passed
as ``data["alerts"]``), data provenance."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from documents import svg
from documents.formats import cell_text
from documents.html import page, table
from documents.palette import CHANNEL_COLORS
from documents.privacy import masked
from metrics.base import DEFAULT_OPTIONS
from metrics.catalog import CATALOG, Reading
from metrics.coverage import FUNNEL, correction_rate, funnel_notes
from metrics.scope import PHASE_LABELS
from metrics.units import HIDE_BELOW_N
from store.phases import phase_bounds

TOP_GROUPS = 15
# The columns of the per-region and per-lot tables: catalog metrics, headed by their labels.
GROUP_COLUMNS = ("affected_units", "remedied_units", "correction_rate", *FUNNEL)


def review_html(data: dict[str, Any]) -> str:
    recall, tz = data["recall"], data["recall"]["timezone"]

    def local(at: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
        return "" if at is None else at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).strftime(fmt)

    cov = data["report"]["coverage"]
    parts = [
        f"<h1>Post-recall review — {escape(recall['name'])}</h1>",
        f"<p class=sub>{escape(recall['recall_id'])} · {escape(recall.get('product') or '')} · as of "
        f"{escape(local(data['as_of']))} · made by Recall Ops</p>",
        "<h2>Timeline</h2>",
        table(["When (local)", "What"], [[local(at), what] for at, what in data["timeline"]]),
        "<h2>Every metric, per phase</h2>",
        _phase_table(data["phase_table"]),
        '<p class="note">Definitions: docs/metrics.md. Rates are shares; n is the denominator; "—" an empty one.</p>',
        "<h2>Inbound contacts by channel</h2>",
        _volume(data, recall),
        "<h2>Coverage of affected customers</h2>",
        svg.bars(
            [CATALOG[k].label for k in FUNNEL],
            [cov[k] for k in FUNNEL],
            "Customers at each coverage stage, each against the affected customers (the stages are not nested)",
            notes=[f"{cov[k] / cov['affected_customers']:.0%}" if cov["affected_customers"] else "" for k in FUNNEL],
        ),
        "".join(
            f'<p class="note">{escape(n)}</p>'
            for n in funnel_notes(data.get("funnel_outside") or {}, {k: CATALOG[k].label for k in FUNNEL})
        ),
        _correction(data),
        "<h2>Time to notify</h2>",
        _notify(data),
        "<h2>Unreachable customers</h2>",
        _unreachable(data),
        "<h2>Alerts and reason patterns that fired</h2>",
        _alerts(data.get("alerts"), local),
        "<h2>Data provenance</h2>",
        _provenance(data, local),
    ]
    return page(f"Post-recall review — {recall['recall_id']}", "".join(parts))


def _phase_table(rows: list[tuple[str, dict[str, Reading]]]) -> str:
    """One row per catalog metric (metrics/review.py PHASE_TABLE): the value as the dashboard writes
    it and, for a rate or time on a sample, its n; below HIDE_BELOW_N the value is not shown."""
    phases = list(rows[0][1]) if rows else []

    def cell(m, r: Reading) -> str:
        if r.value is None:
            return "—"
        if m.sampled and r.n is not None:
            return (
                f"n {r.n:,} (under {HIDE_BELOW_N})" if r.n < HIDE_BELOW_N else f"{m.unit.format(r.value)} (n {r.n:,})"
            )
        return m.unit.format(r.value)

    body = [
        [CATALOG[i].title(DEFAULT_OPTIONS), *(cell(CATALOG[i], readings[p]) for p in phases)] for i, readings in rows
    ]
    return table(["Metric", *(PHASE_LABELS.get(p, "Whole recall") for p in phases)], body)


def _alerts(episodes: list[dict[str, Any]] | None, local) -> str:
    if episodes is None:
        return '<p class="note">Alert history was not included.</p>'
    if not episodes:
        return "<p>No alert fired.</p>"
    reasons = sum(1 for e in episodes if e["kind"] in ("n_reports", "spike"))
    rows = [
        [local(e["fired_at"], "%Y-%m-%d %H:%M"), e["severity"] or "", e["what"], e["value_text"],
         local(e["resolved_at"], "%Y-%m-%d %H:%M") if e["resolved_at"] else "still active",
         e["acknowledged_by"] or ""]
        for e in episodes
    ]  # fmt: skip
    return (
        f"<p>{len(episodes):,} alerts fired, {reasons:,} of them on contact-reason patterns (new reasons, spikes); "
        "the worst severity each reached.</p>"
        + table(
            ["Fired (local)", "Severity", "What", "Value when it fired", "Resolved (local)", "Acknowledged by"],
            rows,
            css="small",
        )  # fmt: skip
    )


def _volume(data: dict[str, Any], recall: dict[str, Any]) -> str:
    daily: pl.DataFrame = data["volume"]
    if daily.height == 0:
        return "<p>No inbound contacts.</p>"
    wide = daily.filter(pl.col("channel") != "all").pivot(on="channel", index="day", values="contacts").sort("day")
    wide = wide.fill_null(0)
    days = wide["day"].to_list()
    series = {c: wide[c].to_list() for c in wide.columns if c != "day"}
    from metrics.periods import local_day

    bounds = phase_bounds(recall)  # the ongoing phase starts at A + 168 h unless the recall says otherwise
    marks = [
        (local_day(at, recall["timezone"]), label)
        for at, label in ((bounds["day_one"][0], "Announced"), (bounds["ongoing"][0], "Ongoing"),
                          (bounds["after"][0], "Closed"))
        if at is not None
    ]  # fmt: skip
    return f"<figure>{svg.lines(days, series, 'Inbound contacts per local day', CHANNEL_COLORS, marks)}</figure>"


def _correction(data: dict[str, Any]) -> str:
    consumer = data["consumer_units"]
    cov = data["report"]["coverage"]
    overall = correction_rate(cov["remedied_units"], cov["affected_units"])
    c_rate = correction_rate(consumer["remedied"], consumer["units"])
    refs = [(v, label.replace("CPSC ", "")) for v, label in data["benchmarks"]]
    bench = table(
        [CATALOG["correction_rate"].label, "This recall", "CPSC benchmark (FY2013–2016, 865 closed cases)"],
        [
            ["All levels (remedied units ÷ affected units)", overall if overall is not None else "—", 0.65],
            ["Consumer level, recalls with direct notice", c_rate if c_rate is not None else "—", 0.50],
            ["Consumer level, press-release-only recalls", "", 0.06],
        ],
    )
    note = (
        "Consumer level: units with consumers"
        + ("" if consumer["by_level"] else " (the registry records no level: units with an owner)")
        + f", {consumer['remedied']:,} of {consumer['units']:,} remedied. Benchmarks: CPSC recall effectiveness "
        "workshop, 25 July 2017."
    )
    charts = []
    for by in ("region", "lot"):
        frame: pl.DataFrame = data[f"by_{by}"].head(TOP_GROUPS)
        charts.append(
            svg.bars(
                frame[by].to_list(),
                frame["correction_rate"].to_list(),
                f"Correction rate by {by} (the {min(TOP_GROUPS, frame.height)} with most units)",
                pct=True,
                refs=[refs[0], refs[1], refs[2]],
                color="#f58518",
            )
        )
    groups = []
    for by in ("region", "lot"):
        frame = data[f"by_{by}"]
        rows = [[r[by], *("—" if r[k] is None else r[k] for k in GROUP_COLUMNS)] for r in frame.iter_rows(named=True)]
        groups.append(
            f"<h3>By {by}</h3>"
            + table(
                [by.capitalize(), *(CATALOG[k].label for k in GROUP_COLUMNS)],
                rows,
                css="small",
            )  # fmt: skip
        )
    return (
        "<h3>Correction rate against published benchmarks</h3>"
        + bench
        + f'<p class="note">{escape(note)}</p>'
        + "".join(f"<figure>{c}</figure>" for c in charts)
        + "".join(groups)
    )


def _notify(data: dict[str, Any]) -> str:
    s, bins = data["notify"], data["notify_bins"]
    hours = lambda v: "—" if v is None else f"{v:,.1f} h"  # noqa: E731
    summary = table(
        [CATALOG["time_to_notify_h"].parts[k] for k in ("n", "median_h", "p90_h", "not_notified")],
        [[f"{s['n']:,}", hours(s["median_h"]), hours(s["p90_h"]), s["not_notified"]]],
    )
    marks = [
        (s[k], f"{label} {s[k]:.1f} h") for k, label in (("median_h", "median"), ("p90_h", "P90")) if s[k] is not None
    ]
    chart = svg.histogram(
        list(zip(bins["bin_start_h"].to_list(), bins["bin_end_h"].to_list(), strict=True)),
        bins["customers"].to_list(),
        "Affected customers by hours from the announcement to their first notice",
        "hours after the announcement",
        marks,
    )
    return summary + f"<figure>{chart}</figure>"


def _unreachable(data: dict[str, Any]) -> str:
    frame: pl.DataFrame = masked(data["unreachable"])  # always masked: the review circulates
    n = data["unreachable_count"]
    if n == 0:
        return "<p>Every affected customer was reached.</p>"
    cols = ["status", "customer_ref", "customer_email", "customer_phone", "region", "units", "attempts",
            "last_status", "last_channel"]  # fmt: skip
    rows = [[r[c] if r[c] is not None else "" for c in cols] for r in frame.iter_rows(named=True)]
    shown = f"the first {frame.height:,}" if frame.height < n else "all"
    return (
        f"<p>{n:,} affected customers were not reached (notified but no notice delivered, read, opened or "
        f"clicked and no answered call, or never notified); {shown} are listed, notified first, most units "
        "first. Emails and phones are masked.</p>"
        + table(
            ["Status", "Registry id", "Email", "Phone", "Region", "Units", "Attempts", "Last status", "Channel"],
            [[str(v) if not isinstance(v, int) else v for v in r] for r in rows],
            css="small",
        )  # fmt: skip
    )


def _provenance(data: dict[str, Any], local) -> str:
    ingests: pl.DataFrame = data["ingests"]
    rows = [
        [r["file_name"], r["connector"], r["rows_read"],
         f"{r['rows_inserted']:,} / {r['rows_updated']:,} / {r['rows_unchanged']:,}", r["rows_quarantined"],
         local(r["loaded_at"], "%Y-%m-%d %H:%M") + (" (undone " + local(r["undone_at"], "%Y-%m-%d") + ")"
                                                      if r["undone_at"] else ""),
         r["loaded_by"] or ""]
        for r in ingests.iter_rows(named=True)
    ]  # fmt: skip
    out = table(
        ["File", "Read by", "Records", "Inserted / updated / unchanged", "Quarantined", "Loaded (local)", "By"],
        rows,
        css="small",
    )
    q: pl.DataFrame = masked(data["quarantine"])  # reasons quote values: emails and phones masked by pattern
    if q.height:
        out += "<h3>Quarantined rows by reason</h3>" + table(
            ["File", "Column", "Reason", "Values"],
            [[r["file_name"], r["column_name"], r["reason"], r["values"]] for r in q.iter_rows(named=True)],
        )
    else:
        out += "<p>No row was quarantined.</p>"
    total = int(ingests["rows_read"].sum()) if ingests.height else 0
    return out + f'<p class="note">{ingests.height:,} files, {cell_text(total)} records read.</p>'
