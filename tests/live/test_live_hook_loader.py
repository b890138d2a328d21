"""The webhook loader on a real spool folder and DuckDB file (the crash window also on PostgreSQL):
the crash window between the commit and the spool delete, bodies that cannot be loaded, bodies with
nothing to load, and the SDK's vector."""

from __future__ import annotations

import json

import pytest
from live_support import raw_json, sendgrid_event

from connectors.live import signatures
from connectors.live.hook_loader import HookLoader
from connectors.live.spool import Spool
from store import live
from store.db import connect


class DiesAfterCommit(Spool):
    """A spool whose first delete "crashes": the process died right after the batch committed."""

    died = False

    def remove(self, paths):
        if not self.died:
            DiesAfterCommit.died = True
            raise SystemExit("killed")
        super().remove(paths)


def ledger(db):
    con = connect(db)
    try:
        return con.execute(
            "SELECT count(*), coalesce(sum(rows_read), 0) FROM ingests WHERE loaded_by LIKE 'hook:%'"
        ).fetchall()[0]
    finally:
        con.close()


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_a_batch_committed_before_a_crash_is_not_loaded_again(tmp_path, engine, request):
    db = tmp_path / "store.duckdb" if engine == "duckdb" else request.getfixturevalue("pg_server").fresh()
    DiesAfterCommit.died = False
    dying = DiesAfterCommit(tmp_path / "spool")
    for i in range(3):
        dying.write("sendgrid", raw_json([sendgrid_event(f"c-{i}")]))
    with pytest.raises(SystemExit):
        HookLoader(dying, db).drain()
    assert ledger(db) == (1, 3) and len(dying.pending("sendgrid")) == 3  # loaded, files still there
    restarted = HookLoader(Spool(tmp_path / "spool"), db)
    assert restarted.drain() == 3
    assert ledger(db) == (1, 3)  # not loaded a second time
    assert restarted.spool.pending("sendgrid") == []
    con = connect(db)
    assert con.execute("SELECT count(*) FROM live_spool").fetchall() == [(0,)]
    con.close()


def test_a_body_that_cannot_be_loaded_moves_aside_with_its_reason_and_the_rest_loads(tmp_path):
    db = tmp_path / "store.duckdb"
    spool = Spool(tmp_path / "spool")
    spool.write("sendgrid", raw_json([sendgrid_event("good-1")]))
    bad = spool.write("sendgrid", b"[not json")  # signed, but broken
    spool.write("sendgrid", raw_json([sendgrid_event("good-2"), "not an event"]))
    HookLoader(spool, db).drain()
    assert spool.pending("sendgrid") == [] and spool.failed("sendgrid") == 1
    reason = (tmp_path / "spool" / "sendgrid" / "failed" / (bad + ".reason.txt")).read_text()
    assert "not JSON" in reason
    con = connect(db)
    assert con.execute("SELECT source_id FROM notifications ORDER BY 1").fetchall() == [("good-1",), ("good-2",)]
    assert con.execute("SELECT reason FROM quarantine").fetchall() == [("record is not a JSON object",)]
    state = live.status(con).row(0, named=True)
    assert state["name"] == "hook:sendgrid" and "not JSON" in state["last_error"]
    con.close()


def test_an_envelope_without_events_is_dropped_as_loaded(tmp_path):
    db = tmp_path / "store.duckdb"
    spool = Spool(tmp_path / "spool")
    update = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]}  # fmt: skip
    spool.write("whatsapp", json.dumps(update).encode())
    assert HookLoader(spool, db).drain() == 1
    assert spool.pending("whatsapp") == [] and ledger(db) == (0, 0)


def whatsapp_status(wamid: str, kind: str, at: str) -> dict:
    status = {"id": wamid, "status": kind, "timestamp": at, "recipient_id": "12025550143",
              "biz_opaque_callback_data": "recall_r24_017"}  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"}, "statuses": [status]}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip


def test_bodies_without_events_are_marked_in_the_batch_transaction_not_their_own(tmp_path):
    """A take of a status, a template update and another status: one micro-batch, one transaction
    that records all three bodies (the empty one too) under the one ledger entry. Killed right after
    that commit, the restarted loader loads nothing again."""
    db = tmp_path / "store.duckdb"
    DiesAfterCommit.died = False
    dying = DiesAfterCommit(tmp_path / "spool")
    update = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]}  # fmt: skip
    names = [
        dying.write("whatsapp", raw_json(whatsapp_status("wamid.A1", "delivered", "1709648590"))),
        dying.write("whatsapp", raw_json(update)),
        dying.write("whatsapp", raw_json(whatsapp_status("wamid.A1", "read", "1709648600"))),
    ]
    with pytest.raises(SystemExit):
        HookLoader(dying, db).drain()
    con = connect(db)
    marks = con.execute("SELECT body_name, ingest_id FROM live_spool ORDER BY 1").fetchall()
    ingests = con.execute("SELECT ingest_id FROM ingests").fetchall()
    con.close()
    assert ingests == [(ingests[0][0],)] and marks == [(n, ingests[0][0]) for n in sorted(names)]
    restarted = HookLoader(Spool(tmp_path / "spool"), db)
    assert restarted.drain() == 3 and restarted.spool.pending("whatsapp") == []
    assert ledger(db) == (1, 2)


