"""Evaluating rules on a real store: hand-worked fixtures for each condition, idempotency and replay.

Recall R1 (tests/alerts_support.py), America/Chicago: on 2026-03-10 (CDT, UTC−5) local 09:00 is 14:00Z.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_support import Store, at, call, ticket

from alerts import rules, silences
from alerts.engine import evaluate
from alerts.history import states_at
from alerts.model import Rule
from metrics.catalog import targetable
from store import settings

NINE = at("2026-03-10T14:00:00Z")  # 09:00 local


@pytest.fixture
def s(tmp_path):
    store = Store(tmp_path)
    yield store
    store.con.close()


def state(con, when, rule_id):
    got = [a for a in states_at(con, when) if a["rule"] == rule_id]
    return (got[0]["state"], got[0]["severity"], got[0]["value"]) if got else None


def eval_at(con, when, rule_id):
    return evaluate(con, at(when) if isinstance(when, str) else when, rule_ids=[rule_id])


def twenty_calls_then_recovery(s):
    """19 calls 09:00–09:18 (one a minute): 11 answered in 10 s, 8 in 60 s; a 20th at 09:19 in 10 s."""
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 10 if i < 11 else 60) for i in range(19)])


def test_threshold_min_volume_pending_firing_recovering_resolved(s):
    con = s.con
    twenty_calls_then_recovery(s)
    # 09:30: 19 offered, below the minimum volume of 20: cannot fire (SL 11/19 = 0.579 all the same).
    eval_at(con, "2026-03-10T14:30:00Z", "service_level-target")
    assert state(con, at("2026-03-10T14:30:00Z"), "service_level-target") == ("normal", None, pytest.approx(11 / 19))
    # The 20th call (answered in 10 s): SL = 12/20 = 0.60 < 0.70 (amber edge) → critical, pending at 09:35,
    # firing at 09:40 (pending_for 2 evaluations, every 5 min).
    s.add([call("c19", NINE + timedelta(minutes=19), 10)])
    eval_at(con, "2026-03-10T14:35:00Z", "service_level-target")
    assert state(con, at("2026-03-10T14:35:00Z"), "service_level-target") == ("pending", "critical", 0.6)
    eval_at(con, "2026-03-10T14:40:00Z", "service_level-target")
    assert state(con, at("2026-03-10T14:40:00Z"), "service_level-target") == ("firing", "critical", 0.6)
    # 20 more calls 09:41–10:00 answered in 10 s: SL = 32/40 = 0.80, not below the 0.80 target → clear.
    s.add([call(f"d{i}", NINE + timedelta(minutes=41 + i), 10) for i in range(20)])
    eval_at(con, "2026-03-10T15:05:00Z", "service_level-target")
    assert state(con, at("2026-03-10T15:05:00Z"), "service_level-target") == ("recovering", "critical", 0.8)
    eval_at(con, "2026-03-10T15:10:00Z", "service_level-target")
    assert state(con, at("2026-03-10T15:10:00Z"), "service_level-target")[0] == "resolved"
    # Every transition is in the event log, by the evaluation.
    events = con.execute(
        "SELECT event_at, from_state, to_state, severity, actor FROM alert_events ORDER BY event_id"
    ).fetchall()
    assert [(e[1], e[2]) for e in events] == [
        ("normal", "pending"),
        ("pending", "firing"),
        ("firing", "recovering"),
        ("recovering", "resolved"),
    ]
    assert {e[4] for e in events} == {"evaluation"}


def test_warning_between_target_and_amber(s):
    # 20 calls: 15 answered in 10 s → SL 0.75: below the 0.80 target, not below the 0.70 amber edge.
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 10 if i < 15 else 60) for i in range(20)])
    for minute in (30, 35):
        eval_at(s.con, NINE + timedelta(minutes=minute), "service_level-target")
    assert state(s.con, NINE + timedelta(minutes=35), "service_level-target") == ("firing", "warning", 0.75)


def test_targets_changed_on_settings_move_the_default_rule(s):
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 10 if i < 15 else 60) for i in range(20)])
    targets = settings.get(s.con, "targets") | {"service_level": {"green": 0.7, "amber": 0.6, "higher_is_better": True}}
    settings.put(s.con, "targets", targets)
    for minute in (30, 35):
        eval_at(s.con, NINE + timedelta(minutes=minute), "service_level-target")
    assert state(s.con, NINE + timedelta(minutes=35), "service_level-target") == ("normal", None, 0.75)


def test_evaluating_the_same_moment_again_changes_nothing(s):
    con = s.con
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 60) for i in range(25)])
    tables = ("alert_state", "alert_log", "alert_events")

    def snapshot():
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    evaluate(con, at("2026-03-10T14:30:00Z"))
    evaluate(con, at("2026-03-10T14:35:00Z"))
    before = snapshot()
    assert evaluate(con, at("2026-03-10T14:35:00Z")) == []
    assert evaluate(con, at("2026-03-10T14:31:00Z")) == []  # an earlier moment rewrites nothing either
    assert snapshot() == before
    assert {r[3] for r in before["alert_state"] if r[0] == "service_level-target"} == {"firing"}


def test_replay_shows_what_was_firing_then(s):
    con = s.con
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 60) for i in range(25)])  # SL 0
    for minute in range(30, 61, 5):
        evaluate(con, NINE + timedelta(minutes=minute), rule_ids=["service_level-target"])
    s.add([call(f"d{i}", NINE + timedelta(minutes=61) + timedelta(seconds=i), 5) for i in range(200)])  # SL 200/225
    for minute in range(65, 81, 5):
        evaluate(con, NINE + timedelta(minutes=minute), rule_ids=["service_level-target"])
    assert state(con, NINE + timedelta(minutes=29), "service_level-target") is None  # not evaluated yet then
    assert state(con, NINE + timedelta(minutes=32), "service_level-target") == ("pending", "critical", 0.0)
    assert state(con, NINE + timedelta(minutes=50), "service_level-target") == ("firing", "critical", 0.0)
    assert state(con, NINE + timedelta(minutes=66), "service_level-target") == ("recovering", "critical", 200 / 225)
    assert state(con, NINE + timedelta(minutes=80), "service_level-target")[0] == "resolved"
    firing_then = [a for a in states_at(con, NINE + timedelta(minutes=50)) if a["state"] == "firing"]
    assert firing_then[0]["since"] == NINE + timedelta(minutes=35)


def test_change_against_the_same_hours_yesterday(s):
    con = s.con
    rules.save(con, Rule(id="calls-up", kind="change", metric="contacts", critical=50.0, warning=20.0))
    yesterday = NINE - timedelta(days=1)
    # Yesterday 09:00–09:59: 20 calls; today 09:00–09:29: 15, then 30 by 10:00.
    s.add([call(f"y{i}", yesterday + timedelta(minutes=3 * i), 10) for i in range(20)])
    s.add([call(f"t{i}", NINE + timedelta(minutes=2 * i), 10) for i in range(15)])
    # 09:30: 15 contacts today, below the minimum volume 20 (yesterday by 09:30: 10, +50 %).
    eval_at(con, NINE + timedelta(minutes=30), "calls-up")
    assert state(con, NINE + timedelta(minutes=30), "calls-up")[0] == "normal"
    s.add([call(f"u{i}", NINE + timedelta(minutes=30 + 2 * i), 10) for i in range(15)])
    # 10:00: today 30 against yesterday's 20 by 10:00 → +50 % ≥ 50 → critical (pending, then firing).
    eval_at(con, NINE + timedelta(minutes=60), "calls-up")
    eval_at(con, NINE + timedelta(minutes=65), "calls-up")
    got = next(a for a in states_at(con, NINE + timedelta(minutes=65)) if a["rule"] == "calls-up")
    assert (got["state"], got["severity"], got["value"], got["expected"]) == ("firing", "critical", 30.0, 20.0)
    assert "+50% against the same hours yesterday" in got["detail"]


def test_change_warning_and_last_week_baseline(s):
    con = s.con
    rules.save(
        con,
        Rule(
            id="sl-drop",
            kind="change",
            metric="service_level",
            op="fall",
            change="abs",
            critical=0.5,
            warning=0.2,
            baseline="last_week",
            pending_for=1,
        ),
    )
    week_ago = NINE - timedelta(days=7)
    s.add([call(f"w{i}", week_ago + timedelta(minutes=i), 10) for i in range(20)])  # SL 1.0 a week ago
    s.add([call(f"t{i}", NINE + timedelta(minutes=i), 10 if i < 14 else 60) for i in range(20)])  # SL 0.7
    eval_at(con, NINE + timedelta(minutes=30), "sl-drop")
    # Fall of 0.3 ≥ 0.2 (warning), < 0.5 (critical).
    assert state(con, NINE + timedelta(minutes=30), "sl-drop") == ("firing", "warning", pytest.approx(0.7))


def test_no_data_after_the_stale_threshold(s):
    con = s.con
    s.add([call("c1", NINE, 10)])  # five9's newest record: 2026-03-10T14:00Z; stale after 24 h (default)
    eval_at(con, NINE + timedelta(hours=24), "no-data")
    assert state(con, NINE + timedelta(hours=24), "no-data") is None  # exactly 24 h: not older than 24 h
    eval_at(con, NINE + timedelta(hours=24, minutes=5), "no-data")
    got = next(a for a in states_at(con, NINE + timedelta(hours=24, minutes=5)) if a["rule"] == "no-data")
    assert (got["state"], got["severity"], got["subject"], got["recall_id"]) == ("firing", "critical", "five9", None)
    assert got["value"] == pytest.approx(24 + 5 / 60) and got["threshold"] == 24.0
    # A new record makes it recover (keep_firing_for 0 for no-data: resolved at once).
    s.add([call("c2", NINE + timedelta(hours=24, minutes=6), 10)])
    eval_at(con, NINE + timedelta(hours=24, minutes=10), "no-data")
    assert state(con, NINE + timedelta(hours=24, minutes=10), "no-data")[0] == "resolved"


def test_acknowledge_and_silence_with_expiry(s):
    con = s.con
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 60) for i in range(25)])
    for minute in (30, 35):
        eval_at(con, NINE + timedelta(minutes=minute), "service_level-target")
    key = ("service_level-target", "R1", "service_level")
    assert silences.acknowledge(con, key, "lead@example.com", NINE + timedelta(minutes=36))
    sid = silences.add(
        con,
        starts_at=NINE + timedelta(minutes=37),
        ends_at=NINE + timedelta(minutes=60),
        reason="extra agents on their way",
        by="lead@example.com",
        rule_id="service_level-target",
    )
    eval_at(con, NINE + timedelta(minutes=40), "service_level-target")

    def alert(minute):
        return next(a for a in states_at(con, NINE + timedelta(minutes=minute)) if a["rule"] == "service_level-target")

    assert alert(35)["acknowledged"] is None and alert(35)["silenced"] is None
    assert alert(36)["acknowledged"]["by"] == "lead@example.com"
    assert alert(40)["silenced"]["reason"] == "extra agents on their way"
    assert alert(60)["silenced"] is None  # the silence has expired; the alert is still firing
    assert alert(60)["state"] == "firing"
    kinds = con.execute("SELECT kind, actor FROM alert_events WHERE kind <> 'state' ORDER BY event_id").fetchall()
    assert kinds == [("acknowledged", "lead@example.com"), ("silenced", "lead@example.com")]
    silences.end(con, sid, "ana@example.com", NINE + timedelta(minutes=45))
    assert alert(46)["silenced"] is None and alert(44)["silenced"] is not None


def test_silence_needs_a_reason_and_an_end():
    with pytest.raises(silences.SilenceError, match="reason"):
        silences.add(None, starts_at=NINE, ends_at=NINE + timedelta(hours=1), reason=" ", by=None)
    with pytest.raises(silences.SilenceError, match="30 days"):
        silences.add(None, starts_at=NINE, ends_at=NINE + timedelta(days=31), reason="x", by=None)


def test_a_contact_reason_rule_keeps_no_rows_for_quiet_reasons(s):
    s.add([ticket(f"t{i}", NINE + timedelta(minutes=i), "Refund status", f"p{i}@x.com") for i in range(1)])
    evaluate(s.con, NINE + timedelta(minutes=30))
    subjects = {r[0] for r in s.con.execute("SELECT rule_id FROM alert_state").fetchall()}
    # Only the default threshold rules (one per catalog metric with a default target) keep rows.
    with_target = {m.id for m in targetable() if m.target is not None}
    assert {"service_level", "abandon_rate", "csat"} <= with_target
    assert subjects == {f"{m}-target" for m in with_target}
