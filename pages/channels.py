"""Channels & handling (leadership, analysts): volume, channel mix, handle time, phone service, backlog."""

import polars as pl
import streamlit as st

import ui
from metrics.scope import PHASE_LABELS
from ui import charts, data, filters, tiles
from ui.export import chart_with_table, download_buttons
from ui.text import md

ui.through_router()

version, recall, phase, chosen = filters.recall_view()
as_of = filters.as_of_now()
rid = recall["recall_id"]

st.title("Channels & handling")
st.caption(f"{md(recall['name'])} · {PHASE_LABELS[phase]} · as of {as_of:%Y-%m-%d %H:%M} UTC")
daily = data.volume(version, rid, as_of, "day", chosen)
if daily.height == 0:
    st.info("No inbound contacts for this recall and these filters yet.")
    st.stop()

st.subheader("Inbound contacts by channel per day")
by_day = daily.filter(pl.col("channel") != "all").pivot(on="channel", index="day", values="contacts").fill_null(0)
chart_with_table(charts.channel_volume(daily, recall, phase), by_day, "contacts_by_day", "channels_volume")

left, right = st.columns(2)
with left:
    st.subheader("Channel mix per phase")
    mix = data.volume(version, rid, as_of, "phase", chosen).filter(pl.col("contacts") > 0)
    chart_with_table(charts.channel_mix(mix, PHASE_LABELS), mix, "channel_mix", "channels_mix")
with right:
    st.subheader(f"Handle time by channel · {PHASE_LABELS[phase]}")
    aht = data.handle_time(version, rid, as_of, "phase", chosen).filter(pl.col("phase") == phase)
    chart_with_table(charts.handle_time_bars(aht), aht, "handle_time_by_channel", "channels_aht")

seconds = {
    c: st.column_config.NumberColumn(c.replace("_s", " (s)"), format="%.0f") for c in ("mean_s", "median_s", "p90_s")
}
with st.expander(f"Handle time by queue or agent · {PHASE_LABELS[phase]}"):
    dim = st.segmented_control("Break down by", ["queue", "agent"], key="channels_aht_by", default="queue") or "queue"
    split = data.handle_time(version, rid, as_of, "phase", chosen, dim)
    split = split.filter((pl.col("phase") == phase) & (pl.col("n") > 0)).sort("n", descending=True)
    st.dataframe(split.drop("phase"), key="channels_aht_split", hide_index=True, column_config=seconds)
    download_buttons(split, f"handle_time_by_{dim}", "channels_aht_split")

st.subheader("Phone: service level, abandon rate, speed of answer")
targets = data.targets()
service = data.service_level(version, rid, as_of, "phase", chosen)
now = service.filter(pl.col("phase") == phase).row(0, named=True)
cols = st.columns(4)
with cols[0]:
    tiles.tile("Service level (20 s)", now["sl_rate"], "pct", now["offered"], "sl")
with cols[1]:
    tiles.tile("Abandon rate", now["abandon_rate"], "pct", now["offered"], "abandon")
with cols[2]:
    tiles.tile("Speed of answer", now["asa_s"], "s", now["answered"], "asa")
cols[3].metric("Short abandons (not counted)", f"{now['short_abandons']:,}", help="Abandoned within 5 s.")
service_daily = data.service_level(version, rid, as_of, "day", chosen)
fig = charts.service_by_day(service_daily, recall, targets, phase)
chart_with_table(fig, service_daily, "phone_service_by_day", "channels_service")
columns = {
    "sl_rate": st.column_config.NumberColumn("service level", format="percent"),
    "abandon_rate": st.column_config.NumberColumn("abandon rate", format="percent"),
    "asa_s": st.column_config.NumberColumn("ASA (s)", format="%.0f"),
    "answered_within": "answered ≤ 20 s",
}
order = ["phase", "offered", "answered", "answered_within", "sl_rate", "abandoned", "abandon_rate", "asa_s"]
service_table = service.with_columns(pl.col("phase").replace(PHASE_LABELS)).select(*order, "short_abandons")
st.dataframe(service_table, key="channels_service_phases", hide_index=True, column_config=columns)

left, right = st.columns(2)
with left:
    st.subheader("Ticket backlog at the end of each day")
    backlog = data.backlog(version, rid, as_of, chosen)
    chart_with_table(charts.backlog_lines(backlog, recall, phase), backlog, "ticket_backlog", "channels_backlog")
with right:
    st.subheader("First reply and resolution time per phase")
    times = data.ticket_times(version, rid, as_of, "phase", chosen)
    chart_with_table(charts.ticket_times_bars(times, PHASE_LABELS), times, "ticket_times", "channels_ticket_times")
