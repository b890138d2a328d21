"""What an adversarial review of the running server broke (issue 13), in a real browser against a
real `streamlit run serve.py` on the bundled sample data."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, wait_for_app

REBIND = "rebind.example"


@pytest.fixture(scope="module")
def rebinding_browser():
    """Chromium resolving a foreign name to this machine, as a DNS-rebinding page would."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
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
