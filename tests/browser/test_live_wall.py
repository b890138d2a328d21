"""A webhook event reaches an open stand-up screen by itself: `streamlit run serve.py` with the Twilio
webhook configured, the stand-up open in chromium, a signed call callback POSTed; the "Contacts
today" tile counts it and the "data as of" lines show the live source (how fast:
bench/live_latency.py)."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode

import pytest
from harness import Server, wait_for_app

from connectors.live.signatures import twilio_signature
from ui.navigation import BY_NAME

TOKEN = "wall-test-token"
TILE = BY_NAME["standup"].ready  # the contacts-today tile (ui/navigation.py)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-wall")
    secrets = tmp / "secrets.toml"
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log", secrets=secrets, sample=True)
    hook = f"{srv.url}/recall-ops/hooks/twilio"
    secrets.write_text(f'[recall_ops.hooks.twilio]\nauth_token = "{TOKEN}"\npublic_url = "{hook}"\n')
    srv.start()
    yield srv
    srv.stop()


def callback(srv: Server, sid: str) -> int:
    url = f"{srv.url}/recall-ops/hooks/twilio"
    params = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "CallStatus": "completed", "Direction": "inbound",
              "From": "+13125550123", "To": "+18005550199",  # the sample recall's hotline (match.numbers)
              "Timestamp": format_datetime(datetime.now(UTC)), "CallDuration": "45", "SequenceNumber": "3"}  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": twilio_signature(TOKEN, url, list(params.items()))}  # fmt: skip
    req = urllib.request.Request(url, data=urlencode(params).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


def test_a_signed_callback_shows_up_on_the_open_standup(live_server, page):
    page.goto(f"{live_server.url}/standup?kiosk=1&as_of=now")
    wait_for_app(page, TILE, timeout_ms=180_000)
    text = page.inner_text("body")
    assert "refreshes every 5 s" in text and "live hook:twilio" in text and "waiting" in text
    before = int(page.inner_text(TILE).replace(",", ""))
    assert callback(live_server, "CA" + "9" * 32) == 200
    page.wait_for_function(
        f'() => {{ const e = document.querySelector("{TILE}");'  # null while the wall redraws
        f" return e !== null && Number(e.innerText.replace(/,/g, '')) === {before + 1}; }}",
        timeout=60_000,
    )
    page.wait_for_selector("[data-live='hook:twilio']:has-text('ok')", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
