"""What an adversarial review of the running server broke (issue 13), in a real browser against a
real `streamlit run serve.py` on the bundled sample data."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, wait_for_app

REBIND = "rebind.example"


@pytest.fixture(scope="module")
def rebinding_browser(playwright_driver):
    """Chromium resolving a foreign name to this machine, as a DNS-rebinding page would."""
    b = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {REBIND} 127.0.0.1"]
    )
    yield b
    b.close()


@pytest.mark.parametrize("path", ["", "upload", "settings"])
def test_open_mode_refuses_a_page_asked_for_under_a_foreign_name(server, rebinding_browser, path):
    page = rebinding_browser.new_page()
    try:
        port = server.url.rsplit(":", 1)[1]
        page.goto(f"http://{REBIND}:{port}/{path}")
        wait_for_app(page, "text=answers only to localhost")
        body = page.inner_text("body")
        assert "Open it as http://localhost:<port>/" in body
        assert page.locator("[data-testid='stMetric']").count() == 0
        assert "Choose files" not in body and "Targets (red / amber / green)" not in body
        page.goto(f"{server.url}/{path}")  # the same page under localhost is served
        wait_for_app(page)
        assert "answers only to localhost" not in page.inner_text("body")
    finally:
        page.close()


HOSTILE = (
    "[Claim your refund](https://phish.example/login) ![logo](https://phish.example/x.png) :red[URGENT] "
    "www.phish.example"
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """serve.py on the sample data plus a recall whose name is a phishing link and a remote image."""
    import json

    from harness import Server

    from connectors.load import ingest_paths
    from store.db import connect
    from ui.data import SAMPLE_DIR

    tmp = tmp_path_factory.mktemp("hostile")
    recall = tmp / "hostile.toml"
    recall.write_text(
        f'[recall]\nid = "HOSTILE-1"\nname = {json.dumps(HOSTILE)}\nproduct = "[x](https://phish.example/p)"\n'
        'timezone = "UTC"\nannounced_at = "2026-03-02T09:00:00Z"\n'
    )
    con = connect(tmp / "app.duckdb")
    ingest_paths(con, [SAMPLE_DIR, recall], loaded_by="sample-data")
    con.close()
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log")
    srv.start()
    yield srv
    srv.stop()


def main_text(page) -> str:
    """The main area's text as read (the invisible word joiners that break autolinks removed)."""
    return page.inner_text("[data-testid='stMain']").replace("\u2060", "")


def no_phishing(page) -> None:
    assert (
        page.locator(
            "[data-testid='stMain'] a[href*='phish.example'], [data-testid='stSidebar'] a[href*='phish.example']"
        ).count()
        == 0
    )
    assert page.locator("img[src*='phish.example']").count() == 0


@pytest.mark.parametrize("path", ["", "channels", "quality", "coverage"])
def test_a_recall_name_is_shown_as_text_never_as_a_link_or_image(hostile_server, page, path):
    """Issue 13 item 11: data-derived text is escaped wherever it is rendered as Markdown."""
    page.goto(f"{hostile_server.url}/{path}?recall=HOSTILE-1")
    wait_for_app(page, "text=Claim your refund")
    no_phishing(page)
    assert "[Claim your refund](https://phish.example/login)" in main_text(page)


def test_as_of_from_the_url_is_shown_as_text(hostile_server, page):
    page.goto(f"{hostile_server.url}/?as_of=[Log in](https://phish.example/a)")
    wait_for_app(page, "text=is not an ISO 8601 time")
    no_phishing(page)
    assert "[Log in](https://phish.example/a)" in main_text(page)


def test_a_zip_member_name_is_shown_as_text_on_upload(hostile_server, page, tmp_path):
    import zipfile

    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("[Claim refund](https:phish.example).csv", "a,b\n1,2\n")
    page.goto(f"{hostile_server.url}/upload")
    wait_for_app(page, "text=Choose files")
    page.locator(".st-key-upload_disk input[type='file']").set_input_files(str(bundle))
    page.wait_for_selector("text=no connector recognises this file", timeout=60_000)
    wait_for_app(page)
    no_phishing(page)
    assert "bundle.zip/[Claim refund](https:phish.example).csv" in main_text(page)


def put(url: str, body: bytes, cookies: dict[str, str] | None = None) -> tuple[int, str]:
    """A PUT from outside the browser (a stolen or replayed upload link), with ``cookies`` if given."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    con.request("PUT", f"{parts.path}?{parts.query}", body=body, headers=headers)
    r = con.getresponse()
    out = (r.status, r.read().decode())
    con.close()
    return out


def upload_link(page, base: str, path) -> str:
    """Send ``path`` through the Upload page's chooser; the upload link the page used."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if r.method == "PUT" else None)
    page.goto(f"{base}/upload")
    wait_for_app(page, "text=Choose files")
    page.locator(".st-key-upload_disk input[type='file']").set_input_files(str(path))
    page.wait_for_selector(f"text=Staged on the server: {path.name}", timeout=30_000)
    assert urls, "the chooser sent no PUT"
    return urls[0]


def test_an_upload_link_works_only_for_its_browser_session_and_ends_with_it(server, browser, tmp_path):
    """Issue 13 item 12: the link alone (no cookies, or another browser's) is refused; the session's
    own cookies are taken while the page is open, and refused once the session has ended."""
    import time

    csv = tmp_path / "calls.csv"
    csv.write_text("a,b\n1,2\n")
    context = browser.new_context()
    page = context.new_page()
    link = upload_link(page, server.url, csv)
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert put(link, b"a,b\n")[0] == 403
    assert put(link, b"a,b\n", {"_streamlit_xsrf": "2|00000000|00000000|0"})[0] == 403
    assert put(link, b"a,b\n", cookies)[0] == 200
    context.close()  # the tab goes: the session ends
    deadline = time.monotonic() + 30
    while put(link, b"a,b\n", cookies)[0] != 403:
        assert time.monotonic() < deadline, "the link still works after its session ended"
        time.sleep(0.5)
    status, text = put(link, b"a,b\n", cookies)
    assert status == 403 and "not valid for this browser session" in text


def test_the_wall_screen_with_hostile_url_parameters_shows_notices_not_a_traceback(server, page):
    """Issue 13 item 17: these showed tracebacks with server paths."""
    page.goto(f"{server.url}/standup?refresh=nan&every=nan&rotate=overview,volume&as_of=0001-01-01")
    wait_for_app(page, "text=?as_of=0001-01-01 is not valid here")
    body = main_text(page)
    assert "?refresh=nan is not valid here" in body and "?every=nan is not valid here" in body
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in body and ".py" not in body
