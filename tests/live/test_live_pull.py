"""The API readers against local HTTP servers serving the vendors' documented shapes: pagination,
cursors, 429 with Retry-After, a 5xx mid-run, token refresh, a permanent failure that stops one
source while the others go on, and credentials kept out of every message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT
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
from vendor_server import Script, VendorServer, json_answer

from store import live
from store.db import connect, open_store

TOKEN = "zd-secret-token-31337"


@pytest.fixture(params=["duckdb", "postgresql"])
def store_db(request, tmp_path) -> Path | str:
    """Where the puller writes: a DuckDB file, or a PostgreSQL database of the test's own."""
    return tmp_path / "store.duckdb" if request.param == "duckdb" else request.getfixturevalue("pg_server").fresh()


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def zendesk_server(srv: VendorServer) -> None:
    """Three cursor pages (the second one rate-limited once, Retry-After 1), then an empty page at
    the end of the stream; ticket 2 changes again on the third page. Ratings: two cursor pages."""
    b = srv.url
    pages = {
        None: zendesk_page([zendesk_ticket(1, "2024-03-05T14:10:00Z"), zendesk_ticket(2, "2024-03-05T14:11:00Z")],
                           "c1", False, b),
        "c1": zendesk_page([zendesk_ticket(3, "2024-03-05T14:12:00Z"), zendesk_ticket(4, "2024-03-05T14:13:00Z")],
                           "c2", False, b),
        "c2": zendesk_page([zendesk_ticket(5, "2024-03-05T14:14:00Z"),
                            zendesk_ticket(2, "2024-03-05T14:15:00Z", status="solved")], "c3", True, b),
        "c3": zendesk_page([], "c3", True, b),
    }  # fmt: skip
    rate_limited = {"c1": 1}

    def tickets(req):
        cursor = req.query.get("cursor")
        if rate_limited.get(cursor):
            rate_limited[cursor] -= 1
            return json_answer({"error": "APIRateLimitExceeded"}, 429, **{"Retry-After": "1"})
        return json_answer(pages[cursor], **{"x-rate-limit": "700", "x-rate-limit-remaining": "699"})

    def ratings(req):
        at = "2024-03-06T09:02:40Z"
        rating = {"ticket_id": 1, "score": "good", "created_at": at, "updated_at": at}
        if "page[after]" not in req.query:
            nxt = f"{b}/api/v2/satisfaction_ratings?page[after]=r1&page[size]=100"
            return json_answer({"satisfaction_ratings": [{**rating, "id": 9120031}],
                                "meta": {"has_more": True, "after_cursor": "r1"}, "links": {"next": nxt}})  # fmt: skip
        bad = {**rating, "id": 9120040, "ticket_id": 3, "score": "bad", "updated_at": "2024-03-08T10:05:00Z"}
        return json_answer({"satisfaction_ratings": [bad], "meta": {"has_more": False}, "links": {"next": None}})

    srv.route("GET", "/api/v2/incremental/tickets/cursor.json", tickets)
    srv.route("GET", "/api/v2/satisfaction_ratings", ratings)


ZENDESK_TOML = """
[[source]]
name = "zendesk"
kind = "zendesk"
base_url = "{url}"
email = "ops@acme.example"
start = "2024-03-05T00:00:00Z"
min_request_interval_s = 0
"""


