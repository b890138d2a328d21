"""Helpers for the outreach connector tests: write composed records, read them directly, and
load them end-to-end through the store."""

from __future__ import annotations

from support import FIXTURES, claimed_by, failure, ingest, read, store, write_json

__all__ = [
    "FIXTURES",
    "claimed_by",
    "failure",
    "ingest",
    "ingest_twice",
    "notifications",
    "read",
    "store",
    "write_json",
]

COLUMNS = "source, source_id, channel, customer_email, customer_phone, status, status_at::VARCHAR, campaign"


def notifications(con) -> list[tuple]:
    return con.execute(f"SELECT {COLUMNS} FROM notifications ORDER BY source_id").fetchall()


def ingest_twice(con, path) -> tuple:
    """Load ``path`` twice: the second load inserts and updates nothing, the table is the same."""
    first = ingest(con, path)
    before = notifications(con)
    second = ingest(con, path)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.unchanged == first.read - first.quarantined
    assert notifications(con) == before
    return first, before
