"""Stand-up (wall screen): big red/amber/green tiles with deltas since yesterday, refreshed by itself,
under a strip of the alerts firing (ui/alert_strip.py).

URL: ``?kiosk=1`` (no sidebar, header, menu or navigation), ``refresh=S`` (seconds; default the
wall refresh setting), ``as_of=ISO8601`` (replay a moment; default now), ``rotate=overview,volume,
coverage&every=S`` (views, see ui/wall.py), plus the shared ``recall``/``phase``/``channels`` filters.
"""

import time
from datetime import timedelta

import streamlit as st

import ui
from metrics import Options
from ui import access, alert_strip, charts, data, filters, wall

ui.through_router()

kiosk = access.kiosk()  # ?kiosk=1, or a wall-token session
wall.css(kiosk)
version, recall, phase, chosen = filters.recall_view()
replay = filters.replay_time()
views = wall.parse_views(st.query_params.get("rotate"))
every = wall.seconds(st.query_params.get("every"), 60, low=10)
configured = data.setting(version, "refresh_s")
refresh = wall.seconds(st.query_params.get("refresh"), configured)
run_every = min(refresh, max(every / 3, wall.MIN_REFRESH_S)) if len(views) > 1 else refresh
zone = recall["timezone"]


@st.fragment(run_every=timedelta(seconds=run_every))
def screen() -> None:
    v = data.ledger_version()  # a file loaded by another process shows up on the next run
    if data.setting(v, "refresh_s") != configured:
        st.rerun()  # the interval was changed on the Settings page: re-arm the timer
    as_of = replay or filters.now_minute()
    fresh = data.freshness(v, as_of)
    st.markdown(wall.header_html(recall["name"], as_of, zone, replay is not None), unsafe_allow_html=True)
    banner = wall.stale_banner(fresh)
    if banner:
        st.markdown(banner, unsafe_allow_html=True)
    strip = alert_strip.strip_html(data.alert_states(replay, recall["recall_id"]), zone)
    if strip:
        st.markdown(strip, unsafe_allow_html=True)
    view = wall.pick_view(views, every, time.time())
    result = data.standup(v, recall["recall_id"], as_of, phase, Options(), chosen)
    if view == "overview":
        st.markdown(wall.tiles_html(result, data.targets()), unsafe_allow_html=True)
    elif view == "volume":
        today = data.hourly_volume(v, recall["recall_id"], as_of, result["today"], chosen)
        before = data.hourly_volume(v, recall["recall_id"], as_of, result["yesterday"], chosen)  # the whole day
        fig = wall.hourly_figure(today, before, charts.CHANNEL_COLORS)
        st.plotly_chart(wall.dark_figure(fig), key="standup_volume", theme=None)
    else:
        report = data.report(v, recall["recall_id"], as_of, Options(), chosen)
        fig = wall.dark_figure(charts.coverage_funnel(report["coverage"]))
        fig.update_layout(title="Coverage of affected customers").update_traces(textfont_size=28)
        st.plotly_chart(fig, key="standup_coverage", theme=None)
    st.markdown(wall.freshness_html(fresh, zone, as_of), unsafe_allow_html=True)
    nxt = f" · views {', '.join(views)} every {every:.0f} s" if len(views) > 1 else ""
    st.markdown(
        f'<div class="wall-view" data-view="{view}">{view} · refreshes every {run_every:.0f} s{nxt}</div>',
        unsafe_allow_html=True,
    )


screen()