def test_zendesk_cursor_pages_429_and_ratings_then_a_resume_from_the_saved_cursor(tmp_path, store_db):
    db = store_db
    with VendorServer() as srv:
        zendesk_server(srv)
        secrets = f'[recall_ops.pull.zendesk]\ntoken = "{TOKEN}"\n'
        status, lines = run_once(tmp_path, ZENDESK_TOML.format(url=srv.url), db, secrets)
        assert status == 0, lines
        calls = srv.seen("/api/v2/incremental/tickets/cursor.json")
        assert [r.query.get("cursor") or f"start_time={r.query['start_time']}" for r in calls] == [
            "start_time=1709596800", "c1", "c1", "c2"]  # fmt: skip
        assert calls[2].at - calls[1].at >= 1.0  # waited for Retry-After before asking again
        assert all(r.query["include"] == "metric_sets,users,groups" for r in calls)
        assert calls[0].headers["authorization"].startswith("Basic ")
        got = rows(db, "SELECT source_id, status, agent, queue FROM contacts WHERE source = 'zendesk' ORDER BY 1")
        assert got == [(str(i), "solved" if i == 2 else "open", "Sam Rivera", "Recall Hotline") for i in range(1, 6)]
        ledger = rows(db, "SELECT sum(rows_read), sum(rows_inserted), sum(rows_updated) FROM ingests "
                          "WHERE loaded_by = 'pull:zendesk/tickets'")  # fmt: skip
        assert ledger == [(6, 5, 1)]
        assert rows(db, "SELECT source_id, score FROM csat ORDER BY 1") == [("ticket-1", 1.0), ("ticket-3", 0.0)]
        cursors = dict(rows(db, "SELECT stream, cursor_json FROM live_cursors WHERE source = 'zendesk'"))
        assert json.loads(cursors["tickets"])["after_cursor"] == "c3"
        ratings_cursor = json.loads(cursors["ratings"])
        assert ratings_cursor["next"] is None and ratings_cursor["since"] == 1709892300 - 600  # newest − 10 min
        state = rows(db, "SELECT name, state, last_success_at IS NOT NULL, last_error FROM live_sources ORDER BY 1")
        assert state == [("pull:zendesk/ratings", "ok", True, None), ("pull:zendesk/tickets", "ok", True, None)]

        status, _ = run_once(tmp_path, ZENDESK_TOML.format(url=srv.url), db, secrets)  # a restart
        assert status == 0
        assert srv.seen("/api/v2/incremental/tickets/cursor.json")[-1].query == {
            "include": "metric_sets,users,groups", "exclude_deleted": "true", "cursor": "c3"}  # fmt: skip
        assert rows(db, "SELECT count(*) FROM contacts") == [(5,)]


def freshdesk_api(srv: VendorServer, tickets: list[dict], fail_page2: int = 0) -> None:
    """GET /api/v2/tickets the way Freshdesk answers it: updated_since (inclusive), ascending by
    updated_at, per_page/page, a Link rel="next" header while more pages follow; page 2 answers 503
    ``fail_page2`` times first."""
    failures = {"left": fail_page2}

    def answer(req):
        page, per = int(req.query.get("page", 1)), int(req.query.get("per_page", 30))
        if page == 2 and failures["left"]:
            failures["left"] -= 1
            return json_answer({"code": "service_unavailable"}, 503)
        since = req.query.get("updated_since", "")
        chosen = sorted((t for t in tickets if t["updated_at"] >= since), key=lambda t: (t["updated_at"], t["id"]))
        part = chosen[(page - 1) * per : page * per]
        headers = {"X-RateLimit-Total": "200", "X-RateLimit-Remaining": "150", "X-RateLimit-Used-CurrentRequest": "3"}
        if page * per < len(chosen):
            headers["Link"] = f'<{srv.url}/api/v2/tickets?page={page + 1}&per_page={per}>; rel="next"'
        return json_answer(part, **headers)

    srv.route("GET", "/api/v2/tickets", answer)


FRESHDESK_TOML = """
[[source]]
name = "freshdesk"
kind = "freshdesk"
base_url = "{url}"
start = "2024-03-05T00:00:00Z"
per_page = 2
retry_base_s = 0.05
{extra}
"""


