"""The REPLAY band (ui/replay.py) and the first start (issue 15, item 0): a store holding only the
bundled sample replays its day 9 with a band saying so; real data is never replayed unasked and keeps
its stale banner; ``?as_of=`` survives moving between pages; ``?as_of=now`` is live."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
from conftest import ROOT, load, open_page
from streamlit.testing.v1 import AppTest
from test_standup import html, set_setting, tiles

from store.db import connect
from store.sample import SAMPLE_LOADER
from ui.replay import band_html, sample_moment

SAMPLE = ROOT / "sample_data" / "car_seat"


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    con = connect(path)
    load(con, SAMPLE, loaded_by=SAMPLE_LOADER)
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def sample_db(tmp_path, monkeypatch, sample_template):
    path = tmp_path / "app.duckdb"
    shutil.copyfile(sample_template, path)
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    return path


def app(page: str = "pages/standup.py", **query) -> AppTest:
    return open_page(page, **query)


def test_the_sample_moment_is_day_9_at_15_local():
    # Announced 2026-03-02 09:00 CST (15:00Z): day 1 is 2 Mar, day 9 is Tue 10 Mar, after the switch to
    # CDT (8 Mar): 15:00 CDT = 20:00Z.
    assert sample_moment(datetime(2026, 3, 2, 15, 0), "America/Chicago") == datetime(2026, 3, 10, 20, 0)


def test_the_band_names_the_moment_in_the_recalls_zone_and_links_back_to_live():
    band = band_html(datetime(2026, 4, 15, 18, 0), "America/Chicago")
    assert "REPLAY of Wed 15 Apr 2026 13:00 CDT" in band and 'href="?as_of=now"' in band
    assert "href" not in band_html(datetime(2026, 4, 15, 18, 0), "America/Chicago", kiosk=True)
    assert "bundled sample" in band_html(datetime(2026, 4, 15, 18, 0), "UTC", sample=True)


def test_a_store_of_only_the_sample_replays_its_day_9_without_a_stale_banner(sample_db):
    at = app(kiosk="1")
    text = html(at)
    assert "REPLAY of Tue 10 Mar 2026 15:00 CDT" in text and "the bundled sample recall" in text
    assert "STALE DATA" not in text
    assert at.query_params["as_of"] == "2026-03-10T20:00:00Z"
    sl = tiles(at)["service_level"]
    assert sl["value"] != "—" and sl["colour"] in ("green", "amber", "red")  # day 9 has calls to measure
    assert 'Service level (20 s) <span class="wall-window">· today</span>' in text


def test_saved_targets_recolour_the_tiles(sample_db):
    before = tiles(app(kiosk="1"))["service_level"]
    value = float(before["value"].rstrip("%")) / 100
    set_setting(sample_db, "targets", {"service_level": {"green": value + 0.05, "amber": value - 0.01}})
    assert tiles(app(kiosk="1"))["service_level"]["colour"] == "amber"
    set_setting(sample_db, "targets", {"service_level": {"green": value - 0.01, "amber": value - 0.05}})
    assert tiles(app(kiosk="1"))["service_level"]["colour"] == "green"


def test_back_to_live_on_the_sample_shows_how_old_it_is(sample_db):
    text = html(app(kiosk="1", as_of="now"))
    assert "REPLAY" not in text and "STALE DATA" in text


def test_real_data_is_not_replayed_and_keeps_its_stale_banner(db):
    text = html(app(kiosk="1"))
    assert "REPLAY" not in text and "STALE DATA" in text


def test_as_of_survives_moving_to_another_page(db):
    at = app("pages/overview.py", as_of="2026-03-20T18:00:00Z")
    assert "REPLAY of Fri 20 Mar 2026 13:00 CDT" in html(at)
    del at.query_params["as_of"]  # Streamlit's page links carry no query string
    at.switch_page("pages/channels.py").run()
    assert not at.exception, at.exception
    assert at.query_params["as_of"] == "2026-03-20T18:00:00Z"
    assert re.search(r'class="replay-band"[^>]*>REPLAY of Fri 20 Mar 2026 13:00 CDT', html(at))
    at.query_params["as_of"] = "now"  # the band's "back to live"
    at.switch_page("pages/quality.py").run()
    assert "REPLAY" not in html(at)
