"""The Alerts page (AppTest): alerts shown, acknowledged and silenced, rules edited and imported;
viewers see without acting; a replayed moment shows what was firing then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alerts_support import ticket, write
from conftest import ROOT, load, plain
from streamlit.testing.v1 import AppTest
from test_access import SECRETS, signed_in

from alerts.engine import evaluate
from store.db import connect
from ui.access import OPEN_ACTOR  # who acts without sign-in

NOW = datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def alerting(db, tmp_path):
    """The metrics fixture (recall R1) plus three customers reporting a new reason half an hour ago,
    evaluated now: a critical N-reports alert fires."""
    con = connect(db)
    rows = [ticket(f"p{c}", NOW - timedelta(minutes=30 - i), "Strap frays", f"{c}@x.com") for i, c in enumerate("abc")]
    load(con, write(tmp_path / "reports.csv", rows))
    evaluate(con, NOW - timedelta(minutes=5), rule_ids=["reason-reports"])
    con.close()
    return db


def page(user=None, secrets=None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if secrets:
        at.secrets = secrets
    if user:
        at.user = user
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, at.exception
    return at


def query(db, sql):
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def active_table(at):
    """The first table: alerts firing, recovering or pending (AppTest keeps no st.dataframe key)."""
    return at.dataframe[0].value


def test_the_firing_alert_is_listed_and_acknowledged(alerting):
    at = page()
    assert at.title[0].value == "Alerts"
    assert at.subheader[0].value == "Firing: 1 critical, 0 warning"
    table = active_table(at)
    assert table["What"].to_list() == ["New reason “Strap frays”"]
    assert table["Value"].to_list() == ["3 customers"] and table["Rule"].to_list() == ["≥ 3 customers within 72 h"]
    at.button(key="alerts_ack").click().run()
    assert not at.exception and "Acknowledged: New reason “Strap frays”" in plain(at.success[0].value)
    assert query(alerting, "SELECT acked_by FROM alert_state WHERE rule_id = 'reason-reports'") == [(OPEN_ACTOR,)]
    assert query(alerting, "SELECT kind, actor FROM alert_events WHERE kind = 'acknowledged'") == [
        ("acknowledged", OPEN_ACTOR)
    ]
    assert active_table(at)["Acknowledged"].to_list() == [OPEN_ACTOR]


def test_silence_needs_a_reason_then_holds_and_ends(alerting):
    at = page()
    at.button(key="alerts_silence").click().run()
    assert "a silence needs a reason" in plain(at.error[0].value)
    at.text_input(key="alerts_silence_reason").set_value("known: the strap supplier is on it")
    at.number_input(key="alerts_silence_hours").set_value(2.0)
    at.button(key="alerts_silence").click().run()
    assert not at.exception and at.success and "for 2 h" in plain(at.success[0].value)
    (row,) = query(alerting, "SELECT rule_id, subject, reason, created_by, ends_at - starts_at FROM alert_silences")
    assert row == (
        "reason-reports",
        "strap frays",
        "known: the strap supplier is on it",
        OPEN_ACTOR,
        timedelta(hours=2),
    )
    assert "known: the strap supplier" in active_table(at)["Silenced"][0]
    at.button(key="alerts_unsilence").click().run()
    assert query(alerting, "SELECT ended_by FROM alert_silences") == [(OPEN_ACTOR,)]
    assert active_table(at)["Silenced"].to_list() == [""]


def test_rules_are_edited_as_toml_and_bad_ones_refused(alerting):
    at = page()
    assert at.selectbox(key="alerts_rule_pick").value == "(new rule)"
    at.button(key="alerts_rule_save").click().run()  # the template is a valid rule
    assert not at.exception and "Saved my-rule." in plain(at.success[0].value)
    assert query(alerting, "SELECT rule_id, updated_by FROM alert_rules") == [("my-rule", OPEN_ACTOR)]
    at.selectbox(key="alerts_rule_pick").set_value("service_level-target").run()
    toml = at.text_area(key="alerts_rule_toml_service_level-target")
    assert 'metric = "service_level"' in toml.value
    toml.set_value(toml.value.replace("pending_for = 2", "pending_for = 999"))
    at.button(key="alerts_rule_save").click().run()
    assert at.error and "Not saved" in plain(at.error[0].value) and "pending_for" in plain(at.error[0].value)
    at.button(key="alerts_rule_toggle").click().run()
    assert "service_level-target disabled." in plain(at.success[0].value)
    rules_table = next(d.value for d in at.dataframe if "Keep firing for" in d.value.columns)
    assert rules_table[rules_table["Id"] == "service_level-target"]["Enabled"].to_list() == [False]


def test_a_viewer_sees_but_does_not_act(alerting):
    at = page(signed_in("friend@partner.org"), SECRETS)
    assert active_table(at)["What"].to_list() == ["New reason “Strap frays”"]
    keys = {b.key for b in at.button}
    assert not keys & {"alerts_ack", "alerts_silence", "alerts_rule_save", "alerts_evaluate"}
    assert "Analysts and admins edit rules." in [c.value for c in at.caption]
    analyst = page(signed_in("agent@example.com"), SECRETS)
    analyst.button(key="alerts_ack").click().run()
    assert query(alerting, "SELECT acked_by FROM alert_state WHERE rule_id = 'reason-reports'") == [
        ("agent@example.com",)
    ]


def test_a_replayed_moment_shows_what_was_firing_then(alerting):
    before = (NOW - timedelta(hours=2)).isoformat() + "Z"
    at = page(as_of=before)
    assert at.subheader[0].value == "Firing: 0 critical, 0 warning"
    assert any("Replaying a past moment" in i.value for i in at.info)
    assert "alerts_ack" not in {b.key for b in at.button}
    now = page(as_of=(NOW - timedelta(minutes=4)).isoformat() + "Z")
    assert now.subheader[0].value == "Firing: 1 critical, 0 warning"


def test_the_stand_up_shows_the_strip_above_the_tiles(alerting):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/standup.py").run()
    assert not at.exception, at.exception
    html = [m.value for m in at.markdown]
    page = "".join(html)  # the strip and the tiles may share one element: compare their places in the page
    assert 0 <= page.index('class="alert-strip"') < page.index('class="wall-grid"')
    strip = next(i for i, h in enumerate(html) if 'class="alert-strip"' in h)
    assert 'data-severity="critical"' in html[strip] and "New reason “Strap frays”" in html[strip]
    assert "3 customers" in html[strip] and "≥ 3 customers within 72 h" in html[strip]


def test_the_strip_is_absent_when_nothing_fires_and_escapes_text():
    from ui.alert_strip import MAX_SHOWN, strip_html

    base = {
        "rule": "r",
        "subject": "s",
        "state": "firing",
        "severity": "critical",
        "what": "<b>x</b>",
        "value_text": "1",
        "rule_text": "≥ 1",
        "since": NOW,
        "acknowledged": None,
        "silenced": None,
    }
    assert strip_html([], "UTC") == "" and strip_html([base | {"state": "resolved"}], "UTC") == ""
    html = strip_html([base] * (MAX_SHOWN + 2), "UTC")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert html.count('class="alert-item') == MAX_SHOWN and "+2 more on the Alerts page" in html
    words = {3: "three", 4: "four", 5: "five"}  # the documented number is the code's
    assert f"at most {words[MAX_SHOWN]} (then" in (ROOT / "docs" / "alerts.md").read_text()


def _served(storage, file_id: str) -> bytes | None:
    from streamlit.runtime.media_file_storage import MediaFileStorageError

    try:
        return storage.get_file(file_id).content
    except MediaFileStorageError:
        return None


def test_rules_are_exported_imported_and_deleted(alerting, monkeypatch):
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from alerts import rules as alert_rules
    from ui.alert_page import IMPORT_SEED

    stores: list[MemoryMediaFileStorage] = []  # the runs' media files: what a download button serves

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    at = page()
    # Export: the download button serves every rule as TOML, which imports back to the same rules.
    (export,) = [b for b in at.get("download_button") if b.proto.label == "Download the rules (TOML)"]
    file_id = export.proto.url.rsplit("/", 1)[-1]
    exported = next(served for s in stores if (served := _served(s, file_id)) is not None)
    con = connect(alerting)
    shown = alert_rules.load(con)[0]
    con.close()
    assert alert_rules.from_toml(exported) == shown
    assert {"service_level-target", "no-data", "reason-reports", "reason-spike"} <= {r.id for r in shown}

    # Import: a bad file writes nothing and names the bad rule; a good one saves its rules.
    good = b'[[rule]]\nid = "calls-up"\nkind = "change"\nmetric = "contacts"\ncritical = 50.0\n'
    bad = good + b'\n[[rule]]\nid = "x"\nkind = "threshold"\nmetric = "nps"\n'
    at.session_state[IMPORT_SEED] = ("mine.toml", bad)
    at.run()
    at.button(key="alerts_rules_import").click().run()
    assert "mine.toml: nothing imported" in plain(at.error[0].value) and "metric 'nps'" in plain(at.error[0].value)
    assert query(alerting, "SELECT count(*) FROM alert_rules") == [(0,)]
    at.session_state[IMPORT_SEED] = ("mine.toml", good)
    at.run()
    at.button(key="alerts_rules_import").click().run()
    assert not at.exception and "Imported 1 rule(s) from mine.toml." in plain(at.success[0].value)
    assert query(alerting, "SELECT rule_id, updated_by FROM alert_rules") == [("calls-up", OPEN_ACTOR)]

    # Delete: a rule of one's own is gone; a default rule is kept, disabled, so it does not come back.
    at.session_state[IMPORT_SEED] = ("", b"")
    at.selectbox(key="alerts_rule_pick").set_value("calls-up").run()
    at.button(key="alerts_rule_delete").click().run()
    assert "calls-up deleted." in plain(at.success[0].value)
    assert query(alerting, "SELECT count(*) FROM alert_rules WHERE rule_id = 'calls-up'") == [(0,)]
    at.selectbox(key="alerts_rule_pick").set_value("csat-target").run()
    at.button(key="alerts_rule_delete").click().run()
    assert "csat-target deleted (a default rule: kept, disabled)." in plain(at.success[0].value)
    rules_table = next(d.value for d in at.dataframe if "Keep firing for" in d.value.columns)
    assert rules_table[rules_table["Id"] == "csat-target"]["Enabled"].to_list() == [False]
