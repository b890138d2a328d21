"""Webhooks end to end: a real ``streamlit run serve.py`` server configured with secrets made here
(a P-256 key pair for SendGrid, HMAC secrets for WhatsApp and Twilio), real HTTP requests signed
the vendors' way, and the rows read back from the server's DuckDB file."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from browser.harness import Server
from conftest import ROOT
from live_support import (
    SendGridKey,
    eventually,
    query,
    raw_json,
    request,
    run_page,
    sendgrid_event,
    twilio_form,
    whatsapp_headers,
)

from connectors.load import Failure, ingest_paths
from store.db import open_store

pytestmark = pytest.mark.slow  # real `streamlit run serve.py` servers (three of them, one killed twice)

WA_SECRET, WA_VERIFY, TW_TOKEN = "wa-app-secret-for-tests", "wa-verify-token", "twilio-auth-token-for-tests"
MAX_BODY = 65_536


@pytest.fixture(scope="module")
def key() -> SendGridKey:
    return SendGridKey()


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory, key):
    tmp = tmp_path_factory.mktemp("hooks")
    secrets = tmp / "secrets.toml"
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log", secrets=secrets)
    with open_store(srv.db) as con:  # a recall defined: a page run does not load the bundled sample first
        loaded = ingest_paths(con, [ROOT / "tests/fixtures/metrics/recall.toml"])
        assert not [r for r in loaded if isinstance(r, Failure)], loaded
    srv.public_url = "https://ops.example.com/recall-ops/hooks/twilio"
    secrets.write_text(
        f"""
[recall_ops.hooks]
max_body_bytes = {MAX_BODY}

[recall_ops.hooks.sendgrid]
public_key = "{key.public_b64}"

[recall_ops.hooks.whatsapp]
verify_token = "{WA_VERIFY}"
app_secret = "{WA_SECRET}"

[recall_ops.hooks.twilio]
auth_token = "{TW_TOKEN}"
public_url = "{srv.public_url}"
"""
    )
    srv.start()
    yield srv
    srv.stop()


def spool_files(srv: Server, vendor: str) -> list[Path]:
    folder = srv.db.with_name(srv.db.name + ".spool") / vendor
    return sorted(folder.glob("*.body")) if folder.is_dir() else []


def post(srv: Server, vendor: str, raw: bytes, headers: dict) -> int:
    return request(srv.url, "POST", f"/recall-ops/hooks/{vendor}", raw, headers).status


def loaded(srv: Server, vendor: str):
    """(ingests, Σ rows_read, Σ inserted) of the hook's ledger entries once its spool is empty."""
    if spool_files(srv, vendor):
        return None
    return query(
        srv.db,
        "SELECT count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_inserted), 0) FROM ingests "
        "WHERE loaded_by = ?",
        [f"hook:{vendor}"],
    )[0]


def test_sendgrid_signed_batches_load_once_even_when_delivered_twice(hooks_server, key):
    batch = [sendgrid_event("sg-a1", "processed"), sendgrid_event("sg-a2"), sendgrid_event("sg-a3", "open")]
    raw = raw_json(batch)
    assert post(hooks_server, "sendgrid", raw, key.headers(raw)) == 200
    assert post(hooks_server, "sendgrid", raw, key.headers(raw)) == 200  # SendGrid retries: same events again
    assert eventually(lambda: (r := loaded(hooks_server, "sendgrid")) and r[1] == 6 and r)
    rows = query(
        hooks_server.db,
        "SELECT source_id, status, list_contains(campaign, 'recall_r24_017') FROM notifications "
        "WHERE source = 'sendgrid' ORDER BY source_id",
    )  # every category is kept; the recall's campaign is one of them
    assert rows == [("sg-a1", "sent", True), ("sg-a2", "delivered", True), ("sg-a3", "opened", True)]
    assert query(
        hooks_server.db, "SELECT sum(rows_inserted), sum(rows_unchanged) FROM ingests WHERE loaded_by = 'hook:sendgrid'"
    ) == [(3, 3)]


