"""What a person sees, in a real browser against a real server on the bundled sample data."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import ROOT, wait_for_app

SHOTS = Path(__file__).parent / "screens"
PAGES = {"overview": "", "channels": "channels", "quality": "quality", "coverage": "coverage",
         "standup": "standup", "upload": "upload", "settings": "settings"}  # fmt: skip
EXISTING = {k: v for k, v in PAGES.items() if k == "overview" or (ROOT / "pages" / f"{k}.py").exists()}


@pytest.mark.parametrize("name", sorted(EXISTING))
def test_every_page_loads_without_error(server, page, name):
    page.goto(f"{server.url}/{EXISTING[name]}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.inner_text("body")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def test_overview_shows_sample_numbers_and_phase_switch_changes_them(server, page):
    page.goto(server.url)
    wait_for_app(page, "[data-testid='stMetric']")
    assert "sample data" in page.inner_text("body")
    contacts = page.locator("[data-testid='stMetric']").first.inner_text()
    assert "4,147" in contacts  # whole recall, sample data (README report example)
    page.goto(f"{server.url}/?phase=day_one")
    wait_for_app(page, "[data-testid='stMetric']")
    assert "351" in page.locator("[data-testid='stMetric']").first.inner_text()
