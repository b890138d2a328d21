"""Notifications: grouped, repeated, silenced, resolved, retried, and the daily digest — sent to a
real local SMTP server (aiosmtpd) and a real local HTTP receiver, with the scheduler's clock
injected (hours pass in milliseconds)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from alerts_receivers import Receiver, SmtpServer
from alerts_support import Store, at, ticket

from alerts import rules, silences
from alerts.history import states_at
from alerts.model import Rule
from alerts.notify.config import ConfigError, parse
from alerts.notify.send import message_id_header
from alerts.scheduler import Scheduler

T0 = at("2026-03-10T17:30:00Z")
GROUP = "reason-reports|R1"


def reports(reason: str, start: str, people: str) -> list[dict]:
    """One ticket per customer (letters of ``people``), 10 minutes apart from ``start``."""
    return [
        ticket(f"{reason[:3]}{p}", at(start) + timedelta(minutes=10 * i), reason, f"{p}@x.com")
        for i, p in enumerate(people)
    ]


@pytest.fixture
def env(tmp_path):
    with SmtpServer() as smtp, Receiver() as hooks:
        store = Store(tmp_path)
        config = parse(
            {
                "group_wait_s": 30,
                "group_interval_s": 300,
                "dashboard_url": "https://ops.example.com",
                "email": {
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "security": "none",
                    "sender": "alerts@example.com",
                    "to": ["lead@example.com", "team@example.com"],
                },
                "webhooks": [
                    {"name": "ops-json", "url": hooks.url + "/json", "format": "json", "secret": "s3cret"},
                    {"name": "slack", "url": hooks.url + "/slack", "format": "slack"},
                ],
            }
        )
        yield store, Scheduler(tmp_path / "alerts.duckdb", config), smtp.box, hooks
        store.con.close()


def test_grouped_wait_interval_repeat_and_acknowledge(env):
    store, sched, box, hooks = env
    store.add(
        reports("Strap frays", "2026-03-10T17:00:00Z", "abc") + reports("Latch cracks", "2026-03-10T17:00:00Z", "def")
    )
    sched.tick(T0)  # both fire (critical); the group waits 30 s for more
    sched.tick(T0 + timedelta(seconds=10))
    assert box.messages == [] and hooks.requests == []
    sched.tick(T0 + timedelta(seconds=30))  # one message for the group, on every channel
    assert len(box.messages) == 1 and len(hooks.bodies("/json")) == 1 and len(hooks.bodies("/slack")) == 1
    mail = box.messages[0]
    assert mail["Subject"] == "[Recall Ops] CRITICAL: New contact reason (2) — R1"
    assert mail["Message-ID"] == message_id_header(f"{GROUP}#1@email")
    assert box.envelopes[0] == ("alerts@example.com", ["lead@example.com", "team@example.com"])
    text = mail.get_content()
    line = "FIRING critical: New reason “Latch cracks” · 3 customers (≥ 3 customers within 72 h)"
    assert f"{line} since 2026-03-10 17:30 UTC" in text
    assert "FIRING critical: New reason “Strap frays” · 3 customers" in text
    assert "Dashboard: https://ops.example.com" in text
    body = hooks.bodies("/json")[0]
    assert (body["id"], body["type"], body["recall_id"]) == (f"{GROUP}#1", "alerts", "R1")
    assert [(a["subject"], a["state"], a["severity"], a["value"]) for a in body["alerts"]] == [
        ("latch cracks", "firing", "critical", 3.0),
        ("strap frays", "firing", "critical", 3.0),
    ]
    request = next(r for r in hooks.requests if r["path"] == "/json")
    assert request["headers"]["Idempotency-Key"] == f"{GROUP}#1@webhook:ops-json"
    signature = hmac.new(b"s3cret", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Recall-Ops-Signature"] == f"sha256={signature}"
    slack = hooks.bodies("/slack")[0]
    assert slack["text"] == mail["Subject"] and slack["blocks"][0]["type"] == "header"
    assert "New reason “Strap frays”" in slack["blocks"][1]["text"]["text"]

    # A third reason fires 5 minutes on: at most one message per group per 5 minutes.
    store.add(reports("Cover tears", "2026-03-10T17:10:00Z", "ghi"))
    sched.tick(T0 + timedelta(minutes=5))  # evaluated (due again), needs a message, but the interval runs to T0+5m30s
    assert len(box.messages) == 1
    sched.tick(T0 + timedelta(minutes=5, seconds=30))
    assert len(box.messages) == 2
    assert [a["subject"] for a in hooks.bodies("/json")[1]["alerts"]] == ["cover tears"]
    assert hooks.bodies("/json")[1]["id"] == f"{GROUP}#2"

    # Four hours after the first message, the two not acknowledged are sent again; "latch cracks" is acknowledged.
    assert silences.acknowledge(
        store.con, ("reason-reports", "R1", "latch cracks"), "lead@example.com", T0 + timedelta(hours=1)
    )
    sched.tick(T0 + timedelta(hours=4, seconds=29))
    assert len(box.messages) == 2
    sched.tick(T0 + timedelta(hours=4, seconds=30))  # group wait for the repeat need…
    sched.tick(T0 + timedelta(hours=4, seconds=60))
    assert len(box.messages) == 3
    again = hooks.bodies("/json")[2]["alerts"]
    assert [(a["subject"], a["repeat"]) for a in again] == [("strap frays", True)]
    assert "still firing critical: New reason “Strap frays”" in box.messages[2].get_content()


def test_warnings_are_not_notified(env):
    store, sched, box, hooks = env
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "ab"))  # 2 customers: a pattern (warning)
    for seconds in (0, 30, 60, 600):
        sched.tick(T0 + timedelta(seconds=seconds))
    assert box.messages == [] and hooks.requests == []


def test_a_silence_holds_notifications_until_it_ends(env):
    store, sched, box, hooks = env
    silences.add(
        store.con,
        starts_at=T0 - timedelta(minutes=1),
        ends_at=T0 + timedelta(hours=1),
        reason="known: supplier recall of straps",
        by="lead@example.com",
        rule_id="reason-reports",
    )
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))
    for minutes in (0, 1, 30, 59):
        sched.tick(T0 + timedelta(minutes=minutes))
    assert box.messages == []
    sched.tick(T0 + timedelta(hours=1))  # the silence is over: the alert is still firing and was never sent
    sched.tick(T0 + timedelta(hours=1, seconds=30))
    assert len(box.messages) == 1 and "New reason “Strap frays”" in box.messages[0].get_content()


def test_resolution_is_notified_once(env):
    store, sched, box, hooks = env
    rules.save(
        store.con, Rule(id="reason-reports", kind="n_reports", name="New contact reason", pending_for=1, within_h=1)
    )
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))
    sched.tick(T0)
    sched.tick(T0 + timedelta(seconds=30))
    assert len(box.messages) == 1
    # Reports at 17:00, 17:10, 17:20 and a 1-hour window: 2 customers at 18:00 (a warning: nothing sent),
    # 1 at 18:10 (clear: recovering), resolved at 18:15 (keep firing for 1 evaluation of 5 minutes);
    # the resolution goes out at the next tick 30 s or more later (18:20).
    for minutes in (30, 35, 40, 45, 50, 55, 60, 65):
        sched.tick(at("2026-03-10T17:30:00Z") + timedelta(minutes=minutes))
    sched.tick(at("2026-03-10T19:00:00Z"))
    assert len(box.messages) == 2
    assert box.messages[1]["Subject"] == "[Recall Ops] RESOLVED: New reason “Strap frays” — R1"
    assert hooks.bodies("/json")[1]["alerts"][0]["state"] == "resolved"


def test_a_failing_webhook_is_retried_and_sent_once(env):
    store, sched, box, hooks = env
    hooks.status = 500
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))
    sched.tick(T0)
    sched.tick(T0 + timedelta(seconds=30))
    row = store.con.execute(
        "SELECT attempts, sent_at, last_error, due_at FROM alert_outbox WHERE channel = 'webhook:ops-json'"
    ).fetchall()[0]
    assert row[:2] == (1, None) and row[2].endswith("HTTP 500") and row[3] == T0 + timedelta(seconds=60)
    assert hooks.url not in row[2] and "s3cret" not in row[2]
    hooks.status = 200
    sched.tick(T0 + timedelta(seconds=45))  # not due yet: nothing new
    tried = len(hooks.bodies("/json"))
    sched.tick(T0 + timedelta(seconds=60))
    assert len(hooks.bodies("/json")) == tried + 1
    sched.tick(T0 + timedelta(minutes=10))
    assert len(hooks.bodies("/json")) == tried + 1 and len(box.messages) == 1
    assert store.con.execute("SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL").fetchall() == [(0,)]


def test_daily_digest_at_the_local_time(env, tmp_path):
    store, sched, box, hooks = env
    sched.config = parse(
        {
            "digest_at": "08:30",
            "email": {
                "host": "127.0.0.1",
                "port": sched.config.email.port,
                "security": "none",
                "to": ["lead@example.com"],
            },
            "webhooks": [{"name": "ops-json", "url": hooks.url + "/json"}],
        }
    )
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))
    # 17:30Z on 03-10 is 12:30 CDT: that day's 08:30 digest was not sent yet, so it goes now (late).
    sched.tick(T0)

    def digests():
        return [m for m in box.messages if "digest" in m["Subject"]]

    assert [m["Subject"] for m in digests()] == ["[Recall Ops] Daily digest 2026-03-10 — Test recall"]
    sched.tick(at("2026-03-11T13:29:00Z"))  # 08:29 CDT
    assert len(digests()) == 1
    sched.tick(at("2026-03-11T13:31:00Z"))
    sched.tick(at("2026-03-11T14:00:00Z"))
    assert [m["Subject"] for m in digests()][1:] == ["[Recall Ops] Daily digest 2026-03-11 — Test recall"]
    text = digests()[1].get_content()
    # No calls and no ratings: the Overview measures no target; the newest record (03-10 17:20Z) is
    # 20.2 h old at 13:31Z on 03-11.
    opening = ["no target measured yet · data 20 h old", "1 critical and 0 warning alerts firing."]
    assert text.splitlines()[:2] == opening
    assert "  Contacts today: 0 · ±0" in text or "  Contacts today: 0 · 0" in text
    assert "Alerts fired in the last 24 h: 1" in text and "critical: New contact reason · strap frays" in text
    assert "zendesk (contacts): newest 2026-03-10 17:20 UTC, 20.2 h old" in text
    body = [b for b in hooks.bodies("/json") if b["type"] == "digest"][1]
    assert body["date"] == "2026-03-11"
    assert [t["tile"] for t in body["tiles"]][:2] == ["contacts_today", "service_level"]
    sched.tick(at("2026-03-12T13:31:00Z"))
    assert len(digests()) == 3


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
def test_smtp_login(tmp_path):
    with SmtpServer(login=("alerts", "pw")) as smtp:
        store = Store(tmp_path)
        store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))

        def config(password):
            return parse(
                {
                    "email": {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "security": "none",
                        "username": "alerts",
                        "password": password,
                        "to": ["lead@example.com"],
                        "timeout_s": 3,
                    }
                }
            )

        sched = Scheduler(tmp_path / "alerts.duckdb", config("wrong"))
        sched.tick(T0)
        sched.tick(T0 + timedelta(seconds=30))
        assert smtp.box.messages == []
        error = store.con.execute("SELECT last_error FROM alert_outbox").fetchall()[0][0]
        # (aiosmtpd answers the wrong password with 535, then hangs on smtplib's second mechanism: a time-out.)
        assert error.startswith(f"email via 127.0.0.1:{smtp.port}: SMTP") and "wrong" not in error
        sched.config = config("pw")  # fixed: sent at the retry, 30 s later
        sched.tick(T0 + timedelta(seconds=60))
        assert len(smtp.box.messages) == 1
        store.con.close()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"email": {"host": "h", "to": []}}, "email.to"),
        ({"email": {"host": "h", "to": ["a@b.c"], "username": "u"}}, "go together"),
        ({"email": {"to": ["a@b.c"], "security": "tls"}}, "email.host is required; email.security"),
        ({"webhooks": [{"url": "ftp://x"}]}, "webhooks\\[0\\].url"),
        ({"webhooks": [{"url": "https://x.example", "format": "teams"}]}, "format must be json or slack"),
        ({"webhooks": [{"name": "a", "url": "https://x.example"}, {"name": "a", "url": "https://y.example"}]}, "twice"),
        ({"digest_at": "8.30"}, "digest_at"),
        ({"group_wait_s": -1}, "group_wait_s"),
    ],
)
def test_bad_configuration_is_named(table, message):
    with pytest.raises(ConfigError, match=message):
        parse(table)


def test_configuration_from_secrets_files(tmp_path):
    from alerts.notify.config import load

    user, project = tmp_path / "user.toml", tmp_path / "project.toml"
    user.write_text('[recall_ops.alerts]\ndigest_at = "07:00"\n')
    project.write_text(
        '[recall_ops]\nwall_token = "x"\n[recall_ops.alerts]\ndigest_at = "08:30"\n'
        '[[recall_ops.alerts.webhooks]]\nurl = "https://hooks.example.com/a"\nformat = "slack"\n'
    )
    config = load([user, project])
    assert str(config.digest_at) == "08:30:00" and config.channels == ["webhook:webhook-1"]
    assert load([user]).channels == [] and load([tmp_path / "missing.toml"]).channels == []
    (tmp_path / "bad.toml").write_text("[recall_ops.alerts\n")
    with pytest.raises(ConfigError, match="not a readable TOML"):
        load([tmp_path / "bad.toml"])


def test_repeat_h_0_notifies_once_until_resolved(env):
    store, sched, box, hooks = env
    rules.save(store.con, Rule(id="reason-reports", kind="n_reports", pending_for=1, repeat_h=0))
    rules.delete(store.con, "no-data")  # zendesk goes quiet after 03-10: not this test's alert
    store.add(reports("Strap frays", "2026-03-10T17:00:00Z", "abc"))
    sched.tick(T0)
    sched.tick(T0 + timedelta(seconds=30))
    assert [m["Subject"] for m in box.messages] == ["[Recall Ops] CRITICAL: New reason “Strap frays” — R1"]
    # Still firing, never acknowledged: with the default repeat_h (4) it would be sent again after
    # 4 h (test_grouped_wait_interval_repeat_and_acknowledge); with 0, never.
    for hours in (4, 8, 24, 48):
        sched.tick(T0 + timedelta(hours=hours, seconds=30))
        sched.tick(T0 + timedelta(hours=hours, seconds=60))
    assert len(box.messages) == 1
    # 72 h after the reports (17:00, 17:10, 17:20 on 03-10) they have all left the window at 17:20 on
    # 03-13: clear → recovering, resolved 5 minutes on; the resolution is the second and last message.
    for minutes in (0, 5, 10, 11, 30):
        sched.tick(at("2026-03-13T17:25:00Z") + timedelta(minutes=minutes))
    assert [m["Subject"] for m in box.messages][1:] == ["[Recall Ops] RESOLVED: New reason “Strap frays” — R1"]


def test_a_rule_evaluated_every_30_minutes_waits_for_its_turn(env):
    store, sched, box, hooks = env
    rules.save(store.con, Rule(id="reason-reports", kind="n_reports", pending_for=1, every_min=30))
    sched.tick(T0)  # every rule is due at the first tick
    assert sched.last_run["reason-reports"] == T0
    store.add(reports("Strap frays", "2026-03-10T17:31:00Z", "abc"))  # three customers 17:31–17:51

    def reason_firing(when):
        return [
            a["subject"] for a in states_at(store.con, when) if a["rule"] == "reason-reports" and a["state"] == "firing"
        ]

    # Ticks every 5 minutes: the 5-minute rules are evaluated each time, this one not before T0 + 30 min.
    for minutes in (5, 10, 15, 20, 25):
        sched.tick(T0 + timedelta(minutes=minutes))
        assert sched.last_run["no-data"] == T0 + timedelta(minutes=minutes)
    assert sched.last_run["reason-reports"] == T0 and reason_firing(T0 + timedelta(minutes=25)) == []
    sched.tick(T0 + timedelta(minutes=30))
    assert sched.last_run["reason-reports"] == T0 + timedelta(minutes=30)
    assert reason_firing(T0 + timedelta(minutes=30)) == ["strap frays"]
