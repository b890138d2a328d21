"""Stand-up wall screen: kiosk, tiles and colours, deltas since yesterday, stale banner, refresh, rotation."""

from __future__ import annotations

import inspect
import re
from datetime import datetime

import pytest
import streamlit.commands.navigation as nav_command
from conftest import ROOT, load
from streamlit.testing.v1 import AppTest

from metrics import Scope
from metrics.catalog import on
from metrics.standup import standup
from store import settings
from store.db import connect
from ui import wall

FIXTURE_AS_OF = "2026-04-01T00:00:00Z"

# A hand-made recall for the deltas. A = 2026-03-02T15:00Z (09:00 CST). Report time T =
# 2026-03-04T18:00Z (12:00 CST, local day 03-04 from 06:00Z); yesterday's stand-up T − 24 h =
# 2026-03-03T18:00Z (local day 03-03 from 06:00Z).
DELTA_RECALL = """[recall]
id = "R2"
name = "Delta recall"
timezone = "America/Chicago"
country = "US"
announced_at = "2026-03-02T09:00:00-06:00"

[match]
queues = ["Recall Line"]
"""
DELTA_CONTACTS = """source,source_id,recall_id,channel,direction,created_at,status,is_abandoned,wait_s,resolved_at
five9,k1,R2,phone,inbound,2026-03-01T12:00:00Z,completed,false,10,
five9,k2,R2,phone,inbound,2026-03-02T16:00:00Z,completed,false,10,
five9,k3,R2,phone,inbound,2026-03-02T20:00:00Z,abandoned,true,30,
five9,k4,R2,phone,inbound,2026-03-03T15:00:00Z,completed,false,10,
five9,k5,R2,phone,inbound,2026-03-03T17:00:00Z,completed,false,30,
five9,k6,R2,phone,inbound,2026-03-03T20:00:00Z,abandoned,true,40,
five9,k7,R2,phone,inbound,2026-03-04T07:00:00Z,completed,false,5,
five9,k8,R2,phone,inbound,2026-03-04T12:00:00Z,completed,false,45,
five9,k9,R2,phone,inbound,2026-03-04T19:00:00Z,completed,false,5,
zendesk,e1,R2,email,inbound,2026-03-04T17:30:00Z,open,,,
zendesk,e2,R2,email,inbound,2026-03-03T16:00:00Z,solved,,,2026-03-04T10:00:00Z
zendesk,e3,R2,email,inbound,2026-03-02T17:00:00Z,open,,,
zendesk,e4,R2,email,inbound,2026-03-04T16:00:00Z,open,,,
"""
DELTA_AS_OF = "2026-03-04T18:00:00Z"
# Worked values (phase "all"):
# contacts today (03-04 local, ≤ T): k7 k8 e1 e4 = 4; yesterday (03-03 local, ≤ T−24h): k4 k5 e2 = 3 → +1.
# since announcement: now k2..k8 + e1..e4 = 11; then k2 k3 k4 k5 e2 e3 = 6 → +5.
# service level: now offered k1 k2 k4 k5 k7 k8 + abandoned k3 k6 = 8, ≤ 20 s k1 k2 k4 k7 = 4 → 0.5;
#   then offered k1 k2 k4 k5 + k3 = 5, ≤ 20 s k1 k2 k4 = 3 → 0.6; delta −0.1.
# abandon: now 2/8 = 0.25, then 1/5 = 0.2 → +0.05. ASA: now 110/6, then 60/4 = 15 → +10/3.
# backlog: now open e1 e3 e4 = 3 (aged: e3), then e2 e3 = 2 (aged: e3, created 25 h before) → +1, aged ±0.


@pytest.fixture
def delta_files(tmp_path):
    folder = tmp_path / "delta"
    folder.mkdir()
    (folder / "recall.toml").write_text(DELTA_RECALL)
    (folder / "contacts.csv").write_text(DELTA_CONTACTS)
    return folder