def test_a_twilio_take_with_calls_and_messages_is_two_batches_one_per_connector(tmp_path):
    """A micro-batch is the bodies one connector reads (docs/live-sources.md): a ledger entry names
    its connector, so message and call callbacks received together make two entries."""
    db = tmp_path / "store.duckdb"
    spool = Spool(tmp_path / "spool")
    spool.write("twilio", b"MessageSid=SM1&MessageStatus=delivered&From=%2B18005550188&To=%2B12025550143")
    call = b"CallSid=CA1&CallStatus=completed&Direction=inbound&From=%2B12025550143&To=%2B18005550188"
    spool.write("twilio", call + b"&CallDuration=60&Timestamp=Tue,+05+Mar+2024+14:22:10+%2B0000")
    spool.write("twilio", b"MessageSid=SM1&MessageStatus=read&From=%2B18005550188&To=%2B12025550143")
    assert HookLoader(spool, db).drain() == 3
    con = connect(db)
    got = con.execute("SELECT connector, rows_read, file_name LIKE '%-2-bodies.ndjson' FROM ingests ORDER BY 1")
    assert got.fetchall() == [("twilio_messaging_json", 2, True), ("twilio_voice_json", 1, False)]
    con.close()


def test_sendgrid_sdk_vector_verifies_and_fails_without_its_crlf():
    """sendgrid/sendgrid-python test/unit/test_eventwebhook.py: key, signature, timestamp, payload."""
    key = signatures.sendgrid_key(
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
    )
    signature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
    event = {"email": "hello@world.com", "event": "dropped", "reason": "Bounced Address",
             "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
             "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
             "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>", "timestamp": 1600112492}  # fmt: skip
    payload = json.dumps([event], sort_keys=True, separators=(",", ":")) + "\r\n"
    at = 1600112502
    assert signatures.sendgrid_ok(key, signature, str(at), payload.encode(), now=at) is None
    assert "does not match" in signatures.sendgrid_ok(key, signature, str(at), payload.strip().encode(), now=at)
    assert "replay" in signatures.sendgrid_ok(key, signature, str(at), payload.encode(), now=at + 301)


def test_twilio_sdk_vectors():
    """twilio/twilio-python tests/unit/test_request_validator.py."""
    uri = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [("CallSid", "CA1234567890ABCDE"), ("Digits", "1234"), ("From", "+14158675309"),
              ("To", "+18005551212"), ("Caller", "+14158675309")]  # fmt: skip
    assert signatures.twilio_signature("12345", uri, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert signatures.twilio_ok("12345", uri.replace(".com", ".com:1234"), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert signatures.twilio_ok("12345", uri, params, "kvajT1Ptam85bY51eRf/AJRuM3w=")  # with :443
    assert not signatures.twilio_ok("12345", uri.replace("https", "http"), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    repeated = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert signatures.twilio_signature("12345", uri, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    body = b'{"property": "value", "boolean": true}'
    with_body = uri + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    assert signatures.twilio_ok("12345", with_body, [], "a9nBmqA0ju/hNViExpshrM61xv4=", body)
    assert not signatures.twilio_ok("12345", with_body, [], "a9nBmqA0ju/hNViExpshrM61xv4=", body + b" ")


def test_hostile_bodies_fail_alone_with_a_reason(tmp_path):
    """A body nested too deeply and a call callback with an absurd duration move aside; the body
    between them loads."""
    db = tmp_path / "store.duckdb"
    spool = Spool(tmp_path / "spool")
    spool.write("sendgrid", b"[" * 100_000 + b"]" * 100_000)
    spool.write("sendgrid", raw_json([sendgrid_event("fine-1")]))
    spool.write("twilio", b"CallSid=CA1&CallStatus=completed&Direction=inbound&CallDuration=" + b"9" * 40)
    HookLoader(spool, db).drain()
    assert spool.failed("sendgrid") == 1 and spool.failed("twilio") == 1
    reasons = sorted(p.read_text() for p in (tmp_path / "spool").rglob("*.reason.txt"))
    assert "nested too deeply" in reasons[1] and "CallDuration" in reasons[0]
    con = connect(db)
    assert con.execute("SELECT source_id FROM notifications").fetchall() == [("fine-1",)]
    con.close()
