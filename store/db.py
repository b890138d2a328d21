"""Opening the store: a DuckDB file with the canonical schema.

The file is ``--db`` when given, else ``$RECALL_OPS_DB``, else ``data/recall_ops.duckdb``. DuckDB
may use ``$RECALL_OPS_MEMORY_LIMIT`` (default 1 GB) before it spills to disk.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from store import derived
from store.schema import DUCKDB_TYPES, TABLES, ddl, hash_sql, internal_columns
from store.settings import SETTINGS_DDL

DEFAULT_DB = Path("data") / "recall_ops.duckdb"
MEMORY_LIMIT = "1GB"


class StoreError(Exception):
    """The database file cannot be used; the message says why."""


def default_path() -> Path:
    return Path(os.environ.get("RECALL_OPS_DB") or DEFAULT_DB)


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at ``path`` and make sure the schema exists."""
    path = Path(path) if path else default_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as e:
        raise StoreError(f"{path}: cannot open the database ({e})") from e
    except duckdb.Error as e:
        raise StoreError(f"{path}: not a usable DuckDB database ({e})") from e
    con.execute("SET enable_progress_bar = false")  # no terminal bar over the CLI's own output
    # DuckDB's buffer pool (it spills to disk beyond it): RECALL_OPS_MEMORY_LIMIT, default 1 GB, so
    # that a 10M-contact load or report stays within 2 GiB of memory in all.
    con.execute(f"SET memory_limit = '{os.environ.get('RECALL_OPS_MEMORY_LIMIT') or MEMORY_LIMIT}'")
    if not read_only:
        init(con)
    return con


SCHEMA_VERSION = 4  # bump when ddl() or a migration below changes


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create the canonical tables, history tables, ledger and derived tables if missing, and
    bring a store written by an older version up to date (data columns added since, empty; hash
    columns added and filled). A store
    already at SCHEMA_VERSION costs one query (pages open a connection per piece of work)."""
    try:
        current = con.execute("SELECT list(version) FROM schema_state").fetchall()[0][0] == [SCHEMA_VERSION]
    except duckdb.CatalogException:
        current = False
    if not current:
        for statement in [*ddl(), SETTINGS_DDL]:
            con.execute(statement)
        has = "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?"
        for table, spec in TABLES.items():
            hashes = {"key_h": spec.key, **spec.links}
            for name in (table, f"{table}_history"):
                for c in spec.columns:  # columns added to the schema after the store was made
                    if not con.execute(has, [name, c.name]).fetchall()[0][0]:
                        con.execute(f"ALTER TABLE {name} ADD COLUMN {c.name} {DUCKDB_TYPES[c.type]}")
                for column, sql_type in internal_columns(table):
                    if not con.execute(has, [name, column]).fetchall()[0][0]:
                        con.execute(f"ALTER TABLE {name} ADD COLUMN {column} {sql_type}")
                        con.execute(f"UPDATE {name} SET {column} = {hash_sql(hashes[column])}")
        con.execute("CREATE OR REPLACE TABLE schema_state (version INTEGER NOT NULL)")
        con.execute("INSERT INTO schema_state VALUES (?)", [SCHEMA_VERSION])
    derived.init(con)


def _transient(e: StoreError) -> bool:
    """Errors that pass by themselves: another process holds the file lock, or (within this
    process) another thread is closing the last connection to the file while this one opens it."""
    text = str(e).lower()
    return "lock" in text or "file handle conflict" in text


@contextmanager
def read_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every query inside sees the store as of one moment: a load committed meanwhile by another
    connection is wholly invisible until the block ends (DuckDB's snapshot isolation), so a result
    built from several queries is the store before that load or after it, never a mix. Rolled back
    on exit (a reader writes nothing); inside an open transaction it simply joins it."""
    if in_transaction(con):
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    finally:
        con.execute("ROLLBACK")


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True inside an explicit transaction: two statements share one transaction id only there
    (in auto-commit mode each statement is a transaction of its own)."""
    ask = "SELECT txid_current()"
    return con.execute(ask).fetchall() == con.execute(ask).fetchall()


@contextmanager
def open_store(path: str | Path | None = None, wait_s: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection, retried for ``wait_s`` while the error is transient
    (see :func:`_transient`); closed (releasing the file) on exit."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = connect(path)
            break
        except StoreError as e:
            if not _transient(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        yield con
    finally:
        con.close()