def test_freshdesk_pages_with_a_5xx_mid_run_keep_their_place_and_load_each_ticket_once(tmp_path):
    db = tmp_path / "store.duckdb"
    base = utc(60)
    tickets = [freshdesk_ticket(1000 + i, base.replace(minute=i)) for i in range(5)]
    with VendorServer() as srv:
        freshdesk_api(srv, tickets, fail_page2=3)
        os.environ["RECALL_OPS_PULL_FRESHDESK_API_KEY"] = "fd-key"
        try:
            status, lines = run_once(tmp_path, FRESHDESK_TOML.format(url=srv.url, extra=""), db)
        finally:
            del os.environ["RECALL_OPS_PULL_FRESHDESK_API_KEY"]
        assert status == 0, lines
        pages = [r.query["page"] for r in srv.seen("/api/v2/tickets")]
        assert pages == ["1", "2", "2", "2", "2", "3"]  # page 2 retried until it answered; never skipped
        assert sum("retrying" in line for line in lines) == 3
        assert rows(db, "SELECT count(*), count(DISTINCT source_id) FROM contacts") == [(5, 5)]
        assert rows(db, "SELECT sum(rows_inserted) FROM ingests WHERE loaded_by = 'pull:freshdesk/tickets'") == [(5,)]
        since = json.loads(rows(db, "SELECT cursor_json FROM live_cursors")[0][0])["since"]
        assert since == (base.replace(minute=4) - timedelta(minutes=5)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )  # the next run starts 5 minutes before the newest change
        assert rows(db, "SELECT state, last_error LIKE '%HTTP 503%' FROM live_sources") == [("ok", True)]


def test_freshdesk_page_cap_moves_updated_since_and_starts_again_at_page_1(tmp_path):
    db = tmp_path / "store.duckdb"
    base = utc(60)
    tickets = [freshdesk_ticket(2000 + i, base.replace(minute=i)) for i in range(7)]
    with VendorServer() as srv:
        freshdesk_api(srv, tickets)
        secrets = '[recall_ops.pull.freshdesk]\napi_key = "fd-key"\n'
        status, _ = run_once(tmp_path, FRESHDESK_TOML.format(url=srv.url, extra="page_cap = 2"), db, secrets)
        assert status == 0
        asked = [(r.query["updated_since"][11:16], r.query["page"]) for r in srv.seen("/api/v2/tickets")]
        t = [x["updated_at"][11:16] for x in tickets]
        assert asked == [("00:00", "1"), ("00:00", "2"), (t[3], "1"), (t[3], "2"), (t[6], "1")]
        assert rows(db, "SELECT count(DISTINCT source_id), count(*) FROM contacts") == [(7, 7)]


TWILIO_TOML = """
[[source]]
name = "twilio"
kind = "twilio"
base_url = "{url}"
account_sid = "AC00000000000000000000000000000000"
page_size = 2
"""


def test_twilio_calls_follow_next_page_uri_and_fold_a_child_leg_from_another_page(tmp_path):
    db = tmp_path / "store.duckdb"
    acct = "/2010-04-01/Accounts/AC00000000000000000000000000000000"
    parent, other, child = "CA" + "a" * 32, "CA" + "b" * 32, "CA" + "c" * 32
    calls = [
        [twilio_call(parent), twilio_call(other, status="no-answer", duration="0", **{"from": "+12025550100"})],
        [],
        [twilio_call(child, parent_call_sid=parent, direction="outbound-dial", to="client:sam",
                     start_time="Tue, 05 Mar 2024 14:22:40 +0000", duration="422")],
    ]  # fmt: skip

    def calls_page(req):
        page = int(req.query.get("Page", 0))
        uri = f"{acct}/Calls.json?PageSize=2&Page={page}"
        nxt = f"{acct}/Calls.json?PageSize=2&Page={page + 1}&PageToken=PA{page}" if page < 2 else None
        return json_answer(twilio_page("calls", calls[page], uri, nxt, page, 2))

    def messages_page(req):
        msgs = [{"sid": "SM" + "1" * 32, "status": "delivered", "direction": "outbound-api", "from": "+18005550188",
                 "to": "+12025550143", "date_sent": "Tue, 05 Mar 2024 15:00:00 +0000",
                 "date_updated": "Tue, 05 Mar 2024 15:00:05 +0000", "messaging_service_sid": "MG123"}]  # fmt: skip
        return json_answer(twilio_page("messages", msgs, f"{acct}/Messages.json?PageSize=2&Page=0", None, 0, 2))

    with VendorServer() as srv:
        srv.route("GET", f"{acct}/Calls.json", Script(calls_page, json_answer({"code": 20429}, 429)))
        srv.route("GET", f"{acct}/Messages.json", messages_page)
        secrets = '[recall_ops.pull.twilio]\nauth_token = "tw-token"\n'
        status, lines = run_once(tmp_path, TWILIO_TOML.format(url=srv.url), db, secrets)
        assert status == 0, lines
        first = srv.seen(f"{acct}/Calls.json")[0]
        assert first.query["StartTime>"] == (utc() - timedelta(days=1)).date().isoformat()  # yesterday and today
        assert [r.query.get("Page", "0") for r in srv.seen(f"{acct}/Calls.json")] == ["0", "0", "1", "2"]
        got = rows(db, "SELECT source_id, is_abandoned, agent, answered_at IS NOT NULL FROM contacts ORDER BY 1")
        assert got == [(parent, False, "sam", True), (other, True, None, False)]
        ledger = "SELECT rows_read, rows_inserted, rows_unchanged FROM ingests WHERE loaded_by = 'pull:twilio/calls'"
        assert rows(db, ledger) == [(3, 2, 1)]  # the child leg is folded into its parent (counted as unchanged)
        assert rows(db, "SELECT source_id, campaign FROM notifications") == [
            ("SM" + "1" * 32 + ":delivered", ["MG123"])
        ]


