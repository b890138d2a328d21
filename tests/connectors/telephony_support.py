"""Helpers for the telephony connector tests: write composed records, read them directly, and
load them end-to-end through a real DuckDB store."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import support
from support import FIXTURES, store, write_json

from connectors.base import Parsed

__all__ = [
    "FIXTURES",
    "TZ",
    "contacts",
    "failure",
    "ingest",
    "ingest_twice",
    "quarantine",
    "read",
    "store",
    "write_json",
]

TZ = "America/Chicago"
COLUMNS = (
    "source, source_id, channel, direction, created_at::VARCHAR AS created_at, answered_at::VARCHAR AS answered_at, "
    "updated_at::VARCHAR AS updated_at, "
    "status, is_abandoned, is_transferred, wait_s, talk_s, hold_s, wrap_s, handle_s, agent, queue, "
    "dialled_number, customer_phone_raw, customer_phone"
)


def read(module: ModuleType, path: Path) -> Parsed:
    return support.read(module, path, tz=TZ)


def ingest(con, path: Path):
    return support.ingest(con, path, tz=TZ)


def failure(con, path: Path) -> str:
    return support.failure(con, path, tz=TZ)


def contacts(con) -> list[dict]:
    cur = con.execute(f"SELECT {COLUMNS} FROM contacts ORDER BY source, source_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def quarantine(con) -> list[tuple]:
    return con.execute("SELECT source_row, column_name, reason FROM quarantine ORDER BY source_row").fetchall()


def ingest_twice(con, path: Path):
    """Load ``path`` twice: the second load inserts and updates nothing, the table is the same."""
    first = ingest(con, path)
    before = contacts(con)
    second = ingest(con, path)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.read == first.read and second.quarantined == first.quarantined
    assert contacts(con) == before
    return first, before
