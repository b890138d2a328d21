"""Opening the PostgreSQL store: its schema migrated (store/pg/schema.py) and its derived tables
recomputed when another version of the rules built them (store/pg/derived.py), once per process."""

from __future__ import annotations

from store.pg.connection import PgConnection, connect
from store.pg.derived import ensure_current
from store.pg.schema import upgrade

_MIGRATED: set[str] = set()


def open_store(url: str, read_only: bool = False) -> PgConnection:
    """A session on the PostgreSQL store at ``url``, its schema created or migrated first (once per
    process; read-only sessions only check it), and its derived tables recomputed when built by
    other rules (store/pg/derived.py ``ensure_current``). Raises the driver's errors (store/db.py
    words them)."""
    if url not in _MIGRATED and not read_only:
        upgrade(url)
        con = connect(url)
        try:
            ensure_current(con)
        finally:
            con.close()
        _MIGRATED.add(url)
    return connect(url)
