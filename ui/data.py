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
from store.db import StoreError, default_path, open_store, read_transaction

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
def store(wait_s: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one piece of work, closed after it.

    The app holds the database file only while it reads or writes, so that another process
    (``python -m connectors watch`` or ``ingest``) can load files in between; a file locked by
    such a process is retried for ``wait_s`` seconds.
    """
    with open_store(_prepared(db_path()), wait_s=wait_s) as con:
        yield con


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """``store()`` inside one read transaction: what a cached result shows is the store before a
    concurrent load or after it, never a mix (store.db.read_transaction)."""
    with store() as con, read_transaction(con):
        yield con


_last_version: dict[str, tuple] = {}
BUSY = (
    "The database is busy: another process is loading a file. Showing the numbers from before that load; "
    "they update by themselves when it finishes."
)


def ledger_version() -> tuple:
    """Changes whenever a file is loaded, an upload undone or a setting saved (targets and stale
    thresholds feed cached results): the key of every cached result.

    While another process holds the database for a load, the last version seen is returned with a
    notice, so pages keep serving their cached numbers — from before the load, never part of it
    (each file is one transaction) — instead of waiting or failing.
    """
    try:
        with store(wait_s=1.0) as con:
            version = tuple(
                con.execute(
                    "SELECT max(ingest_id), max(undone_at), count(*), (SELECT max(updated_at) FROM settings) "
                    "FROM ingests"
                ).fetchall()[0]
            )
    except StoreError as e:
        if "lock" not in str(e).lower() or db_path() not in _last_version:
            raise
        st.toast(BUSY, icon="⏳")
        st.caption("⏳ " + BUSY)
        return _last_version[db_path()]
    _last_version[db_path()] = version
    return version


@st.cache_data(show_spinner=False)
def _loaders(version: tuple) -> set[str]:
    with reading() as con:
        return {r[0] for r in con.execute("SELECT DISTINCT loaded_by FROM ingests").fetchall()}


def shows_sample_data() -> bool:
    return _loaders(ledger_version()) == {SAMPLE_LOADER}


@st.cache_data(show_spinner=False)
def recalls(version: tuple) -> pl.DataFrame:
    with reading() as con:
        return con.sql("SELECT * FROM recalls ORDER BY announced_at, recall_id").pl()


@st.cache_data(show_spinner=False)
def report(version: tuple, recall_id: str, as_of: datetime, options: metrics.Options, filters: metrics.Filters) -> dict:
    with reading() as con:
        return metrics.build_report(con, recall_id, as_of, options, filters)


@st.cache_data(show_spinner=False)
def volume(version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters) -> pl.DataFrame:
    with reading() as con:
        return metrics.volume(con, recall_id, as_of, by, filters)


@st.cache_data(show_spinner=False)
def coverage(version: tuple, recall_id: str, as_of: datetime) -> pl.DataFrame:
    with reading() as con:
        return metrics.coverage(con, recall_id, as_of)


@st.cache_data(show_spinner=False)
def units(version: tuple, recall_id: str) -> int:
    with reading() as con:
        return metrics.affected_units(con, recall_id)


# --- Analysis pages (Channels & handling, Quality, Coverage) ---


def targets() -> dict:
    """Metric targets from the settings table (read each run: a settings edit leaves the ledger alone)."""
    from store.settings import targets as stored_targets

    with reading() as con:
        return stored_targets(con)


@st.cache_data(show_spinner=False)
def handle_time(
    version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters, breakdown: str = "channel"
) -> pl.DataFrame:
    with reading() as con:
        return metrics.handle_time(con, recall_id, as_of, by, filters, breakdown)


@st.cache_data(show_spinner=False)
def service_level(version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters) -> pl.DataFrame:
    with reading() as con:
        return metrics.service_level(con, recall_id, as_of, by, filters=filters)


@st.cache_data(show_spinner=False)
def ticket_times(version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters) -> pl.DataFrame:
    with reading() as con:
        return metrics.ticket_times(con, recall_id, as_of, by, filters)


@st.cache_data(show_spinner=False)
def backlog(version: tuple, recall_id: str, as_of: datetime, filters: metrics.Filters) -> pl.DataFrame:
    with reading() as con:
        return metrics.backlog(con, recall_id, as_of, filters)


@st.cache_data(show_spinner=False)
def fcr(
    version: tuple, recall_id: str, as_of: datetime, by: str, options: metrics.Options, filters: metrics.Filters
) -> pl.DataFrame:
    with reading() as con:
        return metrics.fcr(con, recall_id, as_of, by, options, filters)


@st.cache_data(show_spinner=False)
def csat(
    version: tuple, recall_id: str, as_of: datetime, by: str, filters: metrics.Filters, breakdown: str | None = None
) -> pl.DataFrame:
    with reading() as con:
        return metrics.csat(con, recall_id, as_of, by, filters, breakdown)


@st.cache_data(show_spinner=False)
def repeat_reasons(
    version: tuple, recall_id: str, as_of: datetime, options: metrics.Options, filters: metrics.Filters
) -> pl.DataFrame:
    with reading() as con:
        return metrics.repeat_reasons(con, recall_id, as_of, options, filters)


@st.cache_data(show_spinner=False)
def channel_switches(
    version: tuple, recall_id: str, as_of: datetime, options: metrics.Options, filters: metrics.Filters
) -> pl.DataFrame:
    with reading() as con:
        return metrics.channel_switches(con, recall_id, as_of, options, filters)


@st.cache_data(show_spinner=False)
def coverage_by(version: tuple, recall_id: str, as_of: datetime, by: str | None) -> pl.DataFrame:
    with reading() as con:
        return metrics.coverage(con, recall_id, as_of, by)


@st.cache_data(show_spinner=False)
def coverage_daily(version: tuple, recall_id: str, as_of: datetime) -> pl.DataFrame:
    with reading() as con:
        return metrics.coverage_daily(con, recall_id, as_of)


@st.cache_data(show_spinner=False)
def time_to_notify(version: tuple, recall_id: str, as_of: datetime) -> tuple[pl.DataFrame, dict]:
    """(notified affected customers in bins of hours after the announcement, summary)."""
    with reading() as con:
        return metrics.time_to_notify(con, recall_id, as_of), metrics.time_to_notify_summary(con, recall_id, as_of)


@st.cache_data(show_spinner=False)
def unreachable_customers(version: tuple, recall_id: str, as_of: datetime, limit: int | None = None) -> pl.DataFrame:
    """Contains personal data: pages show it through ui.export.masked / download_buttons."""
    with reading() as con:
        return metrics.unreachable_customers(con, recall_id, as_of, limit)


@st.cache_data(show_spinner=False)
def ingests(version: tuple) -> pl.DataFrame:
    """The ingest ledger, newest first (undone ingests included, with their ``undone_at``)."""
    with reading() as con:
        return con.sql(
            "SELECT ingest_id, file_name, connector, timezone, recall_id, rows_read, rows_inserted, rows_updated, "
            "rows_unchanged, rows_quarantined, loaded_at, loaded_by, undone_at, warnings "
            "FROM ingests ORDER BY ingest_id DESC"
        ).pl()


@st.cache_data(show_spinner=False)
def quarantine(version: tuple, ingest_id: int) -> pl.DataFrame:
    """The quarantined rows of one ingest: row, column, reason, raw value (unmasked; mask before showing)."""
    with reading() as con:
        return con.sql(
            "SELECT source_row, column_name, reason, raw FROM quarantine WHERE ingest_id = $id "
            "ORDER BY source_row, column_name",
            params={"id": ingest_id},
        ).pl()


# --- Stand-up wall screen and Settings ---


@st.cache_data(show_spinner=False)
def standup(
    version: tuple, recall_id: str, as_of: datetime, phase: str, options: metrics.Options, filters: metrics.Filters
) -> dict:
    """The wall tiles now and at as_of − 24 h (metrics/standup.py)."""
    from metrics.standup import standup as compute

    with reading() as con:
        return compute(con, recall_id, as_of, phase, options, filters)


@st.cache_data(show_spinner=False)
def hourly_volume(version: tuple, recall_id: str, as_of: datetime, day, filters: metrics.Filters) -> pl.DataFrame:
    from metrics.standup import hourly_volume as compute

    with reading() as con:
        return compute(con, recall_id, as_of, day, filters)


@st.cache_data(show_spinner=False)
def freshness(version: tuple, as_of: datetime) -> pl.DataFrame:
    """Per source: newest record, last load, age and stale flag at ``as_of`` (metrics/freshness.py)."""
    from metrics.freshness import freshness as compute

    with reading() as con:
        return compute(con, as_of)


@st.cache_data(show_spinner=False)
def setting(version: tuple, key: str):
    """A stored setting (store/settings.py), else its default."""
    from store import settings as stored

    with reading() as con:
        return stored.get(con, key)


def save_setting(key: str, value, by: str | None = None) -> None:
    """Write one setting; ledger_version() changes, so cached results refresh."""
    from store import settings as stored

    with store() as con:
        stored.put(con, key, value, by)


def save_recall_toml(text: str, recall_id: str, by: str | None = None) -> tuple[object | None, str | None]:
    """Load a recall definition through the same path as a TOML file (ledger, normalized match
    rules): (the IngestResult, None), or (None, the reader's message) with nothing written."""
    import re
    import tempfile

    from connectors.base import SourceFile, Unreadable
    from connectors.load import ingest_file

    name = re.sub(r"[^\w.-]+", "_", recall_id) or "recall"
    with tempfile.TemporaryDirectory(prefix="recall-ops-") as tmp:
        path = Path(tmp) / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        with store() as con:
            try:
                return ingest_file(con, SourceFile(f"settings/{name}.toml", path), loaded_by=by), None
            except Unreadable as e:
                return None, str(e)


# --- Reports (regulator forms and the post-recall review) ---


@st.cache_data(show_spinner=False)
def regulator_report(version: tuple, form: str, recall_id: str, period: str):
    """A regulator report (metrics/regulator), or raises PeriodError for an unreadable period."""
    from metrics import regulator

    with reading() as con:
        return regulator.build(con, form, recall_id, period)


@st.cache_data(show_spinner=False)
def review(version: tuple, recall_id: str, as_of: datetime | None) -> dict:
    """The post-recall review's data (metrics/review.py); its unreachable list holds personal data
    that documents/review.py always masks."""
    from metrics.review import build_review

    with reading() as con:
        return build_review(con, recall_id, as_of)
