"""The REPLAY band every page shows while it replays a past moment (``?as_of=``), and the rules
that keep that moment across pages.

- ``?as_of=ISO8601`` replays that moment on every page (ui/filters.py reads it). The router
  (app.py) calls :func:`band` before each page: it remembers the moment in the session, so that
  moving to another page (Streamlit's navigation drops the query string) keeps replaying it, and
  draws a full-width band "REPLAY of Tue 10 Mar 15:00 CDT — back to live".
- ``?as_of=now`` (the band's "back to live" link) is live: the moment is forgotten.
- While the store holds only the bundled sample recall (ui/sample.py), a page opened without
  ``?as_of=`` replays the sample's :func:`sample_moment` — a weekday afternoon in its second
  week, when it was a live recall — instead of showing a months-old recall as stale. The band
  says so. Real data is never replayed unasked, so its stale banner stays (docs/metrics.md#stand-up-tiles).

API: :func:`band` (the router), :func:`band_html` (pure), :data:`LIVE`.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

LIVE = "now"  # ?as_of=now: live, forget the replayed moment
KEY = "replay_as_of"  # session state: the ?as_of= text last seen
SAMPLE_DAY = 9  # the sample opens on day 9 of its recall (day 1: the announcement's local date)
SAMPLE_CLOCK = time(15, 0)  # at 15:00 local: a working afternoon, past the 10:00 stand-up

BAND_CSS = """<style>
.replay-band {display: block; width: 100%; box-sizing: border-box; background: #f59e0b; color: #1c1917;
  font-weight: 700; padding: 0.35em 0.8em; border-radius: 0.35em; margin: 0 0 0.5em 0; font-size: 1.05rem;}
.replay-band a {color: #1c1917; text-decoration: underline;}
.replay-band .why {font-weight: 400;}
</style>"""


def sample_moment(announced_at: datetime, zone: str) -> datetime:
    """Day :data:`SAMPLE_DAY` of a recall (counting its announcement's local date as day 1) at
    :data:`SAMPLE_CLOCK` in its zone, as naive UTC."""
    tz = ZoneInfo(zone)
    first: date = announced_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).date()
    local = datetime.combine(first + timedelta(days=SAMPLE_DAY - 1), SAMPLE_CLOCK, tzinfo=tz)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def remembered() -> str | None:
    """The ``?as_of=`` text in force: the URL's (remembered for the next page), else the one
    remembered from an earlier page (put back into the URL); ``None`` or :data:`LIVE` when live."""
    text = st.query_params.get("as_of")
    if text is not None:
        st.session_state[KEY] = text
        return text
    text = st.session_state.get(KEY)
    if text and text != LIVE:
        st.query_params["as_of"] = text
    return text


def band_html(as_of: datetime, zone: str, sample: bool = False, kiosk: bool = False) -> str:
    """The band: "REPLAY of <moment in the recall's zone> — back to live" (a link to ``?as_of=now``);
    for the bundled sample, why it is replayed. On a wall (``kiosk``) the link is left out."""
    moment = as_of.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y %H:%M %Z")
    why = ' <span class="why">· the bundled sample recall, whose data is from spring 2026</span>' if sample else ""
    back = "" if kiosk else f' — <a href="?as_of={LIVE}" target="_self" data-replay-live="1">back to live</a>'
    stamp = html.escape(as_of.isoformat())
    return f'<div class="replay-band" data-replay="{stamp}">REPLAY of {moment}{why}{back}</div>'


def band(kiosk: bool = False) -> datetime | None:
    """Keep ``?as_of=`` across pages, replay the sample when only it is loaded, and draw the band;
    returns the replayed moment (naive UTC) or None when live. An unreadable ``?as_of=`` draws no
    band (the page names it: ui/filters.py)."""
    from store import ledger
    from ui import data, filters
    from ui.sample import share

    text = remembered()
    version = data.ledger_version()
    recalls = data.read(version, ledger.recalls)
    if recalls.height == 0:
        return None
    found = share(version)
    sample = found is not None and found.only_sample
    if text is None and sample:
        newest = recalls.row(-1, named=True)
        st.query_params["as_of"] = f"{sample_moment(newest['announced_at'], newest['timezone']):%Y-%m-%dT%H:%M:%SZ}"
    as_of = filters.replay_time(say_why=False)
    if as_of is None:
        return None
    chosen = st.session_state.get("recall") or st.query_params.get("recall")
    ids = recalls["recall_id"].to_list()
    zone = recalls["timezone"][ids.index(chosen) if chosen in ids else -1]
    st.markdown(BAND_CSS + band_html(as_of, zone, sample, kiosk), unsafe_allow_html=True)
    return as_of
