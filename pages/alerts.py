"""Alerts: what is firing (or was, at ``?as_of=``), acknowledge and silence, the rules, the history
(docs/alerts.md). Viewers see; analysts and admins act."""

import streamlit as st

import ui
from ui import access, alert_page, data, filters
from ui.text import md

ui.through_router()

view = filters.recall_view()
recall = view.recall
replay = filters.replay_time(say_why=False)  # an unreadable ?as_of= was named by recall_view
as_of = replay or filters.now_minute()
zone = recall["timezone"]
editable = access.edits_alerts(access.current_role()) and replay is None

st.title("Alerts")
st.caption(
    f"{md(recall['name'])} · {'replay of' if replay else 'as of'} {alert_page.local(as_of, zone)} ({zone}) · "
    "rules are evaluated every few minutes and after every load"
)
alert_page.flash()
alerts = data.alert_states(replay, recall["recall_id"])
alert_page.current(alerts, zone)
if editable:
    alert_page.evaluate_now()
    alert_page.actions(alerts)
elif replay:
    st.info("Replaying a past moment: acknowledge, silence and rule edits are on the live page.")
alert_page.silence_list(zone, editable)
alert_page.rules_section(editable)
alert_page.history_section(recall["recall_id"], zone)
