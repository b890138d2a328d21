"""Stand-up (wall screen): big red/amber/green tiles with deltas since yesterday, refreshed by itself.

URL: ``?kiosk=1`` (no sidebar, header, menu or navigation), ``refresh=S`` (seconds; default the
wall refresh setting), ``as_of=ISO8601`` (replay a moment; default now), ``rotate=overview,volume,
coverage&every=S`` (views, see ui/wall.py), plus the shared ``recall``/``phase``/``channels`` filters.
"""

import time
from datetime import timedelta

import streamlit as st

import ui
from metrics import Options
from ui import access, charts, data, filters, live_status, wall

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
live_on = replay is None and live_status.active()  # live sources: refresh often, report time to the second
run_every = min(run_every, live_status.LIVE_REFRESH_S) if live_on else run_every


@st.fragment(run_every=timedelta(seconds=run_every))
def screen() -> None:
    v = data.ledger_version()  # a file loaded by another process shows up on the next run
    if data.setting(v, "refresh_s") != configured:
        st.rerun()  # the interval was changed on the Settings page: re-arm the timer
    if replay is None and live_status.active() != live_on:
        st.rerun()  # a live source started or went quiet: re-arm the timer
    as_of = replay or (live_status.report_time(filters.now_minute()) if live_on else filters.now_minute())
    fresh = data.freshness(v, as_of)
    live = live_status.frame() if live_on else None
    st.markdown(wall.header_html(recall["name"], as_of, zone, replay is not None), unsafe_allow_html=True)
    banner = wall.stale_banner(fresh, live_status.problems(live) if live_on else None)
    if banner:
        st.markdown(banner, unsafe_allow_html=True)
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
    live_items = live_status.wall_html(live, zone) if live_on else ""
    st.markdown(wall.freshness_html(fresh, zone, as_of, live_items), unsafe_allow_html=True)
    nxt = f" · views {', '.join(views)} every {every:.0f} s" if len(views) > 1 else ""
    st.markdown(
        f'<div class="wall-view" data-view="{view}">{view} · refreshes every {run_every:.0f} s{nxt}</div>',
        unsafe_allow_html=True,
    )


screen()
