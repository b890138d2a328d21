"""Fixtures: a real `streamlit run` server on a fresh DuckDB file, and Debian's chromium via Playwright."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, Server
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    yield pg
    context.close()
