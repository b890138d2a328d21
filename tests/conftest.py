"""Shared fixtures: real DuckDB files in tmp_path, loaded through the real ingest path."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest
from browser.harness import CHROMIUM, CHROMIUM_ARGS, Server
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from connectors.load import Failure, ingest_paths
from store import versions
from store.db import connect
from store.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
METRIC_FIXTURES = Path(__file__).parent / "fixtures" / "metrics"


def plain(text: str) -> str:
    """Text as a person reads it from the Markdown source an element holds: the backslash escapes
    that make data-derived text literal (ui/text.py) and its invisible word joiners removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


BROWSER_DIR = Path(__file__).parent / "browser"

# Each new AppTest scans every installed distribution's metadata for Streamlit components (about
# 0.3 s, most of a small page's run); nothing is installed while the tests run, so one scan per
# test process serves them all. A served app (tests/browser) scans once at start, as before.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


# The longest test files (by measured time), started first: each worker takes whole files in
# collection order (pytest-xdist ``--dist loadfile --no-loadscope-reorder``, pyproject.toml; by
# default xdist orders files by their number of tests, which put long one-test files such as the
# soak last), and a long file taken last leaves the other workers idle while it runs alone.
LONGEST_FIRST = (
    "browser/test_browser.py", "browser/test_signin.py", "test_derived.py", "browser/test_hardening.py",
    "browser/test_soak.py", "live/test_live_pull.py", "live/test_live_hooks.py", "test_alert_sample.py",
    "test_encodings.py", "test_url_params.py", "test_busy_store.py", "browser/test_wall_fit.py",
    "test_alert_restart.py", "test_watch.py", "test_alert_notify.py", "browser/test_overview_page.py",
    "test_upload_page.py", "test_batches.py", "test_standup.py", "test_archives.py", "test_pg_documents.py",
    "test_access.py", "test_pg_dashboard.py", "test_bad_input.py", "test_load_order.py",
    "browser/test_live_wall.py", "browser/test_pg_servers.py", "browser/test_alert_strip.py",
)  # fmt: skip


def pytest_collection_modifyitems(items):
    """Everything under tests/browser is marked ``browser`` (a real server and chromium): the fast
    set alone is ``python -m pytest -m "not browser"``. The files of LONGEST_FIRST run first."""
    for item in items:
        if BROWSER_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
    here = Path(__file__).parent

    def rank(item) -> int:
        name = Path(item.fspath).relative_to(here).as_posix()
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's tests keep their order


def load(con, *paths, **kw):
    """Ingest ``paths``; fail the test on any unreadable file."""
    results = ingest_paths(con, [str(p) for p in paths], **kw)
    failures = [r.message for r in results if isinstance(r, Failure)]
    assert not failures, failures
    return results


def two_table_layout(con) -> None:
    """Make ``con``'s store look as one written before schema version 10: each canonical table and
    its history two tables (store/versions.py keeps them in one since)."""
    for table in TABLES:
        listed = ", ".join(versions.columns(table))
        con.execute(f"DROP VIEW {table}; DROP VIEW {table}_history")
        con.execute(f"CREATE TABLE {table} AS SELECT {listed} FROM {table}_versions WHERE replaced_by IS NULL")
        con.execute(
            f"CREATE TABLE {table}_history AS SELECT {listed}, replaced_by FROM {table}_versions "
            "WHERE replaced_by IS NOT NULL"
        )
        con.execute(f"DROP TABLE {table}_versions")
    con.execute("UPDATE schema_state SET version = 9")


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for this test process (tests/pg_support.py)."""
    import pg_support

    yield from pg_support.start()


@pytest.fixture(scope="session")
def pg_metrics_template(pg_server) -> str:
    """The metrics fixture loaded once per test process (through the real ingest path) into a
    PostgreSQL database that tests never open: each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    from store.pg.engine import dispose

    url = pg_server.create("metrics_template")
    con = connect(url)
    load(con, METRIC_FIXTURES)
    con.close()
    dispose(url)
    return "metrics_template"


@pytest.fixture
def pg_metrics_store(pg_server, pg_metrics_template):
    """The hand-computed metrics fixture in a PostgreSQL database of the test's own."""
    url = pg_server.create(f"m{pg_server.next_name()}", template=pg_metrics_template)
    con = connect(url)
    yield con
    con.close()


@pytest.fixture
def store(tmp_path):
    con = connect(tmp_path / "store.duckdb")
    yield con
    con.close()


@pytest.fixture(params=["duckdb", "postgresql"])
def both_store(request, tmp_path):
    """An empty store on each engine: a DuckDB file, a PostgreSQL database of the test's own."""
    url = tmp_path / "store.duckdb" if request.param == "duckdb" else request.getfixturevalue("pg_server").fresh()
    con = connect(url)
    yield con
    con.close()


@pytest.fixture(scope="session")
def metrics_template(tmp_path_factory) -> Path:
    """The metrics fixture loaded once per test process (through the real ingest path) into a store
    file that tests never open: each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "metrics.duckdb"
    con = connect(path)
    load(con, METRIC_FIXTURES)
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def db(tmp_path, monkeypatch, metrics_template):
    """A store file holding the metrics fixture, used by the app under test (RECALL_OPS_DB)."""
    path = tmp_path / "app.duckdb"
    shutil.copyfile(metrics_template, path)
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    return path


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    """An empty store file used by the app under test (the bundled sample data is not loaded into it)."""
    import ui.data

    path = tmp_path / "upload.duckdb"
    connect(path).close()
    monkeypatch.setattr(ui.data, "SAMPLE_DIR", tmp_path / "no-sample")
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    return path


@pytest.fixture
def metrics_store(tmp_path, metrics_template):
    """The hand-computed metrics fixture (tests/fixtures/metrics, see its README), in a store of the
    test's own (a copy of the session's template file)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(metrics_template, path)
    con = connect(path)
    yield con
    con.close()


# Browser tests (tests/browser): a real server and Debian's chromium.
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log", sample=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright's driver, once per test process: a second sync Playwright cannot run beside it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """One chromium per test process (a launch costs about a CPU-second); each test opens its own
    context (cookies, storage) and closes it."""
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    yield pg
    context.close()


def open_page(page: str, **query) -> AppTest:
    """The app (app.py's router) run with ``query`` as URL parameters, then switched to ``page``;
    fails on any exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
