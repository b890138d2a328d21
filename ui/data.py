"""The store handle and cached metric calls for the pages.

Pages call these wrappers, never SQL. Each wrapper is ``st.cache_data`` keyed on the ledger
version (the newest ingest id, undo time and ingest count), so a new load invalidates every
cached result on the next rerun, not on a timer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

import metrics
from connectors.load import Failure, ingest_paths
from store.db import default_path, open_store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
SAMPLE_LOADER = "sample-data"


@st.cache_resource
def _prepared(path: str) -> str:
    """Create the store once per server process, loading the sample recall into an empty one."""
    with open_store(path) as con:
        if not con.execute("SELECT count(*) FROM recalls").fetchall()[0][0] and SAMPLE_DIR.exists():
            results = ingest_paths(con, [SAMPLE_DIR], loaded_by=SAMPLE_LOADER)
            failed = [r.message for r in results if isinstance(r, Failure)]
            if failed:
                raise RuntimeError("the bundled sample data did not load: " + "; ".join(failed))
    return path


def db_path() -> str:
    return str(default_path().resolve())


@contextmanager
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one piece of work, closed after it.

    The app holds the database file only while it reads or writes, so that another process
    (``python -m connectors watch`` or ``ingest``) can load files in between; a file locked by
    such a process is retried for a few seconds.
    """
    with open_store(_prepared(db_path())) as con:
        yield con


def ledger_version() -> tuple:
    """Changes whenever a file is loaded or an upload undone: the key of every cached result."""
    with store() as con:
        return tuple(con.execute("SELECT max(ingest_id), max(undone_at), count(*) FROM ingests").fetchall()[0])


def shows_sample_data() -> bool:
    with store() as con:
        loaders = {r[0] for r in con.execute("SELECT DISTINCT loaded_by FROM ingests").fetchall()}
    return loaders == {SAMPLE_LOADER}


@st.cache_data(show_spinner=False)
def recalls(version: tuple) -> pl.DataFrame:
    with store() as con:
        return con.sql("SELECT * FROM recalls ORDER BY announced_at, recall_id").pl()


@st.cache_data(show_spinner=False)
def report(version: tuple, recall_id: str, as_of: datetime, options: metrics.Options, filters: metrics.Filters) -> dict:
    with store() as con:
        return metrics.build_report(con, recall_id, as_of, options, filters)


@st.cache_data(show_spinner=False)
def volume(version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters) -> pl.DataFrame:
    with store() as con:
        return metrics.volume(con, recall_id, as_of, by, filters)


@st.cache_data(show_spinner=False)
def coverage(version: tuple, recall_id: str, as_of: datetime) -> pl.DataFrame:
    with store() as con:
        return metrics.coverage(con, recall_id, as_of)


@st.cache_data(show_spinner=False)
def units(version: tuple, recall_id: str) -> int:
    with store() as con:
        return metrics.affected_units(con, recall_id)
