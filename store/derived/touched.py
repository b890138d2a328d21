"""What a write touched, so that only the facts it can change are recomputed.

Writers record, in temp tables ``_touched_<table>``, the rows an ingest wrote or replaced
(:func:`touch_ingest`, called before an undo too) and rows changed in place (:func:`touch_rows`);
store/derived/__init__.py's ``refresh`` reads and empties them in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from store.derived.rules import REGISTRY_ID_SQL

# What a writer records per touched row, and from which columns of the table (aliased ``a``).
TOUCH = {
    "contacts": "key_h UBIGINT",
    "notifications": "key_h UBIGINT",
    "affected": "recall_id VARCHAR, customer_id VARCHAR, email VARCHAR, phone VARCHAR",
    "recalls": "recall_id VARCHAR",
}
TOUCH_COLUMNS = {
    "contacts": "a.key_h",
    "notifications": "a.key_h",
    "affected": f"a.recall_id, {REGISTRY_ID_SQL}, a.customer_email, a.customer_phone",
    "recalls": "a.recall_id",
}


FACTS = {"contacts": "contact_facts", "notifications": "notification_facts"}


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in TOUCH.items():
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS _touched_{table} ({columns})")


def touch_ingest(con: duckdb.DuckDBPyConnection, ingest_id: int, tables: Iterable[str] | None = None) -> None:
    """Record the rows ingest ``ingest_id`` wrote (current rows) and replaced (history), in every
    table or, given ``tables``, in those (the tables a load wrote: no other holds its rows)."""
    ensure(con)
    wanted = TOUCH_COLUMNS.keys() if tables is None else set(tables)
    for table, columns in TOUCH_COLUMNS.items():
        if table not in wanted:
            continue
        con.execute(
            f"INSERT INTO _touched_{table} SELECT {columns} FROM {table} a WHERE ingest_id = $i "
            f"UNION ALL SELECT {columns} FROM {table}_history a WHERE replaced_by = $i",
            {"i": ingest_id},
        )


def touch_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Record rows of ``table`` changed in place, as tuples of ``TOUCH_COLUMNS[table]``."""
    if not rows:
        return
    ensure(con)
    marks = ", ".join("?" for _ in TOUCH[table].split(","))
    con.executemany(f"INSERT INTO _touched_{table} VALUES ({marks})", rows)


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Empty the records (after a refresh)."""
    for table in TOUCH:
        con.execute(f"DELETE FROM _touched_{table}")


def stale_keys(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Temp table ``_stale_keys`` (key_h): rows of ``table`` (contacts or notifications) whose facts
    must be recomputed — touched rows, rows sharing an email or phone with a touched registry row
    (their customer may have changed), and rows whose customer is one of ``_registry_customers``
    (customer_h; whether it is affected may have changed); returns how many."""
    by_address = (
        f"""UNION SELECT key_h FROM {table}
            WHERE customer_email IN (SELECT email FROM _touched_affected)
               OR customer_phone IN (SELECT phone FROM _touched_affected)
        UNION SELECT key_h FROM {FACTS[table]} WHERE customer_h IN (SELECT customer_h FROM _registry_customers)"""
        if count(con, "_touched_affected")
        else ""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _stale_keys AS SELECT DISTINCT key_h FROM _touched_{table} {by_address}")
    return count(con, "_stale_keys")
