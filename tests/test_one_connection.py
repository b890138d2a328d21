"""The reads of one page run share one store connection, and the file is free again when the run
ends (ui/data.py ``one_connection``): a loading process can open it for writing between runs."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import streamlit as st
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import store.db

PAGES = ["pages/overview.py", "pages/standup.py", "pages/channels.py", "pages/quality.py", "pages/coverage.py"]


@pytest.fixture
def opens(monkeypatch) -> list[str]:
    """Every DuckDB file the app opens, in order."""
    seen: list[str] = []
    real = duckdb.connect

    def counted(database=":memory:", *args, **kwargs):
        seen.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(store.db.duckdb, "connect", counted)
    return seen


def writable_by_another_process(path) -> bool:
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60).returncode == 0


@pytest.mark.parametrize("page", PAGES)
def test_a_cold_page_run_opens_the_store_once_and_lets_it_go(db, opens, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page).run()  # the process's first run also prepares the store (once per server)
    st.cache_data.clear()  # cold: every read goes to the store
    opens.clear()
    at.run()
    assert not at.exception, at.exception
    assert opens == [str(db)], opens  # before: one open per read (8–11 on a cold run)
    assert writable_by_another_process(db)


def test_each_piece_of_work_in_a_run_is_isolated_as_its_own_connection_was(db):
    """A read that leaves a result unread or a transaction open does not reach the next read."""
    from ui import data

    with data.one_connection():
        with data.store() as con:
            con.execute("SELECT * FROM range(100000)").fetchmany(1)  # the rest left unread
        with data.store() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM contacts_versions")  # never committed
        with data.store() as con:
            assert con.execute("SELECT count(*) > 0 FROM contacts").fetchall() == [(True,)]
