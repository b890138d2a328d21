"""The store handle and cached metric calls for the pages.

Pages call these wrappers, never SQL. Each wrapper is ``st.cache_data`` keyed on the ledger
version (the newest ingest id and undo time), so a new load invalidates every cached result
on the next rerun, not on a timer.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

import metrics
from connectors.load import Failure, ingest_paths
from store.db import connect, default_path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
SAMPLE_LOADER = "sample-data"


@st.cache_resource
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    if not con.execute("SELECT count(*) FROM recalls").fetchall()[0][0] and SAMPLE_DIR.exists():
        results = ingest_paths(con, [SAMPLE_DIR], loaded_by=SAMPLE_LOADER)
        failed = [r.message for r in results if isinstance(r, Failure)]
        if failed:
            raise RuntimeError("the bundled sample data did not load: " + "; ".join(failed))
    return con


def db_path() -> str:
    return str(default_path().resolve())


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the shared store connection (one per call: safe across sessions' threads)."""
    return _connection(db_path()).cursor()


def ledger_version() -> tuple:
    """Changes whenever a file is loaded or an upload undone."""
    row = cursor().execute("SELECT max(ingest_id), max(undone_at), count(*) FROM ingests").fetchall()[0]
    return tuple(row)


def shows_sample_data() -> bool:
    loaders = {r[0] for r in cursor().execute("SELECT DISTINCT loaded_by FROM ingests").fetchall()}
    return loaders == {SAMPLE_LOADER}


@st.cache_data(show_spinner=False)
def recalls(version: tuple) -> pl.DataFrame:
    return cursor().sql("SELECT * FROM recalls ORDER BY announced_at, recall_id").pl()


@st.cache_data(show_spinner=False)
def report(version: tuple, recall_id: str, as_of: datetime, options: metrics.Options) -> dict:
    return metrics.build_report(cursor(), recall_id, as_of, options)


@st.cache_data(show_spinner=False)
def volume(version: tuple, recall_id: str, as_of: datetime, by: str) -> pl.DataFrame:
    return metrics.volume(cursor(), recall_id, as_of, by)


@st.cache_data(show_spinner=False)
def coverage(version: tuple, recall_id: str, as_of: datetime) -> pl.DataFrame:
    return metrics.coverage(cursor(), recall_id, as_of)


@st.cache_data(show_spinner=False)
def units(version: tuple, recall_id: str) -> int:
    return metrics.affected_units(cursor(), recall_id)
