"""The Reports page's pieces: which periods to offer for a form, a report shown as tables, and its
downloads (XLSX, HTML, PDF: docs/regulator-reports.md#documents)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from documents import pdf
from documents.formats import cell_text
from documents.html import report_html
from documents.xlsx import to_xlsx
from metrics.periods import local_day, month, nhtsa_schedule, quarter
from metrics.regulator.form import Report
from metrics.review import REVIEW_AFTER_CLOSE

FORM_LABELS = {
    "cpsc": "US CPSC · Monthly Progress Report",
    "fda": "US FDA · status report (21 CFR 7.53)",
    "nhtsa": "US NHTSA · quarterly report (49 CFR 573.7)",
    "eu": "EU / UK · effectiveness summary",
}
CUSTOM = "custom"


def period_choices(form: str, recall: dict, now: datetime) -> dict[str, str]:
    """Period text → label: the form's cadence from the announcement to now, newest first (NHTSA:
    its schedule; CPSC and FDA: months; EU: quarters, then months)."""
    tz, announced = recall["timezone"], recall["announced_at"]
    last = max(local_day(now, tz), local_day(announced, tz))
    first = local_day(announced, tz)
    if form == "nhtsa":
        out = {p.label: f"{name} · {p.label}" for name, p in nhtsa_schedule(announced, tz) if p.first_day <= last}
        return dict(reversed(out.items()))
    months, y, m = {}, first.year, first.month
    while (y, m) <= (last.year, last.month) and len(months) < 120:
        p = month(y, m, tz)
        months[p.label] = f"{p.first_day:%B %Y}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if form != "eu":
        return dict(reversed(months.items()))
    quarters, y, q = {}, first.year, (first.month - 1) // 3 + 1
    while (y, q) <= (last.year, (last.month - 1) // 3 + 1) and len(quarters) < 40:
        quarters[quarter(y, q, tz).label] = f"{y} Q{q}"
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return dict(reversed(quarters.items())) | dict(reversed(months.items()))


def show(report: Report) -> None:
    st.subheader(report.title)
    st.caption(report.subtitle)
    st.markdown(f"**{report.period['status']}**")
    st.dataframe(
        pl.DataFrame({"Field": [k for k, _ in report.header], "Value": [cell_text(v) for _, v in report.header]}),
        key=f"reports_{report.form}_header",
        hide_index=True,
    )
    for section in report.sections:
        st.markdown(f"**{section.title}**")
        frame = pl.DataFrame(
            [[r.label, *(cell_text(v) for v in r.values)] for r in section.rows],
            schema=[f"{label or ' '}{' ' * i}" for i, (_, label) in enumerate(section.columns)],
            orient="row",
        )
        st.dataframe(frame, key=f"reports_{report.form}_{section.key}", hide_index=True, placeholder="—")
        for note in section.notes:
            st.caption(note)


def downloads(report: Report, key: str) -> None:
    name = f"{report.form}_{report.recall_id}_{report.period['label']}".replace("..", "_to_")
    cols = st.columns(3)
    cols[0].download_button(
        "Excel (laid out like the form)",
        lambda: to_xlsx(report),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
    )
    html = lambda: report_html(report)  # noqa: E731
    cols[1].download_button("Printable HTML", html, f"{name}.html", "text/html", key=f"{key}_html")
    pdf_button(cols[2], lambda: report_html(report), f"{name}.pdf", f"{key}_pdf")


def pdf_button(where, html, file_name: str, key: str) -> None:
    """A PDF download printed by chromium when clicked; without chromium, says so."""
    if not pdf.available():
        where.caption("PDF: no chromium on this server; print the HTML instead.")
        return

    def make() -> bytes:
        try:
            return pdf.html_to_pdf(html())
        except pdf.PdfError as e:  # shown as a file with the reason rather than a traceback
            return f"The PDF could not be made: {e}".encode()

    where.download_button("PDF", make, file_name, "application/pdf", key=key)


def review_time_note(recall: dict, replay: datetime | None) -> str:
    if replay is not None:
        return f"as of {replay:%Y-%m-%d %H:%M} UTC (the replayed moment)"
    closed = recall.get("closed_at")
    if closed:
        at = closed + REVIEW_AFTER_CLOSE
        return f"as of {REVIEW_AFTER_CLOSE.days} days after the close ({at:%Y-%m-%d %H:%M} UTC), or now if earlier"
    return "as of now (the recall is not closed)"
