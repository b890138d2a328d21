"""Kill and restart: the alert scheduler as a real process (``python -m alerts``), killed with
SIGKILL at its worst moments, sends nothing twice and loses nothing due (alerts/notify/deliver.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from alerts_receivers import Receiver
from alerts_support import Store, ticket
from conftest import ROOT

pytestmark = pytest.mark.slow


def tick(db, secrets, now: datetime) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "alerts", "tick", "--db", str(db), "--secrets", str(secrets), "--now", now.isoformat()]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "alerts", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def setup(tmp_path, receiver: Receiver, created: datetime, wait_s: float = 30) -> tuple:
    store = Store(tmp_path)
    store.add(
        [ticket(f"t{p}", created + timedelta(minutes=i), "Strap frays", f"{p}@x.com") for i, p in enumerate("abc")]
    )
    store.con.close()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f"[recall_ops.alerts]\ngroup_wait_s = {wait_s}\ngroup_interval_s = {min(wait_s, 300)}\n\n"
        "[[recall_ops.alerts.webhooks]]\n"
        f'name = "ops"\nurl = "{receiver.url}/hook"\nformat = "json"\n'
    )
    return tmp_path / "alerts.duckdb", secrets


def keys(receiver: Receiver) -> list[str]:
    return [r["headers"]["Idempotency-Key"] for r in receiver.requests]


def test_killed_while_the_receiver_takes_the_message(tmp_path):
    """Killed mid-request, the message's outcome is unknown: it is not sent again while its claim
    (2 minutes) stands, then sent again with the same id and bytes, once; nothing else is repeated."""
    t0 = datetime(2026, 3, 10, 17, 30)
    with Receiver() as receiver:
        db, secrets = setup(tmp_path, receiver, t0 - timedelta(minutes=30))
        tick(db, secrets, t0)  # fires; the group waits 30 s
        assert receiver.requests == []
        receiver.hold.set()  # the receiver takes the next request and does not answer
        proc = start(
            ["tick", "--db", str(db), "--secrets", str(secrets), "--now", (t0 + timedelta(seconds=30)).isoformat()]
        )
        assert receiver.arrived.wait(60), proc.communicate()[0]
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        receiver.release.set()
        assert keys(receiver) == ["reason-reports|R1#1@webhook:ops"]
        tick(db, secrets, t0 + timedelta(seconds=60))  # restarted: the claim still stands
        assert len(receiver.requests) == 1
        tick(db, secrets, t0 + timedelta(minutes=3))  # the claim ran out: sent again, same id and body
        assert keys(receiver) == ["reason-reports|R1#1@webhook:ops"] * 2
        assert receiver.requests[0]["raw"] == receiver.requests[1]["raw"]
        for minutes in (4, 10, 60):
            tick(db, secrets, t0 + timedelta(minutes=minutes))
        assert len(receiver.requests) == 2


def test_a_running_scheduler_killed_and_restarted_sends_each_message_once(tmp_path):
    """``python -m alerts run`` (real clock) sends the message, is killed with SIGKILL, restarted:
    nothing is sent again. Killed again before a group's wait is over, the message still goes
    out after the restart."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with Receiver() as receiver:
        db, secrets = setup(tmp_path, receiver, now - timedelta(minutes=30), wait_s=1)
        args = ["run", "--db", str(db), "--secrets", str(secrets), "--every-s", "0.3"]
        proc = start(args)
        assert receiver.arrived.wait(60), proc.communicate(timeout=5)[0] if proc.poll() is not None else "no message"
        time.sleep(2)  # several more ticks: the message is marked sent
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc = start(args)
        time.sleep(4)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert keys(receiver) == ["reason-reports|R1#1@webhook:ops"]

        # A second reason fires; the scheduler is killed before the group's wait (5 s) is over.
        store = Store(tmp_path)  # the same file: the recall definition loads again unchanged
        store.files = 10
        store.add(
            [
                ticket(f"u{p}", now - timedelta(minutes=20 - i), "Latch cracks", f"{p}@x.com")
                for i, p in enumerate("def")
            ]
        )
        store.con.close()
        secrets.write_text(secrets.read_text().replace("group_wait_s = 1", "group_wait_s = 5"))
        proc = start(args)
        time.sleep(2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert len(receiver.requests) == 1  # not yet: the group was still waiting
        proc = start(args)
        deadline = time.monotonic() + 60
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert keys(receiver) == ["reason-reports|R1#1@webhook:ops", "reason-reports|R1#2@webhook:ops"]
        assert [a["subject"] for a in receiver.requests[1]["body"]["alerts"]] == ["latch cracks"]
