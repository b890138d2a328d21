"""Copying a DuckDB store into a migrated PostgreSQL store, table by table, with COPY: how an
existing deployment moves to PostgreSQL, and how the tests put one fixture on both engines."""

from __future__ import annotations

import duckdb

from store.pg.connection import PgConnection
from store.pg.schema import expected

BATCH_ROWS = 50_000


def copy_store(source: duckdb.DuckDBPyConnection, target: PgConnection) -> dict[str, int]:
    """Every row of every table of ``source`` into ``target`` (its tables emptied first), in one
    transaction; {table: rows copied}. Sequences continue after the copied ids."""
    copied: dict[str, int] = {}
    raw = target.raw
    with raw.transaction():
        for table, columns in expected(source).items():
            names = [c for c, _ in columns]
            raw.execute(f"TRUNCATE {table}")
            result = source.execute(f"SELECT {', '.join(names)} FROM {table}")
            n = 0
            with raw.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                while batch := result.fetchmany(BATCH_ROWS):
                    for row in batch:
                        copy.write_row(row)
                    n += len(batch)
            copied[table] = n
        for name, table, column in (
            ("ingest_seq", "ingests", "ingest_id"),
            ("alert_event_seq", "alert_events", "event_id"),
            ("alert_silence_seq", "alert_silences", "silence_id"),
        ):
            raw.execute(f"SELECT setval('{name}', coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
    return copied
