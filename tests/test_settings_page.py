"""Settings page: targets, stale thresholds and refresh saved; recalls edited through the ingest path."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest

from metrics.catalog import targets as metric_targets
from store import settings
from store.db import connect


def settings_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, at.exception
    return at


def query(path, sql):
    con = connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def stored(path, key):
    con = connect(path)
    try:
        return settings.get(con, key), metric_targets(con)
    finally:
        con.close()


def test_targets_saved_and_read_back(db):
    at = settings_page()
    assert at.number_input(key="target_service_level_green").value == pytest.approx(80.0)
    at.number_input(key="target_service_level_green").set_value(90.0)
    at.number_input(key="target_service_level_amber").set_value(85.0)
    at.checkbox(key="target_aht_s_on").check()
    at.number_input(key="target_aht_s_green").set_value(240.0)
    at.number_input(key="target_aht_s_amber").set_value(360.0)
    at.button(key="settings_targets_save").click().run()
    assert not at.exception and at.success and "Targets saved" in at.success[0].value
    _, targets = stored(db, "targets")
    assert (targets["service_level"].green, targets["service_level"].amber) == (pytest.approx(0.9), pytest.approx(0.85))
    assert targets["aht_s"].green == 240 and targets["aht_s"].amber == 360 and not targets["aht_s"].higher_is_better
    assert targets["csat"].green == pytest.approx(0.85)  # untouched default kept

    again = settings_page()  # read back in a new session
    assert again.number_input(key="target_service_level_green").value == pytest.approx(90.0)
    assert again.checkbox(key="target_aht_s_on").value is True


def test_inconsistent_targets_are_refused(db):
    at = settings_page()
    at.number_input(key="target_fcr_green").set_value(50.0)  # green worse than amber (60) for higher-is-better
    at.button(key="settings_targets_save").click().run()
    assert at.error and "Green must be at least as good as amber" in at.error[0].value
    assert query(db, "SELECT count(*) FROM settings") == [(0,)]


def test_stale_thresholds_and_refresh_saved(db):
    at = settings_page()
    at.number_input(key="stale_default").set_value(48.0)
    at.number_input(key="stale_five9").set_value(6.0)
    at.number_input(key="settings_refresh_s").set_value(45)
    at.button(key="settings_stale_save").click().run()
    assert not at.exception and at.success
    assert stored(db, "stale_hours")[0] == {"default": 48.0, "five9": 6.0}
    assert stored(db, "refresh_s")[0] == 45


def test_recall_edit_lands_in_recalls_and_ledger(db):
    ingests_before = query(db, "SELECT count(*) FROM ingests")[0][0]
    at = settings_page()
    assert at.selectbox(key="settings_recall").value == "R1"
    assert at.text_input(key="recall_R1_timezone").value == "America/Chicago"
    at.text_input(key="recall_R1_closed_at").set_value("2026-07-01T00:00:00-05:00")
    at.text_area(key="recall_R1_queues").set_value("Recall Hotline\nSECOND Queue ")
    at.text_area(key="recall_R1_numbers").set_value("+18005550199\n(800) 555-0111")
    at.button(key="recall_R1_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Recall R1 saved" in at.success[0].value
    rows = query(db, "SELECT closed_at, match_queues, match_numbers, announced_at FROM recalls WHERE recall_id = 'R1'")
    closed, queues, numbers, announced = rows[0]
    assert closed == datetime(2026, 7, 1, 5) and announced == datetime(2026, 3, 2, 15)
    assert queues == ["recall hotline", "second queue"]  # normalized as for a TOML file
    assert numbers == ["+18005550199", "+18005550111"]
    ledger = query(db, "SELECT file_name, connector FROM ingests ORDER BY ingest_id DESC LIMIT 1")
    assert ledger == [("settings/R1.toml", "recall_toml")]
    assert query(db, "SELECT count(*) FROM ingests")[0][0] == ingests_before + 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closed_at", "2026-03-01T00:00:00-06:00", "closed_at must be after announced_at"),
        ("timezone", "Mars/Olympus_Mons", "Unknown time zone"),
        ("announced_at", "March 2nd", "not an ISO 8601 time"),
    ],
)
def test_invalid_recall_edit_shows_an_error_and_changes_nothing(db, field, value, message):
    before = query(db, "SELECT * FROM recalls"), query(db, "SELECT count(*) FROM ingests")
    at = settings_page()
    at.text_input(key=f"recall_R1_{field}").set_value(value)
    at.button(key="recall_R1_save").click().run()
    assert at.error and message in plain(at.error[0].value) and "Not saved" in at.error[0].value
    assert not at.success
    assert (query(db, "SELECT * FROM recalls"), query(db, "SELECT count(*) FROM ingests")) == before


def test_new_recall(db):
    at = settings_page()
    at.selectbox(key="settings_recall").set_value("➕ New recall").run()
    at.text_input(key="recall_new_id").set_value("R9")
    at.text_input(key="recall_new_name").set_value("Kettle lid")
    at.text_input(key="recall_new_timezone").set_value("Europe/Paris")
    at.text_input(key="recall_new_announced_at").set_value("2026-05-04T09:00")
    at.text_area(key="recall_new_campaigns").set_value("Kettle-Notice")
    at.button(key="recall_new_save").click().run()
    assert not at.error, [e.value for e in at.error]
    sql = "SELECT name, timezone, announced_at, ongoing_from, match_campaigns FROM recalls WHERE recall_id = 'R9'"
    expected = ("Kettle lid", "Europe/Paris", datetime(2026, 5, 4, 7), datetime(2026, 5, 11, 7), ["kettle-notice"])
    assert query(db, sql) == [expected]

    at.selectbox(key="settings_recall").set_value("➕ New recall").run()
    at.text_input(key="recall_new_id").set_value("R1")  # already exists
    at.text_input(key="recall_new_name").set_value("Clash")
    at.text_input(key="recall_new_announced_at").set_value("2026-05-04T09:00")
    at.button(key="recall_new_save").click().run()
    assert at.error and "already exists" in at.error[0].value
    assert query(db, "SELECT name FROM recalls WHERE recall_id = 'R1'") == [("Test recall",)]