@pytest.mark.parametrize(
    "case",
    ["missing signature", "missing timestamp", "tampered body", "other key", "too old", "from the future"],
)
def test_sendgrid_refuses_what_is_not_signed_by_its_key(hooks_server, key, case):
    raw = raw_json([sendgrid_event(f"refused-{case}")])
    headers = key.headers(raw)
    expected = 403
    if case == "missing signature":
        del headers["X-Twilio-Email-Event-Webhook-Signature"]
        expected = 401
    elif case == "missing timestamp":
        del headers["X-Twilio-Email-Event-Webhook-Timestamp"]
        expected = 401
    elif case == "tampered body":
        raw = raw.replace(b"delivered", b"bounce")
    elif case == "other key":
        headers = SendGridKey().headers(raw)
    elif case == "too old":
        headers = key.headers(raw, timestamp=int(time.time()) - 600)  # a replay of a 10-minute-old batch
    elif case == "from the future":
        headers = key.headers(raw, timestamp=int(time.time()) + 600)
    r = request(hooks_server.url, "POST", "/recall-ops/hooks/sendgrid", raw, headers)
    assert r.status == expected, r.text
    assert not [p for p in spool_files(hooks_server, "sendgrid") if f"refused-{case}".encode() in p.read_bytes()]
    time.sleep(0.3)
    assert query(hooks_server.db, "SELECT count(*) FROM notifications WHERE source_id = ?", [f"refused-{case}"]) == [
        (0,)
    ]