def test_twilio_after_an_outage_longer_than_days_reads_back_to_the_saved_cursor(tmp_path):
    """The last complete run was 5 days ago: this run asks from the day before it (``days`` = 2), not
    from yesterday, so the calls of the outage load; calls before that window are not asked for."""
    db = tmp_path / "store.duckdb"
    acct = "/2010-04-01/Accounts/AC00000000000000000000000000000000"
    now = utc()
    last_run = now - timedelta(days=5)
    with open_store(db) as con:
        live.put_cursor(con, "twilio", "calls", {"last_run_started": last_run.isoformat()}, last_run)

    def started(days_ago: float) -> str:
        return (now - timedelta(days=days_ago)).strftime("%a, %d %b %Y %H:%M:%S +0000")

    stored = [twilio_call(f"CA{i:032x}", start_time=started(d), end_time=started(d), date_updated=started(d),
                          **{"from": f"+1202555{i:04d}"}) for i, d in enumerate([9, 5, 4, 3, 0.1])]  # fmt: skip

    def calls_page(req):  # Twilio's filter: calls started on or after the UTC date asked for
        since = req.query["StartTime>"]
        chosen = [c for c in stored if now.strptime(c["start_time"], "%a, %d %b %Y %H:%M:%S +0000").date()
                  .isoformat() >= since]  # fmt: skip
        return json_answer(twilio_page("calls", chosen, f"{acct}/Calls.json?Page=0", None, 0, 1000))

    with VendorServer() as srv:
        srv.route("GET", f"{acct}/Calls.json", calls_page)
        secrets = '[recall_ops.pull.twilio]\nauth_token = "tw-token"\n'
        status, lines = run_once(tmp_path, TWILIO_TOML.format(url=srv.url) + "messages = false\n", db, secrets)
        assert status == 0, lines
        assert [r.query["StartTime>"] for r in srv.seen(f"{acct}/Calls.json")] == [
            (last_run - timedelta(days=1)).date().isoformat()
        ]
        got = [r[0] for r in rows(db, "SELECT source_id FROM contacts ORDER BY 1")]
        assert got == [f"CA{i:032x}" for i in (1, 2, 3, 4)]  # the 9-day-old call was before the window
        cursor = json.loads(rows(db, "SELECT cursor_json FROM live_cursors WHERE stream = 'calls'")[0][0])
        assert cursor["last_run_started"] >= now.isoformat()  # the next run is back to the last 2 days


GENESYS_TOML = """
[[source]]
name = "genesys"
kind = "genesys"
login_url = "{url}"
api_url = "{url}"
client_id = "client-123"
start = "{start}"
page_size = 2
window_s = 86400
lag_s = 0
"""


