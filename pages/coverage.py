"""Coverage (leadership, analysts): are we reaching affected customers, and who is still unreachable."""

import polars as pl
import streamlit as st

import metrics
import ui
from metrics import coverage_as_of
from metrics.catalog import CATALOG
from metrics.coverage import FUNNEL
from metrics.scope import PHASE_LABELS
from ui import access, charts, filters, tables, tabs, tiles
from ui.export import download_buttons
from ui.tables import chart_with_table
from ui.text import md

ui.through_router()

view = filters.recall_view()  # channel/date filters: coverage counts people
recall, phase = view.recall, view.phase
view = view.at(coverage_as_of(recall, phase, view.scope.as_of))
scope, options = view.scope, view.scope.options

st.title("Coverage")
st.caption(
    f"{md(recall['name'])} · affected customers as of {scope.as_of:%Y-%m-%d %H:%M} UTC"
    + ("" if phase == "all" else f" (end of phase: {PHASE_LABELS[phase]})")
    + " · channel and date filters do not apply here."
)
shares = view.read(metrics.coverage_shares, scope)
funnel = shares.row(0, named=True)
if funnel["affected_units"] == 0:
    st.info("No affected units for this recall yet. Load the registry (serials, lots, owners) on the Upload page.")
    st.stop()

STAGES = FUNNEL
NOTIFY = CATALOG["time_to_notify_h"]
left, right = st.columns([3, 2])
with left:
    st.subheader(f"{CATALOG[STAGES[0]].label} at each stage")
    st.caption("Each bar is a share of the affected customers; hover a stage for its definition.")
    fig = charts.coverage_funnel(funnel, view.read(metrics.funnel_outside, scope))
    table = pl.DataFrame([funnel]).drop("scope")
    chart_with_table(fig, table, "coverage_funnel", "coverage_funnel", labels=tables.labels(table, options, *STAGES))
with right:
    st.subheader("Units ledger")
    for key in ("affected_units", "remedied_units", "correction_rate"):
        tiles.tile(CATALOG[key], CATALOG[key].reading(shares), options)

group_tab, time_tab, notify_tab, unreachable_tab = tabs.open_only(
    "coverage", ["By group", "Over time", NOTIFY.label, "Unreachable customers"]
)

with group_tab:
    if group_tab.open:
        by = st.segmented_control("Break down by", ["region", "lot"], key="coverage_by", default="region") or "region"
        groups = view.read(metrics.coverage, scope, by)
        st.caption(
            f"Rates of affected customers in each {by}; the 15 {by}s with most units are drawn, the table has all."
        )
        labels = tables.labels(groups, options, *STAGES, "affected_units", "remedied_units")
        fig = charts.coverage_rates(groups, by)
        chart_with_table(fig, groups, f"coverage_by_{by}", "coverage_groups", labels=labels)

with time_tab:
    if time_tab.open:
        daily = view.read(metrics.coverage_daily, scope)
        labels = tables.labels(daily, options, *STAGES)
        fig = charts.coverage_over_time(daily, recall)
        chart_with_table(fig, daily, "coverage_by_day", "coverage_daily", labels=labels)

with notify_tab:
    if notify_tab.open:
        bins, summary = view.read(metrics.time_to_notify, scope), view.read(metrics.time_to_notify_summary, scope)
        cols = st.columns(4)
        for col, column in zip(cols, NOTIFY.parts, strict=True):
            value = summary[column]
            col.metric(NOTIFY.parts[column], NOTIFY.unit.format(value) if column.endswith("_h") else f"{value:,}")
        st.caption(NOTIFY.rule(options))
        chart_with_table(charts.hours_histogram(bins, summary), bins, "time_to_notify", "coverage_notify")

SHOWN = 1_000
with unreachable_tab:
    if unreachable_tab.open:
        unreachable = funnel["affected_customers"] - funnel["reached"]
        first = view.read(metrics.unreachable_customers, scope, SHOWN)
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
        shown = tables.plain_labels(first)
        tables.show(first, "coverage_unreachable", shown, show_pii)
        download_buttons(
            lambda: view.read(metrics.unreachable_customers, scope),
            "unreachable_customers",
            "coverage_unreachable",
            show_pii,
            shown.headers,
        )
