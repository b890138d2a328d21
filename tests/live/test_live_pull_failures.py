"""The failure modes of pulled sources, each against a local vendor server: a read timeout and a
connection dropped mid-answer are retried as transient; Freshdesk's ``X-RateLimit-Remaining: 0``
pauses for ``Retry-After``; Zendesk's request spacing holds; Genesys's 429 waits ``Retry-After``.
Waits are kept to about a second (the suite's time budget)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pull_support import (
    conversation,
    freshdesk_ticket,
    run_once,
    twilio_call,
    twilio_page,
    utc,
    zendesk_page,
    zendesk_ticket,
)
from vendor_server import Hangup, Script, VendorServer, json_answer

from connectors.live import http
from store.db import connect

ACCT = "/2010-04-01/Accounts/AC00000000000000000000000000000000"
TWILIO_TOML = f"""
[[source]]
name = "twilio"
kind = "twilio"
base_url = "{{url}}"
account_sid = "{ACCT.rsplit("/", 1)[1]}"
messages = false
retry_base_s = 0.05
"""
TWILIO_SECRETS = '[recall_ops.pull.twilio]\nauth_token = "tw-token"\n'


def rows(db: Path, sql: str) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def calls_answer(sids: list[str]):
    page = twilio_page("calls", [twilio_call(s) for s in sids], f"{ACCT}/Calls.json?Page=0", None, 0, 1000)
    return json_answer(page)


def test_a_read_timeout_is_retried_as_transient_and_the_run_completes(tmp_path, monkeypatch):
    monkeypatch.setattr(http, "READ_TIMEOUT_S", 0.3)
    db = tmp_path / "store.duckdb"
    sid = "CA" + "1" * 32
    stalls = {"left": 1}

    def calls(req):
        if stalls["left"]:  # headers not sent before the client's read timeout
            stalls["left"] -= 1
            time.sleep(0.8)
        return calls_answer([sid])

    with VendorServer() as srv:
        srv.route("GET", f"{ACCT}/Calls.json", calls)
        status, lines = run_once(tmp_path, TWILIO_TOML.format(url=srv.url), db, TWILIO_SECRETS)
        assert status == 0, lines
        assert len(srv.seen(f"{ACCT}/Calls.json")) == 2
        assert any("timed out" in line and "retrying" in line for line in lines), lines
    assert rows(db, "SELECT source_id FROM contacts") == [(sid,)]
    assert rows(db, "SELECT state, last_error LIKE '%timed out%' FROM live_sources") == [("ok", True)]


def test_a_connection_reset_or_closed_mid_answer_is_retried_as_transient(tmp_path):
    """First answer: headers and 20 bytes, then a TCP reset; second: the same, then an orderly close
    (urllib returns the short body without an error: it must not be read as a bad JSON page)."""
    db = tmp_path / "store.duckdb"
    sid = "CA" + "2" * 32
    whole = calls_answer([sid])
    with VendorServer() as srv:
        srv.route("GET", f"{ACCT}/Calls.json", Script(lambda req: whole, Hangup(whole, 20), Hangup(whole, 20, False)))
        status, lines = run_once(tmp_path, TWILIO_TOML.format(url=srv.url), db, TWILIO_SECRETS)
        assert status == 0, lines
        assert len(srv.seen(f"{ACCT}/Calls.json")) == 3
        retries = [line for line in lines if "retrying" in line]
        assert len(retries) == 2 and "reset" in retries[0], lines
        assert f"closed after 20 of {len(whole[2])} bytes" in retries[1], lines
    assert rows(db, "SELECT source_id FROM contacts") == [(sid,)]
    assert rows(db, "SELECT state FROM live_sources") == [("ok",)]


def test_freshdesk_rate_limit_remaining_zero_pauses_for_retry_after(tmp_path):
    db = tmp_path / "store.duckdb"
    base = utc(60)
    tickets = [freshdesk_ticket(4000 + i, base.replace(minute=i)) for i in range(3)]

    def answer(req):
        page = int(req.query["page"])
        part = tickets[(page - 1) * 2 : page * 2]
        left = "0" if page == 1 else "40"
        return json_answer(part, **{"X-RateLimit-Total": "50", "X-RateLimit-Remaining": left, "Retry-After": "1"})

    with VendorServer() as srv:
        srv.route("GET", "/api/v2/tickets", answer)
        toml = f'[[source]]\nname = "fd"\nkind = "freshdesk"\nbase_url = "{srv.url}"\nstart = "2024-03-05T00:00:00Z"\n'
        status, lines = run_once(tmp_path, toml + "per_page = 2\n", db, '[recall_ops.pull.fd]\napi_key = "k"\n')
        assert status == 0, lines
        asked = srv.seen("/api/v2/tickets")
        assert [r.query["page"] for r in asked] == ["1", "2"]
        assert 1.0 <= asked[1].at - asked[0].at < 10  # Retry-After, not the 60 s rate_pause_s default
    assert rows(db, "SELECT count(*) FROM contacts") == [(3,)]


def test_zendesk_requests_are_spaced_by_min_request_interval(tmp_path):
    db = tmp_path / "store.duckdb"
    with VendorServer() as srv:
        pages = {None: zendesk_page([zendesk_ticket(1, "2024-03-05T14:10:00Z")], "c1", False, srv.url),
                 "c1": zendesk_page([zendesk_ticket(2, "2024-03-05T14:11:00Z")], "c2", False, srv.url),
                 "c2": zendesk_page([], "c2", True, srv.url)}  # fmt: skip
        path = "/api/v2/incremental/tickets/cursor.json"
        srv.route("GET", path, lambda req: json_answer(pages[req.query.get("cursor")]))
        toml = (
            f'[[source]]\nname = "zendesk"\nkind = "zendesk"\nbase_url = "{srv.url}"\nemail = "ops@acme.example"\n'
            'start = "2024-03-05T00:00:00Z"\nratings = false\nmin_request_interval_s = 0.3\n'
        )
        status, lines = run_once(tmp_path, toml, db, '[recall_ops.pull.zendesk]\ntoken = "t"\n')
        assert status == 0, lines
        at = [r.at for r in srv.seen(path)]
        assert len(at) == 3
        gaps = [b - a for a, b in zip(at, at[1:], strict=False)]
        # spaced from when each answer was in, so arrivals are at least the interval apart however
        # long the connect took; unspaced they follow each other within milliseconds
        assert min(gaps) >= 0.3, gaps
    assert rows(db, "SELECT count(*) FROM contacts") == [(2,)]


def test_genesys_429_waits_retry_after_and_is_not_a_failure(tmp_path):
    db = tmp_path / "store.duckdb"
    start = utc(120)
    convs = [conversation(f"conv-{i}", f"{start:%Y-%m-%dT%H:}{10 + i:02d}:00.000Z") for i in range(2)]
    path = "/api/v2/analytics/conversations/details/query"
    with VendorServer() as srv:
        srv.route("POST", "/oauth/token", lambda req: json_answer({"access_token": "tok", "expires_in": 86399}))
        limited = json_answer({"status": 429, "code": "too.many.requests"}, 429, **{"Retry-After": "1"})
        srv.route("POST", path, Script(lambda req: json_answer({"conversations": convs}), limited))
        toml = (
            f'[[source]]\nname = "genesys"\nkind = "genesys"\nlogin_url = "{srv.url}"\napi_url = "{srv.url}"\n'
            f'client_id = "c"\nstart = "{start.isoformat()}Z"\npage_size = 10\nwindow_s = 86400\nlag_s = 0\n'
        )
        status, lines = run_once(tmp_path, toml, db, '[recall_ops.pull.genesys]\nclient_secret = "s"\n')
        assert status == 0, lines
        asked = srv.seen(path)
        assert len(asked) == 2 and asked[1].at - asked[0].at >= 1.0
        assert json.loads(asked[0].body)["paging"] == json.loads(asked[1].body)["paging"]  # the same page again
        assert any("rate limited, waiting 1.0 s" in line for line in lines), lines
    assert rows(db, "SELECT count(*) FROM contacts") == [(2,)]
    assert rows(db, "SELECT state, last_error FROM live_sources") == [("ok", None)]
