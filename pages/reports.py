"""Reports (analysts, admins): regulator progress reports for a period, and the post-recall review."""

import streamlit as st

import ui
from metrics import regulator
from metrics.periods import PeriodError
from metrics.review import build_review
from ui import data, filters, reports
from ui.text import md

ui.through_router()

view = filters.recall_view()
recall = view.recall
rid = recall["recall_id"]
st.title("Reports")
st.caption(
    f"{md(recall['name'])} · regulator progress reports and the post-recall review, from the dashboard's numbers "
    "(phase, channel and date filters do not apply; docs/regulator-reports.md)."
)

form = st.segmented_control(
    "Report", list(reports.FORM_LABELS), format_func=reports.FORM_LABELS.get, default="cpsc", key="reports_form"
)
form = form or "cpsc"
report_time = view.scope.as_of  # the replayed moment, else now: figures stop there (docs/regulator-reports.md)
choices = reports.period_choices(form, recall, report_time)
left, right = st.columns([2, 3])
picked = left.selectbox(
    "Period",
    [*choices, reports.CUSTOM],
    format_func=lambda p: "Other period…" if p == reports.CUSTOM else choices[p],
    key=f"reports_period_{form}",
)
period = picked
if picked == reports.CUSTOM:
    period = right.text_input(
        "Period (YYYY-MM, YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD)",
        key="reports_custom",
        placeholder="2026-03-02..2026-03-31",
    )
if period:
    try:
        report = view.read(regulator.build, form, rid, period, report_time)
    except PeriodError as e:
        st.error(str(e))
        st.stop()
    reports.downloads(report, f"reports_{form}")
    reports.show(report)

st.divider()
st.subheader("Post-recall review")
replay = filters.replay_time()
st.caption(
    "Timeline, every metric per phase, volume by channel, coverage and correction rate against CPSC's published "
    "benchmarks, time to notify, unreachable customers (masked), data provenance — "
    f"{reports.review_time_note(recall, replay)}."
)
if st.button("Make the review", key="reports_review"):
    st.session_state["reports_review_for"] = (rid, replay)
if st.session_state.get("reports_review_for") == (rid, replay):
    from documents.review import review_html

    review = view.read(build_review, rid, replay)
    html = review_html({**review, "alerts": data.alert_episodes(rid, review["as_of"])})
    cols = st.columns(2)
    cols[0].download_button("Review (HTML)", html, f"review_{rid}.html", "text/html", key="reports_review_html")
    reports.pdf_button(cols[1], lambda: html, f"review_{rid}.pdf", "reports_review_pdf")
