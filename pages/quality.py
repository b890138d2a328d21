"""Quality (leadership, analysts): FCR with its method named, CSAT with its interval, repeat-contact reasons."""

import polars as pl
import streamlit as st

import ui
from metrics.scope import PHASE_LABELS
from ui import charts, data, filters, tiles
from ui.export import chart_with_table
from ui.text import md

ui.through_router()

version, recall, phase, chosen = filters.recall_view()
as_of = filters.as_of_now()
rid, label = recall["recall_id"], PHASE_LABELS[phase]

st.title("Quality")
st.caption(f"{md(recall['name'])} · {label} · as of {as_of:%Y-%m-%d %H:%M} UTC")
targets = data.targets()

st.subheader("First contact resolution")
options = filters.fcr_options()
days = options.fcr_window_h // 24
method = (
    f"**Repeat-contact FCR, {days}-day window.** Eligible: handled inbound contacts with a known customer whose "
    f"{days}-day window has closed. Resolved: not transferred, and the same customer made no other inbound contact "
    f"for this recall, on any channel, within {days} days. Pending: windows still open."
    if options.fcr_method == "repeat_contact"
    else "**Zendesk one-touch.** Resolved: solved or closed Zendesk tickets with fewer than 2 agent replies, "
    "÷ solved or closed Zendesk tickets with a known reply count. Pending: Zendesk tickets not yet solved."
)
st.markdown(method)
fcr = data.fcr(version, rid, as_of, "phase", options, chosen)
now = fcr.filter(pl.col("phase") == phase).row(0, named=True)
cols = st.columns(4)
with cols[0]:
    tiles.tile(f"FCR · {label}", now["rate"], "pct", now["n"], "fcr", help_text=method.replace("**", ""))
cols[1].metric("Resolved", f"{now['resolved']:,}")
cols[2].metric("Eligible", f"{now['n']:,}")
cols[3].metric("Pending (window open)", f"{now['pending']:,}")
left, right = st.columns(2)
with left:
    fig = charts.rate_by_phase(fcr, PHASE_LABELS, target=targets.get("fcr"))
    chart_with_table(fig, fcr, "fcr_by_phase", "quality_fcr_phase")
with right:
    fcr_daily = data.fcr(version, rid, as_of, "day", options, chosen)
    chart_with_table(charts.rate_by_day(fcr_daily, recall, phase), fcr_daily, "fcr_by_day", "quality_fcr_day")

st.subheader("Customer satisfaction")
st.caption(tiles.HELP["csat"] + " Bars show the 95 % Wilson interval; n < 30 is grey, n < 5 is not shown.")
csat = data.csat(version, rid, as_of, "phase", chosen)
left, right = st.columns(2)
with left:
    st.markdown("**CSAT per phase**")
    fig = charts.rate_by_phase(csat, PHASE_LABELS, target=targets.get("csat"), ci=True)
    chart_with_table(fig, csat, "csat_by_phase", "quality_csat_phase")
with right:
    st.markdown(f"**CSAT by channel · {label}**")
    by_channel = data.csat(version, rid, as_of, "phase", chosen, "channel").filter(pl.col("phase") == phase)
    fig = charts.csat_by_channel(by_channel, targets.get("csat"))
    chart_with_table(fig, by_channel, "csat_by_channel", "quality_csat_channel")

st.subheader(f"Repeat contacts · {label}")
st.caption(
    f"Contacts not resolved at first contact because the customer came back within {days} days (any channel), "
    "by the first contact's reason, and from which channel to which."
)
reasons = data.repeat_reasons(version, rid, as_of, options, chosen).filter(pl.col("phase") == phase)
switches = data.channel_switches(version, rid, as_of, options, chosen).filter(pl.col("phase") == phase)
if reasons.height == 0:
    st.info("No repeated contact whose window has closed in this phase.")
    st.stop()
left, right = st.columns([3, 2])
with left:
    st.markdown("**Reason of the first contact**")
    chart_with_table(charts.reasons_bars(reasons), reasons, "repeat_reasons", "quality_reasons")
with right:
    st.markdown("**Channel switch: first contact → repeat**")
    chart_with_table(charts.switch_matrix(switches), switches, "repeat_channel_switches", "quality_switches")
