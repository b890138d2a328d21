"""Channels & handling (leadership, analysts): volume, channel mix, handle time, phone service, backlog."""

import polars as pl
import streamlit as st

import metrics
import ui
from metrics.catalog import CATALOG
from metrics.scope import PHASE_LABELS
from ui import charts, data, filters, tables, tabs, tiles
from ui.export import download_buttons
from ui.tables import chart_with_table
from ui.text import md

ui.through_router()

view = filters.recall_view()
recall, phase, scope = view.recall, view.phase, view.scope
options = scope.options

st.title("Channels & handling")
st.caption(f"{md(recall['name'])} · {PHASE_LABELS[phase]} · {view.describe()} · as of {scope.as_of:%Y-%m-%d %H:%M} UTC")
daily = view.read(metrics.volume, scope, "day")
if daily.height == 0:
    st.info("No inbound contacts for this recall and these filters yet.")
    st.stop()

volume_tab, aht_tab, phone_tab, tickets_tab = tabs.open_only(
    "channels", ["Volume & mix", "Handle time", "Phone service", "Tickets"]
)
aht = CATALOG["aht_s"]

with volume_tab:
    if volume_tab.open:
        left, right = st.columns(2)
        with left:
            st.subheader(f"{CATALOG['contacts'].label} by channel per day")
            by_day = daily.filter(pl.col("channel") != "all").pivot(on="channel", index="day", values="contacts")
            chart = charts.channel_volume(daily, recall, phase)
            chart_with_table(chart, by_day.fill_null(0), "contacts_by_day", "channels_volume")
        with right:
            st.subheader(f"{CATALOG['channel_mix'].label} per phase")
            mix = view.read(metrics.volume, scope, "phase").filter(pl.col("contacts") > 0)
            labels = tables.labels(mix, options, "contacts", "channel_mix")
            chart_with_table(charts.channel_mix(mix, PHASE_LABELS), mix, "channel_mix", "channels_mix", labels=labels)

with aht_tab:
    if aht_tab.open:
        st.subheader(f"{aht.label} by channel · {PHASE_LABELS[phase]}")
        by_channel = view.read(metrics.handle_time, scope, "phase").filter(pl.col("phase") == phase)
        chart_with_table(
            charts.handle_time_bars(by_channel),
            by_channel,
            "handle_time_by_channel",
            "channels_aht",
            labels=tables.labels(by_channel, options, "aht_s"),
        )
        st.subheader(f"{aht.label} by queue or agent · {PHASE_LABELS[phase]}")
        dim = st.segmented_control("Break down by", ["queue", "agent"], key="channels_aht_by", default="queue")
        dim = dim or "queue"
        split = view.read(metrics.handle_time, scope, "phase", dim)
        split = split.filter((pl.col("phase") == phase) & (pl.col("n") > 0)).sort("n", descending=True)
        split_labels = tables.labels(split, options, "aht_s")
        tables.show(split.drop("phase"), "channels_aht_split", split_labels)
        download_buttons(split, f"handle_time_by_{dim}", "channels_aht_split", headers=split_labels.headers)

PHONE = ("service_level", "abandon_rate", "asa_s", "short_abandons")
with phone_tab:
    if phone_tab.open:
        st.subheader("Phone: " + ", ".join(CATALOG[k].label.lower() for k in PHONE[:3]))
        targets = data.targets(view.version)
        service = view.read(metrics.service_level, scope, "phase")
        tiles.style()
        cols = st.columns(len(PHONE))
        for col, key in zip(cols, PHONE, strict=True):
            with col:
                tiles.tile(CATALOG[key], CATALOG[key].reading(service, phase), options, target=targets.get(key))
        service_daily = view.read(metrics.service_level, scope, "day")
        fig = charts.service_by_day(service_daily, recall, targets, phase)
        service_labels = tables.labels(service_daily, options, *PHONE)
        chart_with_table(fig, service_daily, "phone_service_by_day", "channels_service", labels=service_labels)
        order = ["phase", "offered", "answered", "answered_within", "sl_rate", "abandoned", "abandon_rate", "asa_s"]
        service_table = service.select(*order, "short_abandons")
        tables.show(service_table, "channels_service_phases", tables.labels(service_table, options, *PHONE))

with tickets_tab:
    if tickets_tab.open:
        left, right = st.columns(2)
        with left:
            backlog = CATALOG["backlog"]
            st.subheader(f"{backlog.label} at the end of each day")
            per_day = view.read(metrics.backlog, scope)
            chart_with_table(
                charts.backlog_lines(per_day, recall, phase),
                per_day,
                "ticket_backlog",
                "channels_backlog",
                labels=tables.labels(per_day, options, "backlog"),
            )
        with right:
            times = ("first_reply_s", "resolution_s")
            st.subheader(" and ".join(CATALOG[k].label for k in times) + " per phase")
            per_phase = view.read(metrics.ticket_times, scope, "phase")
            chart_with_table(
                charts.ticket_times_bars(per_phase, PHASE_LABELS),
                per_phase,
                "ticket_times",
                "channels_ticket_times",
                labels=tables.labels(per_phase, options, *times),
            )
