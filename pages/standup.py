"""Stand-up (wall screen): big red/amber/green tiles of today so far (metrics/today.py) with their
change against the same window yesterday and the cumulative value below, refreshed by itself, under
a strip of the alerts firing (ui/alert_strip.py); the whole screen sized to the viewport (ui/wall.py).

URL: ``?kiosk=1`` (no sidebar, header, menu or navigation), ``refresh=S`` (seconds; default the
wall refresh setting), ``as_of=ISO8601`` (replay a moment; default now), ``rotate=overview,volume,
coverage&every=S`` (views, see ui/wall.py), plus the shared ``recall``/``phase``/``channels`` filters.
"""

import time
from datetime import timedelta

import streamlit as st

import metrics
import ui
from metrics.freshness import freshness
from metrics.standup import hourly_volume
from metrics.today import today_tiles
from ui import access, alert_strip, charts, data, filters, live_status, sample, wall, wall_views

ui.through_router()

kiosk = access.kiosk()  # ?kiosk=1, or a wall-token session
wall.css(kiosk)
view = filters.recall_view(busy_notice=False)  # the screen says it, in the recall's zone
recall, phase = view.recall, view.phase
replay = filters.replay_time(say_why=False)  # an unreadable ?as_of= was named by recall_view
views = wall.parse_views(st.query_params.get("rotate"))
if unknown := wall.unknown_views(st.query_params.get("rotate")):
    filters.notice("rotate", ",".join(unknown), f"the views are {', '.join(wall.VIEWS)}")
for key in ("every", "refresh"):
    if (text := st.query_params.get(key)) and not wall.valid_seconds(text):
        filters.notice(key, text, "the default number of seconds is used")
every = wall.seconds(st.query_params.get("every"), 60, low=10)
configured = data.setting(view.version, "refresh_s")
refresh = wall.seconds(st.query_params.get("refresh"), configured)
run_every = min(refresh, max(every / 3, wall.MIN_REFRESH_S)) if len(views) > 1 else refresh
zone = recall["timezone"]
live_on = replay is None and live_status.active()  # live sources: refresh often, report time to the second
# What stands above the wall's screen in kiosk mode, in % of the viewport's height: the REPLAY band
# (app.py, ui/replay.py) and the blended-sample caption (ui/sample.py).
shared = sample.share(view.version)
above = (5 if replay is not None else 0) + (4 if kiosk and shared is not None and not shared.only_sample else 0)
run_every = min(run_every, live_status.LIVE_REFRESH_S) if live_on else run_every


@st.fragment(run_every=timedelta(seconds=run_every))
def screen() -> None:
    if access.wall_session_ended():
        st.rerun()  # the wall token was rotated: the whole app reruns and refuses this session
    with data.one_connection():  # a rerun of the fragment alone is one run (ui/data.py)
        v = data.ledger_version()  # a file loaded by another process shows up on the next run
        data.busy_notice(zone)  # while another process holds the store: the last numbers, and since when
        try:
            draw(v)
        except data.StoreBusy:
            st.info(data.NOT_READ_YET)


def draw(v: tuple) -> None:
    if data.setting(v, "refresh_s") != configured:
        st.rerun()  # the interval was changed on the Settings page: re-arm the timer
    if replay is None and live_status.active() != live_on:
        st.rerun()  # a live source started or went quiet: re-arm the timer
    now = live_status.report_time(filters.now_minute())  # to the second in a minute something loaded
    scope = view.scope.at(replay or now)
    fresh = data.read(v, freshness, scope.as_of)
    live = live_status.frame() if live_on else None
    head = wall.header_html(recall["name"], scope.as_of, zone)
    banner = wall.stale_banner(fresh, live_status.problems(live) if live_on else None)
    strip = alert_strip.strip_html(data.alert_states(replay, recall["recall_id"]), zone)
    view_name = wall.pick_view(views, every, time.time())
    live_items = live_status.wall_html(live, zone) if live_on else ""
    foot = wall.freshness_html(fresh, zone, scope.as_of, live_items)
    nxt = f" · views {', '.join(views)} every {every:.0f} s" if len(views) > 1 else ""
    status = wall.status_html(view_name, run_every, nxt)
    if view_name == "overview":
        result = data.read(v, today_tiles, scope, phase)
        body = wall.tiles_html(result, data.targets(v), scope.options, phase)
    elif view_name == "volume":
        day = data.read(v, today_tiles, scope, phase)
        today = data.read(v, hourly_volume, scope, day["today"])
        before = data.read(v, hourly_volume, scope, day["yesterday"])  # the whole day
        so_far = wall_views.hours_so_far(scope.as_of, zone, day["today"])
        stale = wall_views.stale_series(fresh, zone)
        colors = charts.CHANNEL_COLORS
        body = wall_views.volume_html(today, before, colors, day["today"], day["yesterday"], so_far, stale)
    else:
        coverage = data.read(v, metrics.coverage_shares, scope).row(0, named=True)
        body = wall_views.coverage_html(coverage, data.read(v, metrics.funnel_outside, scope))
    bottom = f'<div class="wall-foot">{foot}{status}</div>'
    st.markdown(wall.screen_html([head, banner, strip, body, bottom], above), unsafe_allow_html=True)


screen()
