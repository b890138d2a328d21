"""The stand-up's windowed values (metrics/today.py): today so far, the last full day before 10:00
local, the same window yesterday, the closed day of FCR; and the sample check of issue 15."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, load
from test_standup import DELTA_CONTACTS, DELTA_RECALL

from metrics import Scope
from metrics.catalog import CATALOG
from metrics.today import standup_day, today_tiles, windows
from store.db import connect

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def delta_con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("today")
    (folder / "recall.toml").write_text(DELTA_RECALL)
    (folder / "contacts.csv").write_text(DELTA_CONTACTS)
    con = connect(folder.parent / f"{folder.name}.duckdb")
    load(con, folder)
    yield con
    con.close()


def test_the_stand_up_day_is_today_from_10_local_and_yesterday_in_full_before():
    # 2026-03-04 is CST (UTC−6): 16:00Z is 10:00 local, 15:59Z is 09:59.
    today = standup_day(datetime(2026, 3, 4, 16, 0), CHICAGO)
    assert (today.day, today.end, today.label) == (date(2026, 3, 4), datetime(2026, 3, 4, 16, 0), "today")
    early = standup_day(datetime(2026, 3, 4, 15, 59), CHICAGO)
    assert (early.day, early.end, early.label) == (date(2026, 3, 3), datetime(2026, 3, 4, 6, 0), "yesterday")


def test_fcr_looks_at_the_newest_day_whose_windows_have_closed():
    # 2026-04-15T18:00Z = 13:00 CDT; minus 7 days = 8 Apr 13:00 local; the day before: 7 Apr, whose
    # contacts' 7-day windows all ended by 15 Apr 00:00 local.
    now, before = windows(CATALOG["fcr"], datetime(2026, 4, 15, 18, 0), CHICAGO, 7)
    assert (now.day, now.label, before.day) == (date(2026, 4, 7), "7 Apr contacts", date(2026, 4, 6))
    assert before.end == datetime(2026, 4, 14, 18, 0)


def test_today_so_far_against_the_same_window_yesterday(delta_con):
    # T = 2026-03-04T18:00Z = 12:00 CST: today = 03-04 local (from 06:00Z) up to 18:00Z: calls k7 (wait
    # 5 s) and k8 (45 s) → offered 2, ≤ 20 s: k7 → SL 1/2, abandon 0/2, ASA (5 + 45)/2 = 25 s.
    # Same window yesterday (03-03 06:00Z – 03-03 18:00Z): k4 (10 s), k5 (30 s); k6 (20:00Z) is later
    # → SL 1/2, abandon 0, ASA 20 s. Deltas: SL 0, ASA +5 s. Cumulative SL (standup()): 0.5 of 8.
    tiles = today_tiles(delta_con, Scope("R2", "2026-03-04T18:00:00Z"))["tiles"]
    sl, asa, ab = tiles["service_level"], tiles["asa_s"], tiles["abandon_rate"]
    assert (sl["value"], sl["n"], sl["previous"], sl["previous_n"], sl["delta"]) == (0.5, 2, 0.5, 2, 0.0)
    assert (asa["value"], asa["previous"], asa["delta"]) == (25.0, 20.0, 5.0)
    assert (ab["value"], ab["delta"]) == (0.0, 0.0)
    assert (sl["window"], sl["versus"]) == ("today", "same time yesterday")
    assert (sl["cumulative"], sl["cumulative_n"]) == (0.5, 8)


def test_before_10_the_tiles_show_yesterday_in_full(delta_con):
    # T = 2026-03-04T15:00Z = 09:00 CST → 03-03 in full (06:00Z 03-03 – 06:00Z 03-04): k4 (10 s),
    # k5 (30 s), k6 abandoned after 40 s → SL 1/3, abandon 1/3, ASA (10 + 30)/2 = 20 s. The day
    # before, 03-02 in full: k2 (10 s), k3 abandoned after 30 s → SL 1/2, abandon 1/2, ASA 10 s.
    tiles = today_tiles(delta_con, Scope("R2", "2026-03-04T15:00:00Z"))["tiles"]
    sl, ab, asa = tiles["service_level"], tiles["abandon_rate"], tiles["asa_s"]
    assert (sl["n"], sl["window"], sl["versus"]) == (3, "yesterday", "the day before")
    assert sl["value"] == pytest.approx(1 / 3) and sl["delta"] == pytest.approx(1 / 3 - 1 / 2)
    assert ab["value"] == pytest.approx(1 / 3) and ab["previous"] == pytest.approx(1 / 2)
    assert (asa["value"], asa["previous"], asa["delta"]) == (20.0, 10.0, 10.0)


def test_sample_service_level_n_is_that_days_answered_and_abandoned_calls(tmp_path):
    """Issue 15's check: at 2026-04-15T18:00Z the service-level tile's n is that day's answered +
    abandoned (≥ 5 s) recall calls up to then, counted here straight from the contacts table."""
    con = connect(tmp_path / "sample.duckdb")
    load(con, ROOT / "sample_data" / "car_seat")
    tile = today_tiles(con, Scope("CS-2026-014", "2026-04-15T18:00:00Z"))["tiles"]["service_level"]
    (calls,) = con.execute(
        """SELECT count(*) FROM contacts
           WHERE channel = 'phone' AND direction = 'inbound' AND queue = 'Recall Hotline'
             AND created_at <= TIMESTAMP '2026-04-15 18:00:00'
             AND CAST(timezone('America/Chicago', timezone('UTC', created_at)) AS DATE) = DATE '2026-04-15'
             AND (NOT is_abandoned OR wait_s >= 5)"""
    ).fetchone()
    con.close()
    assert tile["n"] == calls == 3 and tile["window"] == "today"