@pytest.fixture
def delta_db(tmp_path, monkeypatch, delta_files):
    path = tmp_path / "delta.duckdb"
    con = connect(path)
    load(con, delta_files)
    con.close()
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    return path


def standup_page(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()  # through app.py (the router), as a browser would
    at.switch_page("pages/standup.py").run()
    assert not at.exception, at.exception
    return at


def html(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def tiles(at: AppTest) -> dict[str, dict[str, str]]:
    """tile -> {colour, value, delta, sub} as shown."""
    pattern = (
        r'data-tile="(\w+)" data-colour="(\w+)".*?data-value="\w+">([^<]*)</div>'
        r'<div class="wall-delta[^"]*" data-delta="\w+">([^<]*)</div><div class="wall-sub">([^<]*)</div>'
    )
    found = re.findall(pattern, html(at))
    return {k: {"colour": c, "value": v, "delta": d, "sub": s} for k, c, v, d, s in found}


def set_setting(path, key, value):
    con = connect(path)
    settings.put(con, key, value)
    con.close()


# --- rotation (pure) ---


def test_pick_view_by_elapsed_time():
    views = ["overview", "volume", "coverage"]
    assert wall.pick_view(views, 60, 0) == "overview"
    assert wall.pick_view(views, 60, 59.9) == "overview"
    assert wall.pick_view(views, 60, 60) == "volume"
    assert wall.pick_view(views, 60, 125) == "coverage"
    assert wall.pick_view(views, 60, 180) == "overview"
    assert wall.pick_view(views, 60, 1_700_000_000) == views[(1_700_000_000 // 60) % 3]
    assert wall.pick_view(["coverage"], 60, 999) == "coverage"
    assert wall.pick_view(views, 0, 999) == "overview"


def test_parse_views_and_seconds():
    assert wall.parse_views("tiles, Coverage,bogus") == ["overview", "coverage"]
    assert wall.parse_views(None) == ["overview"] and wall.parse_views("bogus") == ["overview"]
    assert wall.seconds(None, 30) == 30 and wall.seconds("2", 30) == 5 and wall.seconds("x", 30) == 30
    assert wall.seconds("99999", 30) == 3600


# --- kiosk ---


def test_kiosk_hides_sidebar_header_and_navigation(db, monkeypatch):
    positions = []
    real = nav_command._navigation

    def spy(pages, **kw):
        if any(f.filename == str(ROOT / "app.py") for f in inspect.stack()):  # app.py's call, not the runner's
            positions.append(kw["position"])
        return real(pages, **kw)

    monkeypatch.setattr(nav_command, "_navigation", spy)
    at = standup_page(kiosk="1", as_of=FIXTURE_AS_OF)
    assert positions[-1] == "hidden", positions
    css = html(at)
    assert '[data-testid="stSidebar"]' in css and '[data-testid="stHeader"]' in css and "display: none" in css
    assert "#0b1018" in css  # the dark wall theme

    at = standup_page(as_of=FIXTURE_AS_OF)
    assert positions[-1] == "sidebar"
    assert '[data-testid="stSidebar"]' not in html(at)


# --- tiles on the metrics fixture (tests/fixtures/metrics/README.md) ---


def test_tiles_show_fixture_values_and_colours(db):
    t = tiles(standup_page(kiosk="1", as_of=FIXTURE_AS_OF))
    assert list(t) == [m.id for m in on("standup")]  # every stand-up metric of the catalog, in order
    assert t["contacts_today"]["value"] == "0" and t["contacts_today"]["sub"].startswith("12 since announcement")
    # The main values are today's (31 Mar local, up to 19:00 CDT): no calls, no responses → "—",
    # uncoloured; FCR's day (23 Mar, whose 7-day windows closed) has no contacts either. Below each,
    # the cumulative value since the announcement (tests/fixtures/metrics/README.md).
    for key in ("service_level", "abandon_rate", "asa_s", "fcr", "repeat_rate", "csat"):
        assert (t[key]["value"], t[key]["colour"]) == ("—", "neutral"), key
    assert t["service_level"]["sub"] == "40.0% since announcement · n = 0"  # 2/5
    assert t["abandon_rate"]["sub"].startswith("20.0% since announcement")  # 1/5
    assert t["asa_s"]["sub"].startswith("18 s since announcement")  # 55/3
    assert t["fcr"]["sub"].startswith("42.9% since announcement")  # 3/7
    assert t["csat"]["sub"].startswith("— since announcement")  # n = 4 < 5: hidden
    assert (t["backlog"]["value"], t["backlog"]["colour"]) == ("1", "neutral")  # c7 open, aged
    assert "aged &gt; 24 h: 1" in t["backlog"]["sub"]
    assert (t["coverage"]["value"], t["coverage"]["colour"]) == ("75.0%", "neutral")  # reached 3 of 4
    assert "remedied 25.0% of 4" in t["coverage"]["sub"]


# --- deltas since yesterday's stand-up (hand-made fixture above) ---


def test_standup_deltas_by_hand(delta_files, tmp_path):
    con = connect(tmp_path / "d.duckdb")
    load(con, delta_files)
    r = standup(con, Scope("R2", datetime(2026, 3, 4, 18)))
    con.close()
    t = r["tiles"]
    assert str(r["today"]) == "2026-03-04" and str(r["yesterday"]) == "2026-03-03"
    today = t["contacts_today"]
    assert (today["value"], today["previous"], today["delta"]) == (4, 3, 1)
    assert (today["extra"], today["previous_extra"], today["extra_delta"]) == (11, 6, 5)
    assert t["service_level"]["value"] == 0.5 and t["service_level"]["previous"] == 0.6
    assert t["service_level"]["delta"] == pytest.approx(-0.1)
    assert (t["service_level"]["n"], t["service_level"]["previous_n"]) == (8, 5)
    assert t["abandon_rate"]["delta"] == pytest.approx(0.05)
    assert t["asa_s"]["value"] == pytest.approx(110 / 6) and t["asa_s"]["delta"] == pytest.approx(110 / 6 - 15)
    assert (t["backlog"]["value"], t["backlog"]["previous"], t["backlog"]["delta"]) == (3, 2, 1)
    assert (t["backlog"]["extra"], t["backlog"]["extra_delta"]) == (1, 0)
    assert t["fcr"]["delta"] is None and t["coverage"]["value"] is None  # no customers, no registry


def test_page_shows_deltas_since_yesterday(delta_db):
    t = tiles(standup_page(kiosk="1", as_of=DELTA_AS_OF))
    assert t["contacts_today"]["value"] == "4" and t["contacts_today"]["delta"] == "+1 since yesterday"
    assert t["contacts_today"]["sub"].startswith("11 since announcement (+5)")
    # Phone tiles: today so far (metrics/today.py, tests/test_today.py): 2 calls, too few to show
    # (n < 5), compared with the same window yesterday; the cumulative value below (8 offered).
    sl = t["service_level"]
    assert (sl["value"], sl["delta"]) == ("—", "— vs same time yesterday")
    assert sl["sub"] == "50.0% since announcement · n = 2 · too few to show"
    assert t["abandon_rate"]["sub"].startswith("25.0% since announcement")
    assert (t["backlog"]["value"], t["backlog"]["delta"]) == ("3", "+1 since yesterday")
    assert "REPLAY of Wed 04 Mar 2026 12:00 CST" in html(standup_page(kiosk="1", as_of=DELTA_AS_OF))


# --- stale banner and "data as of" ---


def test_stale_banner_only_when_a_source_is_older_than_its_threshold(db):
    text = html(standup_page(kiosk="1", as_of=FIXTURE_AS_OF))
    banner = re.search(r'data-stale="1">([^<]*)<', text).group(1)
    # five9 contacts 03-12T10:00Z (20 d), zendesk contacts 03-28T11:00Z (85 h), zendesk csat 26 d; the rest fresh
    assert banner == "⚠ STALE DATA — five9, zendesk: newest record 4 days old or more (threshold 24 h)"
    assert "<b>sendgrid</b> as of Tue 31 Mar 19:00" in text  # newest record after as_of: capped to it

    set_setting(db, "stale_hours", {"default": 24 * 60})
    text = html(standup_page(kiosk="1", as_of=FIXTURE_AS_OF))
    assert 'data-stale="1"' not in text and "STALE" not in text

    set_setting(db, "stale_hours", {"default": 24 * 60, "zendesk": 24})
    text = html(standup_page(kiosk="1", as_of=FIXTURE_AS_OF))
    banner = re.search(r'data-stale="1">([^<]*)<', text).group(1)
    assert banner.startswith("⚠ STALE DATA — zendesk: newest record 4 days old or more") and "five9" not in banner


# --- refresh and views ---


def test_refresh_interval_from_settings_and_url(db):
    assert "refreshes every 30 s" in html(standup_page(as_of=FIXTURE_AS_OF))
    assert "refreshes every 5 s" in html(standup_page(as_of=FIXTURE_AS_OF, refresh="5"))
    set_setting(db, "refresh_s", 45)
    assert "refreshes every 45 s" in html(standup_page(as_of=FIXTURE_AS_OF))


def test_new_file_shows_up_on_the_next_run_without_a_click(db, tmp_path):
    at = standup_page(kiosk="1", as_of=FIXTURE_AS_OF)
    assert tiles(at)["contacts_today"]["value"] == "0"
    extra = tmp_path / "late.csv"
    extra.write_text(
        "source,source_id,recall_id,channel,direction,created_at,status\n"
        "zendesk,late1,R1,email,inbound,2026-03-31T20:00:00Z,open\n"
    )
    con = connect(db)
    load(con, extra)
    con.close()
    at.run()  # what the fragment's run_every timer does
    t = tiles(at)
    assert t["contacts_today"]["value"] == "1" and t["backlog"]["value"] == "2"


@pytest.mark.parametrize("view", ["volume", "coverage"])
def test_single_views(db, view):
    at = standup_page(kiosk="1", as_of="2026-03-06T20:00:00Z", rotate=view)
    page = html(at)
    assert f'data-view="{view}"' in page and f'data-chart="{view}"' in page  # drawn in vh (ui/wall_views.py)
    assert 'class="wall-grid"' not in page
    if view == "volume":  # 20:00Z on Fri 6 Mar is 14:00 CST: hours 0-14 have begun, 15-23 are to come
        assert page.count('class="wall-hour"') == 24 and page.count("wall-bar future") == 9


def test_bad_as_of_is_reported_and_now_is_used(db):
    at = standup_page(as_of="yesterday")
    assert at.error and "not an ISO 8601 time" in at.error[0].value
    assert "REPLAY" not in html(at)


def test_first_request_after_a_restart_goes_through_the_router(db, monkeypatch):
    """A wall screen reconnecting after a restart is the server's first request, for /standup: the page
    must still run under app.py's st.navigation (kiosk navigation hidden), not Streamlit's pages/ mode."""
    positions = []
    real = nav_command._navigation

    def spy(pages, **kw):
        if any(f.filename == str(ROOT / "app.py") for f in inspect.stack()):
            positions.append(kw["position"])
        return real(pages, **kw)

    monkeypatch.setattr(nav_command, "_navigation", spy)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["kiosk"] = "1"
    at.query_params["as_of"] = FIXTURE_AS_OF
    at.switch_page("pages/standup.py").run()  # no earlier run: Streamlit starts in pages/ mode
    assert not at.exception, at.exception
    assert positions == ["hidden"]
    assert tiles(at)["service_level"]["sub"].startswith("40.0% since announcement")
