"""Live sources' state in the store: cursors, status, and the webhook bodies already loaded.

``live_cursors`` — one row per (source, stream): ``cursor_json`` (the reader's position: a vendor
cursor, a page URL, a watermark) and ``watermark_at`` (UTC: data is complete up to this instant).
A reader writes it with :func:`put_cursor` **inside the transaction that writes the rows read
from that position** (store/write.py ``apply(..., also=...)``), so a crash either keeps both or
neither: a restart re-reads the last page (its rows count as unchanged) and never skips one.

``live_sources`` — one row per live source, named as its ledger entries' ``loaded_by``
(``hook:<vendor>``, ``pull:<name>``): kind, state (``ok``, ``retrying``, ``degraded``,
``stopped``), last attempt, last success, last error (message and time), a one-line cursor
summary and the watermark. Rows loaded in the last hour come from the ledger (:func:`status`).

``live_spool`` — webhook bodies (spool file names) whose rows are in the store, written in the
transaction that loaded them; a loader restarted after that commit deletes such a body instead
of loading it again (connectors/live/spool.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

LIVE_DDL = (
    """CREATE TABLE IF NOT EXISTS live_cursors (
        source VARCHAR NOT NULL, stream VARCHAR NOT NULL, cursor_json VARCHAR NOT NULL,
        watermark_at TIMESTAMP, updated_at TIMESTAMP NOT NULL, PRIMARY KEY (source, stream))""",
    """CREATE TABLE IF NOT EXISTS live_sources (
        name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, state VARCHAR NOT NULL,
        last_attempt_at TIMESTAMP, last_success_at TIMESTAMP, last_error VARCHAR, last_error_at TIMESTAMP,
        cursor_text VARCHAR, watermark_at TIMESTAMP, updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS live_spool (
        vendor VARCHAR NOT NULL, body_name VARCHAR NOT NULL, ingest_id BIGINT, loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (vendor, body_name))""",
)
STATES = ("ok", "retrying", "degraded", "stopped")
MAX_ERROR_CHARS = 500


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def get_cursor(con: duckdb.DuckDBPyConnection, source: str, stream: str) -> dict[str, Any] | None:
    """The saved position of (source, stream), or None before the first page."""
    rows = con.execute(
        "SELECT cursor_json FROM live_cursors WHERE source = ? AND stream = ?", [source, stream]
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def put_cursor(
    con: duckdb.DuckDBPyConnection, source: str, stream: str, cursor: dict[str, Any], watermark_at: datetime | None
) -> None:
    """Save (source, stream)'s position; call it inside the transaction that wrote its rows."""
    con.execute(
        "INSERT INTO live_cursors VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, stream) DO UPDATE SET "
        "cursor_json = excluded.cursor_json, watermark_at = excluded.watermark_at, updated_at = excluded.updated_at",
        [source, stream, json.dumps(cursor, sort_keys=True), watermark_at, utc_now()],
    ).fetchall()


def report(
    con: duckdb.DuckDBPyConnection,
    name: str,
    kind: str,
    *,
    ok: bool,
    state: str | None = None,
    error: str | None = None,
    cursor_text: str | None = None,
    watermark_at: datetime | None = None,
) -> None:
    """Record one attempt of source ``name``: a success (``ok``: clears nothing but the state, keeps
    the last error for the record) or a failure with its ``error`` message (truncated)."""
    now = utc_now()
    state = state or ("ok" if ok else "retrying")
    if state not in STATES:
        raise ValueError(f"unknown live source state {state!r}")
    error = (error or "")[:MAX_ERROR_CHARS] or None
    con.execute(
        """INSERT INTO live_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET
            kind = excluded.kind, state = excluded.state, last_attempt_at = excluded.last_attempt_at,
            last_success_at = coalesce(excluded.last_success_at, live_sources.last_success_at),
            last_error = coalesce(excluded.last_error, live_sources.last_error),
            last_error_at = coalesce(excluded.last_error_at, live_sources.last_error_at),
            cursor_text = coalesce(excluded.cursor_text, live_sources.cursor_text),
            watermark_at = coalesce(excluded.watermark_at, live_sources.watermark_at),
            updated_at = excluded.updated_at""",
        [
            name,
            kind,
            state,
            now,
            now if ok else None,
            None if ok else error,
            None if ok else now,
            cursor_text,
            watermark_at,
            now,
        ],
    ).fetchall()


def mark_spooled(con: duckdb.DuckDBPyConnection, vendor: str, body_names: list[str], ingest_id: int | None) -> None:
    """Record webhook bodies as loaded (inside the transaction that loaded them)."""
    if body_names:
        now = utc_now()
        con.executemany(
            "INSERT INTO live_spool VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [[vendor, n, ingest_id, now] for n in body_names],
        )


def spooled(con: duckdb.DuckDBPyConnection, vendor: str, body_names: list[str]) -> set[str]:
    """Which of ``body_names`` are already loaded."""
    if not body_names:
        return set()
    rows = con.execute(
        "SELECT body_name FROM live_spool WHERE vendor = ? AND list_contains(?, body_name)", [vendor, body_names]
    ).fetchall()
    return {r[0] for r in rows}


def forget_spooled(con: duckdb.DuckDBPyConnection, vendor: str, body_names: list[str]) -> None:
    """Drop the records of bodies whose spool files are gone (they can never be offered again)."""
    if body_names:
        con.execute("DELETE FROM live_spool WHERE vendor = ? AND list_contains(?, body_name)", [vendor, body_names])


def status(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> pl.DataFrame:
    """Every live source: name, kind, state, last_attempt_at, last_success_at, last_error,
    last_error_at, cursor_text, watermark_at, lag_s (now − watermark_at), rows_last_hour (input
    records of its ledger entries loaded in the hour before ``now``), ordered by name."""
    now = now or utc_now()
    return con.sql(
        """SELECT s.name, s.kind, s.state, s.last_attempt_at, s.last_success_at, s.last_error, s.last_error_at,
               s.cursor_text, s.watermark_at, date_diff('second', s.watermark_at, $now)::DOUBLE AS lag_s,
               coalesce((SELECT sum(i.rows_read) FROM ingests i WHERE i.loaded_by = s.name
                         AND i.loaded_at > $now - INTERVAL 1 HOUR AND i.undone_at IS NULL), 0)::BIGINT
                   AS rows_last_hour
           FROM live_sources s ORDER BY s.name""",
        params={"now": now},
    ).pl()


def attempted_since(con: duckdb.DuckDBPyConnection, since: datetime) -> int:
    """How many live sources made an attempt after ``since`` (naive UTC)."""
    return con.execute("SELECT count(*) FROM live_sources WHERE last_attempt_at > ?", [since]).fetchall()[0][0]
