"""Coverage (leadership, analysts): are we reaching affected customers, and who is still unreachable."""

import polars as pl
import streamlit as st

import ui
from metrics import coverage_as_of
from metrics.scope import PHASE_LABELS
from ui import access, charts, data, filters
from ui.export import chart_with_table, download_buttons, masked
from ui.text import md

ui.through_router()

version, recall, phase, _ = filters.recall_view()  # channel/date filters: coverage counts people
rid = recall["recall_id"]
as_of = coverage_as_of(recall, phase, filters.as_of_now())

st.title("Coverage")
st.caption(
    f"{md(recall['name'])} · affected customers as of {as_of:%Y-%m-%d %H:%M} UTC"
    + ("" if phase == "all" else f" (end of phase: {PHASE_LABELS[phase]})")
    + " · channel and date filters do not apply here."
)
funnel = data.coverage_by(version, rid, as_of, None).row(0, named=True)
if funnel["affected_units"] == 0:
    st.info("No affected units for this recall yet. Load the registry (serials, lots, owners) on the Upload page.")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader("Affected → notified → reached → engaged → remedied")
    fig = charts.coverage_funnel(funnel)
    chart_with_table(fig, pl.DataFrame([funnel]).drop("scope"), "coverage_funnel", "coverage_funnel")
with right:
    st.subheader("Units ledger")
    units, fixed = funnel["affected_units"], funnel["remedied_units"]
    st.metric("Affected units", f"{units:,}", help="Units in the recall registry.")
    st.metric("Units remedied", f"{fixed:,}", help="Units with remedy_completed_at at or before the report time.")
    st.metric("Correction rate", f"{fixed / units:.1%}", help="Remedied units ÷ affected units.")

st.subheader("Coverage by group")
by = st.segmented_control("Break down by", ["region", "lot"], key="coverage_by", default="region") or "region"
groups = data.coverage_by(version, rid, as_of, by)
st.caption(f"Rates of affected customers in each {by}; the 15 {by}s with most units are drawn, the table has all.")
chart_with_table(charts.coverage_rates(groups, by), groups, f"coverage_by_{by}", "coverage_groups")

st.subheader("Coverage over time")
daily = data.coverage_daily(version, rid, as_of)
chart_with_table(charts.coverage_over_time(daily, recall), daily, "coverage_by_day", "coverage_daily")

st.subheader("Time to notify")
bins, summary = data.time_to_notify(version, rid, as_of)
cols = st.columns(4)
cols[0].metric("Notified customers", f"{summary['n']:,}")
cols[1].metric("Median", "—" if summary["median_h"] is None else f"{summary['median_h']:,.1f} h")
cols[2].metric("P90", "—" if summary["p90_h"] is None else f"{summary['p90_h']:,.1f} h")
cols[3].metric("Not notified yet", f"{summary['not_notified']:,}")
st.caption("Per affected customer: first outreach attempt (any status) − announcement, in hours.")
chart_with_table(charts.hours_histogram(bins, summary), bins, "time_to_notify", "coverage_notify")

st.subheader("Unreachable customers")
SHOWN = 1_000
unreachable = funnel["affected_customers"] - funnel["reached"]
first = data.unreachable_customers(version, rid, as_of, SHOWN)
show_pii = access.show_pii()
st.caption(
    f"{unreachable:,} affected customers not reached: notified but no attempt delivered, opened, read or "
    "clicked and no answered call, or never notified."
    + (
        f" The first {SHOWN:,} are listed (notified first, most units first); the downloads hold all."
        if unreachable > SHOWN
        else ""
    )
    + ("" if show_pii else " Emails and phones are masked (admins see them in full).")
)
st.dataframe(masked(first, show_pii), key="coverage_unreachable", hide_index=True)
download_buttons(
    lambda: data.unreachable_customers(version, rid, as_of), "unreachable_customers", "coverage_unreachable", show_pii
)
