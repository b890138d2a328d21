"""Firing episodes for the post-recall review (alerts/history.py ``episodes``), from events written
by hand into a real store, and the review's alerts section drawn from them."""

from __future__ import annotations

from datetime import datetime

from alerts.history import episodes
from documents.review import _alerts
from store.db import connect

SL, REASON = ("service_level-target", "R1", "service_level"), ("reason-reports", "R1", "buckle stuck")
# (instance, local minute on 2026-03-01 or -02, kind, from, to, severity, value, actor)
EVENTS = [
    (SL, "03-01 10:00", "state", "normal", "pending", "warning", 0.72, "evaluation"),
    (SL, "03-01 10:05", "state", "pending", "firing", "warning", 0.72, "evaluation"),  # episode 1 starts
    (SL, "03-01 11:00", "severity", "firing", "firing", "critical", 0.61, "evaluation"),  # worst: critical
    (SL, "03-01 11:30", "acknowledged", "firing", "firing", "critical", None, "ana@example.com"),
    (SL, "03-01 12:00", "state", "firing", "recovering", "critical", 0.79, "evaluation"),
    (SL, "03-01 12:10", "state", "recovering", "firing", "critical", 0.70, "evaluation"),  # same episode
    (SL, "03-01 12:50", "state", "firing", "recovering", "critical", 0.82, "evaluation"),
    (SL, "03-01 13:00", "state", "recovering", "resolved", None, 0.83, "evaluation"),  # episode 1 ends
    (REASON, "03-01 12:00", "state", "normal", "firing", "critical", 2.0, "evaluation"),  # never resolved
    (("reason-reports", "R2", "other recall"), "03-01 12:00", "state", "normal", "firing", "critical", 3.0, "x"),
    (SL, "03-02 09:00", "state", "resolved", "firing", "warning", 0.75, "evaluation"),  # episode 2
    (SL, "03-04 09:00", "state", "firing", "resolved", None, 0.9, "evaluation"),  # after `until`
]
UNTIL = datetime(2026, 3, 3)


def at(text: str) -> datetime:
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M")


def test_episodes_join_recoveries_keep_the_worst_severity_and_the_first_acknowledger(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    for i, (key, when, kind, old, new, severity, value, actor) in enumerate(EVENTS, start=1):
        con.execute(
            "INSERT INTO alert_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [i, *key, at(when), kind, old, new, severity, value, actor, at(when)],
        )
    got = episodes(con, "R1", UNTIL)
    assert [(e["rule"], e["fired_at"], e["resolved_at"], e["severity"], e["acknowledged_by"]) for e in got] == [
        ("service_level-target", at("03-01 10:05"), at("03-01 13:00"), "critical", "ana@example.com"),
        ("reason-reports", at("03-01 12:00"), None, "critical", None),
        ("service_level-target", at("03-02 09:00"), None, "warning", None),
    ]
    assert "72" in got[0]["value_text"] and got[1]["kind"] == "n_reports"
    assert [e["rule"] for e in episodes(con, "R1", at("03-01 11:00"))] == ["service_level-target"]

    html = _alerts(got, lambda t, fmt: t.strftime(fmt))
    assert "3 alerts fired, 1 of them on contact-reason patterns" in html
    assert html.count("still active") == 2 and "ana@example.com" in html
    assert _alerts([], str) == "<p>No alert fired.</p>"
