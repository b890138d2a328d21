"""Quality (leadership, analysts): FCR with its method named, CSAT with its interval, repeat-contact reasons."""

import polars as pl
import streamlit as st

import metrics
import ui
from metrics.catalog import CATALOG
from metrics.scope import PHASE_LABELS
from metrics.units import SMALL_SAMPLE_RULE
from ui import charts, data, filters, tables, tabs, tiles
from ui.tables import chart_with_table
from ui.text import md

ui.through_router()

view = filters.recall_view()
recall, phase = view.recall, view.phase
label = PHASE_LABELS[phase]

st.title("Quality")
st.caption(f"{md(recall['name'])} · {label} · {view.describe()} · as of {view.scope.as_of:%Y-%m-%d %H:%M} UTC")
targets = data.targets(view.version)

FCR, CSAT = CATALOG["fcr"], CATALOG["csat"]
view = view.with_options(filters.fcr_options())
scope, options = view.scope, view.scope.options
fcr_tab, csat_tab, repeat_tab = tabs.open_only("quality", [FCR.label, CSAT.label, "Repeat contacts"])

with fcr_tab:
    if fcr_tab.open:
        method = FCR.rule(options)
        headline, _, rest = method.partition(". ")
        st.markdown(f"**{headline}.** {rest}")
        fcr = view.read(metrics.fcr, scope, "phase")
        now = FCR.reading(fcr, phase)
        row = fcr.filter(pl.col("phase") == phase).row(0, named=True)
        cols = st.columns(4)
        with cols[0]:
            tiles.tile(FCR, now, options, label=f"{FCR.short} · {label}")
        parts = ((c, FCR.parts[c]) for c in ("resolved", "n", "pending"))
        for col, (column, part) in zip(cols[1:], parts, strict=True):
            col.metric(part, f"{row[column]:,}")
        fcr_labels = tables.labels(fcr, options, "fcr")
        left, right = st.columns(2)
        with left:
            fig = charts.rate_by_phase(fcr, PHASE_LABELS, "fcr", target=targets.get("fcr"))
            chart_with_table(fig, fcr, "fcr_by_phase", "quality_fcr_phase", labels=fcr_labels)
        with right:
            fcr_daily = view.read(metrics.fcr, scope, "day")
            fig = charts.rate_by_day(fcr_daily, recall, phase)
            chart_with_table(fig, fcr_daily, "fcr_by_day", "quality_fcr_day", labels=fcr_labels)

with csat_tab:
    if csat_tab.open:
        st.caption(f"{CSAT.rule(options)} Bars show the 95 % Wilson interval; {SMALL_SAMPLE_RULE}.")
        csat = view.read(metrics.csat, scope, "phase")
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{CSAT.label} per phase**")
            fig = charts.rate_by_phase(csat, PHASE_LABELS, "csat", target=targets.get("csat"), ci=True)
            labels = tables.labels(csat, options, "csat")
            chart_with_table(fig, csat, "csat_by_phase", "quality_csat_phase", labels=labels)
        with right:
            st.markdown(f"**{CSAT.label} by channel · {label}**")
            by_channel = view.read(metrics.csat, scope, "phase", "channel").filter(pl.col("phase") == phase)
            fig = charts.csat_by_channel(by_channel, targets.get("csat"))
            labels = tables.labels(by_channel, options, "csat")
            chart_with_table(fig, by_channel, "csat_by_channel", "quality_csat_channel", labels=labels)

with repeat_tab:
    if repeat_tab.open:
        days = options.fcr_window_h // 24
        st.caption(
            f"Contacts not resolved at first contact because the customer came back within {days} days (any "
            "channel), by the first contact's reason, and from which channel to which."
        )
        reasons = view.read(metrics.repeat_reasons, scope).filter(pl.col("phase") == phase)
        switches = view.read(metrics.channel_switches, scope).filter(pl.col("phase") == phase)
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