def test_bodies_over_the_limit_and_signed_bodies_of_the_wrong_shape_are_refused(hooks_server, key):
    big = raw_json([sendgrid_event(f"big-{i}") for i in range(MAX_BODY // 150)])
    assert len(big) > MAX_BODY
    assert post(hooks_server, "sendgrid", big, key.headers(big)) == 413
    obj = raw_json({"not": "an array"})
    r = request(hooks_server.url, "POST", "/recall-ops/hooks/sendgrid", obj, key.headers(obj))
    assert r.status == 400 and "JSON array" in r.text
    deep = b"[" * 20_000 + b"]" * 20_000  # valid JSON, nested beyond any parser's stack
    assert post(hooks_server, "sendgrid", deep, key.headers(deep)) == 400


def status(i: str, kind: str, at: str, wamid: str = "wamid.HBgLMTIwMjU1NTAxNDMVAgARGBI") -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550001234", "phone_number_id": "106540352242922"},
                            "statuses": [
                                {
                                    "id": wamid + i,
                                    "status": kind,
                                    "timestamp": at,
                                    "recipient_id": "12025550143",
                                    "biz_opaque_callback_data": "recall_r24_017",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def test_whatsapp_handshake_and_signed_statuses_in_any_order(hooks_server):
    ok = "/recall-ops/hooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" + WA_VERIFY
    r = request(hooks_server.url, "GET", ok)
    assert (r.status, r.text) == (200, "1158201444")
    assert request(hooks_server.url, "GET", ok.replace(WA_VERIFY, "guess")).status == 403
    read, delivered = raw_json(status("1", "read", "1709648600")), raw_json(status("1", "delivered", "1709648590"))
    assert post(hooks_server, "whatsapp", read, whatsapp_headers(WA_SECRET, read)) == 200  # read arrives first
    assert post(hooks_server, "whatsapp", delivered, whatsapp_headers(WA_SECRET, delivered)) == 200
    assert post(hooks_server, "whatsapp", read, {"Content-Type": "application/json"}) == 401
    assert post(hooks_server, "whatsapp", read, whatsapp_headers("wrong-secret", read)) == 403
    tampered = read.replace(b"12025550143", b"12025550199")
    assert post(hooks_server, "whatsapp", tampered, whatsapp_headers(WA_SECRET, read)) == 403
    assert eventually(lambda: (r := loaded(hooks_server, "whatsapp")) and r[1] == 2)
    rows = query(
        hooks_server.db,
        "SELECT source_id, status, customer_phone, campaign FROM notifications WHERE source = 'whatsapp' ORDER BY 1",
    )
    wamid = "wamid.HBgLMTIwMjU1NTAxNDMVAgARGBI1"
    assert rows == [(f"{wamid}:delivered", "delivered", "+12025550143", ["recall_r24_017"]),
                    (f"{wamid}:read", "read", "+12025550143", ["recall_r24_017"])]  # fmt: skip


CALL = "CA" + "5" * 32


def call_callback(status: str, seq: int, at: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": CALL,
        "CallStatus": status,
        "Direction": "inbound",
        "From": "+12025550143",
        "To": "+18005550188",
        "Timestamp": at,
        "SequenceNumber": str(seq),
        "CallbackSource": "call-progress-events",
        **extra,
    }


def test_twilio_callbacks_out_of_sequence_keep_the_latest_state(hooks_server):
    url = hooks_server.public_url
    completed = call_callback("completed", 3, "Tue, 05 Mar 2024 14:29:42 +0000", CallDuration="452")
    ringing = call_callback("ringing", 1, "Tue, 05 Mar 2024 14:22:10 +0000")
    for params in (completed, ringing):  # the completed callback overtakes the ringing one
        body, headers = twilio_form(TW_TOKEN, url, params)
        assert post(hooks_server, "twilio", body, headers) == 200
    message = {"MessageSid": "SM" + "7" * 32, "MessageStatus": "delivered", "From": "+18005550188",
               "To": "+12025550143", "AccountSid": "AC" + "0" * 32}  # fmt: skip
    body, headers = twilio_form(TW_TOKEN, url, message)
    assert post(hooks_server, "twilio", body, headers) == 200
    body, headers = twilio_form(TW_TOKEN, url.replace("https://", "http://"), message)  # a proxy rewrote the URL
    assert post(hooks_server, "twilio", body, headers) == 403
    body, headers = twilio_form(TW_TOKEN, url, message)
    assert post(hooks_server, "twilio", body.replace(b"delivered", b"failed"), headers) == 403
    del headers["X-Twilio-Signature"]
    assert post(hooks_server, "twilio", body, headers) == 401
    assert eventually(lambda: (r := loaded(hooks_server, "twilio")) and r[1] == 3)
    calls = query(
        hooks_server.db, "SELECT status, talk_s, created_at::VARCHAR FROM contacts WHERE source_id = ?", [CALL]
    )
    assert calls == [("completed", 452.0, "2024-03-05 14:22:10")]  # 14:29:42 − 452 s
    assert query(hooks_server.db, "SELECT source_id, status, channel FROM notifications WHERE source = 'twilio'") == [
        ("SM" + "7" * 32 + ":delivered", "delivered", "sms")
    ]


def test_a_burst_of_1000_bodies_is_acknowledged_while_the_dashboard_answers(hooks_server, key):
    """1,000 signed requests from 16 clients; meanwhile the dashboard's own endpoints keep answering
    and a stand-up script run (over Streamlit's websocket, as a browser tab asks for it) completes
    without an error, and afterwards every acknowledged event is in the store once (timings:
    bench/live_latency.py)."""
    bodies = [raw_json([sendgrid_event(f"burst-{i}", at=1709650000 + i)]) for i in range(1000)]
    statuses: list[int] = []
    health: list[int] = []
    done = threading.Event()

    def client(part: list[bytes]) -> None:
        for raw in part:
            statuses.append(post(hooks_server, "sendgrid", raw, key.headers(raw)))

    def probe() -> None:
        while not done.is_set():
            health.append(request(hooks_server.url, "GET", "/_stcore/health").status)
            health.append(request(hooks_server.url, "GET", "/").status)
            time.sleep(0.1)

    watcher = threading.Thread(target=probe)
    watcher.start()
    clients = [threading.Thread(target=client, args=(bodies[i::16],)) for i in range(16)]
    for c in clients:
        c.start()
    page = run_page(hooks_server.url, "standup", "kiosk=1&as_of=now")  # asked for while the burst runs
    sent_by_then = len(statuses)
    for c in clients:
        c.join()
    done.set()
    watcher.join()
    assert statuses.count(200) == 1000
    assert len(health) >= 4 and set(health) == {200}
    assert (page.status, page.exceptions) == ("FINISHED_SUCCESSFULLY", []), page
    print(f"stand-up run during the burst: {page.seconds:.2f} s ({sent_by_then} of 1000 requests answered by then)")
    count = "SELECT count(*) FROM notifications WHERE source_id LIKE 'burst-%'"
    assert eventually(lambda: not spool_files(hooks_server, "sendgrid") and query(hooks_server.db, count) == [(1000,)])
    batches = query(
        hooks_server.db,
        "SELECT count(*), sum(rows_read) FROM ingests WHERE loaded_by = 'hook:sendgrid' AND file_name LIKE '%bodies%'"
        " AND ingest_id > (SELECT max(ingest_id) - 1000 FROM ingests)",
    )
    assert batches[0][0] < 1000  # micro-batches, not one load per request


def test_a_server_killed_after_acknowledging_loses_nothing_and_loads_nothing_twice(tmp_path, key):
    """Phase 1: the store is held by another process, so acknowledged bodies wait in the spool when
    the server is killed. Phase 2: the server is killed while its loader is busy. After each
    restart every acknowledged event is in the store, and the ledger read each body once."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[recall_ops.hooks.sendgrid]\npublic_key = "{key.public_b64}"\n')
    srv = Server(tmp_path / "app.duckdb", tmp_path / "streamlit.log", secrets=secrets)
    acknowledged: list[str] = []

    def send(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            raw = raw_json([sendgrid_event(f"kill-{i}a"), sendgrid_event(f"kill-{i}b", "processed")])
            try:
                if post(srv, "sendgrid", raw, key.headers(raw)) == 200:
                    acknowledged.extend([f"kill-{i}a", f"kill-{i}b"])
            except OSError:  # the server was killed: not acknowledged, so the vendor would retry
                return

    def kill() -> None:
        os.kill(srv.proc.pid, signal.SIGKILL)  # no shutdown: the loader dies wherever it was
        srv.proc.wait(timeout=20)

    def all_loaded() -> bool:
        """Every acknowledged event is stored (a body spooled just before the kill but never answered
        may be stored too: the vendor would have sent it again), and none twice."""
        if spool_files(srv, "sendgrid"):
            return False
        ids = [r[0] for r in query(srv.db, "SELECT source_id FROM notifications WHERE source_id LIKE 'kill-%'")]
        return len(ids) == len(set(ids)) and set(acknowledged) <= set(ids)

    srv.start()
    send(0, 1)
    assert eventually(all_loaded)
    with open_store(srv.db) as held:  # phase 1: the loader cannot open the store
        send(1, 101)
        assert len(spool_files(srv, "sendgrid")) == 100
        kill()
        assert held.execute("SELECT count(*) FROM notifications").fetchall() == [(2,)]
    srv.start()
    assert eventually(all_loaded)
    senders = [threading.Thread(target=send, args=(lo, lo + 50)) for lo in range(101, 401, 50)]
    for t in senders:  # phase 2: killed mid-stream, bodies arriving and loading
        t.start()
    time.sleep(1.5)
    kill()
    for t in senders:
        t.join()
    srv.start()
    try:
        for vendor in ("whatsapp", "twilio"):  # not configured on this server
            assert post(srv, vendor, b"{}", {"Content-Type": "application/json"}) == 404
        assert eventually(all_loaded)
        n = query(srv.db, "SELECT count(*) FROM notifications WHERE source_id LIKE 'kill-%'")[0][0]
        assert n - len(acknowledged) <= 2 * 6  # at most one unanswered body per sender
        ledger = "SELECT sum(rows_read), sum(rows_inserted) FROM ingests WHERE loaded_by = 'hook:sendgrid'"
        assert query(srv.db, ledger) == [(n, n)]  # each stored body read once: none lost, none loaded twice
    finally:
        srv.stop()


def test_unconfigured_hooks_answer_404(monkeypatch):
    """No configuration: every hook answers 404, on a real server (uvicorn) with the same routes."""
    import uvicorn
    from starlette.applications import Starlette

    from ui import live_hooks

    monkeypatch.setattr(live_hooks, "config", lambda: {})
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=live_hooks.routes()), port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        for vendor in ("sendgrid", "whatsapp", "twilio"):
            assert post_to(url, vendor) == 404, vendor
        assert request(url, "GET", "/recall-ops/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=x").status == 404
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post_to(url: str, vendor: str) -> int:
    return request(url, "POST", f"/recall-ops/hooks/{vendor}", b"[]", {"Content-Type": "application/json"}).status