def test_genesys_token_refresh_on_401_and_paged_details(tmp_path):
    db = tmp_path / "store.duckdb"
    start = utc(120)
    day = start.strftime("%Y-%m-%dT%H:")
    convs = [conversation(f"conv-{i}", f"{day}{10 + i:02d}:00.000Z") for i in range(3)]
    tokens = iter(["token-1", "token-2"])
    with VendorServer() as srv:
        srv.route("POST", "/oauth/token", lambda req: json_answer(
            {"access_token": next(tokens), "token_type": "bearer", "expires_in": 86399}))  # fmt: skip

        def query(req):
            body = json.loads(req.body)
            if req.headers["authorization"] == "Bearer token-1" and body["paging"]["pageNumber"] == 2:
                return json_answer({"status": 401, "code": "bad.credentials", "message": "token expired"}, 401)
            n = body["paging"]["pageNumber"]
            return json_answer({"conversations": convs[(n - 1) * 2 : n * 2], "totalHits": len(convs)})

        srv.route("POST", "/api/v2/analytics/conversations/details/query", query)
        secrets = '[recall_ops.pull.genesys]\nclient_secret = "gc-secret"\n'
        status, lines = run_once(tmp_path, GENESYS_TOML.format(url=srv.url, start=start.isoformat() + "Z"), db, secrets)
        assert status == 0, lines
        assert len(srv.seen("/oauth/token")) == 2  # fetched again after the 401
        assert srv.seen("/oauth/token")[0].body == b"grant_type=client_credentials"
        got = rows(db, "SELECT source_id, queue, agent, talk_s, wait_s FROM contacts ORDER BY 1")
        assert got == [(f"conv-{i}", "Recall Hotline", "Sam Rivera", 120.0, 15.0) for i in range(3)]
        body = json.loads(srv.seen("/api/v2/analytics/conversations/details/query")[0].body)
        assert body["interval"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))
        assert body["orderBy"] == "conversationStart" and body["paging"] == {"pageSize": 2, "pageNumber": 1}


def test_a_permanent_failure_stops_its_source_and_the_others_go_on(tmp_path):
    db = tmp_path / "store.duckdb"
    with VendorServer() as srv:
        srv.route("POST", "/oauth/token", lambda req: json_answer({"error": "invalid_client"}, 401))
        freshdesk_api(srv, [freshdesk_ticket(3000, utc(30))])
        toml = GENESYS_TOML.format(url=srv.url, start=utc(60).isoformat() + "Z") + FRESHDESK_TOML.format(
            url=srv.url, extra=""
        )
        secrets = '[recall_ops.pull.genesys]\nclient_secret = "gc-secret"\n[recall_ops.pull.freshdesk]\napi_key = "k"\n'
        status, lines = run_once(tmp_path, toml, db, secrets)
        assert status == 1
        assert any("pull:genesys/conversations: STOPPED" in line and "HTTP 401" in line for line in lines)
        state = dict(rows(db, "SELECT name, state FROM live_sources"))
        assert state == {"pull:genesys/conversations": "stopped", "pull:freshdesk/tickets": "ok"}
        assert rows(db, "SELECT count(*) FROM contacts WHERE source = 'freshdesk'") == [(1,)]
        err = rows(db, "SELECT last_error FROM live_sources WHERE state = 'stopped'")[0][0]
        assert "check the credentials" in err and "gc-secret" not in err


def test_credentials_stay_out_of_live_toml_and_out_of_every_message(tmp_path):
    leaked = tmp_path / "leaked.toml"
    leaked.write_text('[[source]]\nname = "zd"\nkind = "zendesk"\nsubdomain = "acme"\ntoken = "abc"\n')
    out = subprocess.run([sys.executable, "-m", "connectors", "pull", "--config", str(leaked), "--db",
                          str(tmp_path / "s.duckdb"), "--once"], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2
    assert "token is a credential and does not belong in leaked.toml" in out.stdout
    assert "RECALL_OPS_PULL_ZD_TOKEN" in out.stdout and "abc" not in out.stdout.replace("acme", "")
    with VendorServer() as srv:
        srv.route("GET", "/api/v2/incremental/tickets/cursor.json",
                  lambda req: json_answer({"error": "Couldn't authenticate you"}, 401))  # fmt: skip
        (tmp_path / "live.toml").write_text(ZENDESK_TOML.format(url=srv.url) + "ratings = false\n")
        env = {**os.environ, "RECALL_OPS_PULL_ZENDESK_TOKEN": TOKEN}
        cmd = [sys.executable, "-m", "connectors", "pull", "--config", str(tmp_path / "live.toml"),
               "--db", str(tmp_path / "s.duckdb"), "--once"]  # fmt: skip
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        assert out.returncode == 1
        assert "STOPPED" in out.stdout and "HTTP 401 — check the credentials" in out.stdout
        assert TOKEN not in out.stdout + out.stderr
        assert TOKEN not in str(rows(tmp_path / "s.duckdb", "SELECT * FROM live_sources"))


def test_a_killed_puller_resumes_from_its_last_committed_page(tmp_path, store_db):
    """``python -m connectors pull`` (long-running) killed with SIGKILL in the middle of eight pages,
    then run again with ``--once``: every ticket once, and the second run starts at a saved cursor."""
    db = store_db
    with VendorServer() as srv:
        pages = {None if i == 0 else f"c{i}": zendesk_page(
            [zendesk_ticket(100 + 2 * i, "2024-03-05T15:00:00Z"), zendesk_ticket(101 + 2 * i, "2024-03-05T15:00:00Z")],
            f"c{i + 1}", i == 7, srv.url) for i in range(8)}  # fmt: skip
        pages["c8"] = zendesk_page([], "c8", True, srv.url)
        path = "/api/v2/incremental/tickets/cursor.json"
        srv.route("GET", path, lambda req: json_answer(pages[req.query.get("cursor")]))
        srv.delay_s = 0.25
        (tmp_path / "live.toml").write_text(ZENDESK_TOML.format(url=srv.url) + "ratings = false\ninterval_s = 600\n")
        env = {**os.environ, "RECALL_OPS_PULL_ZENDESK_TOKEN": TOKEN}
        cmd = [sys.executable, "-m", "connectors", "pull", "--config", str(tmp_path / "live.toml"), "--db", str(db)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while len(srv.requests) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.kill()
            proc.wait(timeout=20)
        killed_after = len(srv.requests)
        assert 4 <= killed_after < 9
        out = subprocess.run([*cmd, "--once"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout
        resumed = srv.requests[killed_after]
        assert "cursor" in resumed.query and "start_time" not in resumed.query  # not from the beginning
        assert rows(db, "SELECT count(*), count(DISTINCT source_id) FROM contacts") == [(16, 16)]
        assert rows(db, "SELECT sum(rows_inserted) FROM ingests") == [(16,)]  # none lost, none twice


def test_a_next_page_link_to_another_host_is_not_followed(tmp_path):
    """Credentials go to the configured host only: a page pointing elsewhere stops the stream."""
    db = tmp_path / "store.duckdb"
    acct = "/2010-04-01/Accounts/AC00000000000000000000000000000000"
    with VendorServer() as srv:
        page = twilio_page("calls", [twilio_call("CA" + "d" * 32)], f"{acct}/Calls.json?Page=0", None, 0, 2)
        page["next_page_uri"] = "https://collector.example/steal?Page=1"
        srv.route("GET", f"{acct}/Calls.json", lambda req: json_answer(page))
        secrets = '[recall_ops.pull.twilio]\nauth_token = "tw-token"\n'
        status, lines = run_once(tmp_path, TWILIO_TOML.format(url=srv.url) + "messages = false\n", db, secrets)
        assert status == 1
        assert any("STOPPED" in line and "points at https://collector.example" in line for line in lines), lines
        assert len(srv.requests) == 1
