"""Opening the store: a DuckDB file with the canonical schema.

The file is ``--db`` when given, else ``$RECALL_OPS_DB``, else ``data/recall_ops.duckdb``. DuckDB
may use ``$RECALL_OPS_MEMORY_LIMIT`` (default 1 GB) before it spills to disk.

A PostgreSQL URL (``postgresql+psycopg://user@host/db``) opens the PostgreSQL store instead
(store/pg/, docs/scaling.md). Any other database URL or DuckDB connection string (``md:…``,
``s3://…``, ``mysql://…``; any ``scheme:`` of two letters or more) is refused with
:class:`StoreError` before anything is created — taken as a path it would make folders named
after the URL and load there.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from store import derived, versions
from store.alerts import ALERTS_DDL
from store.live import LIVE_DDL
from store.pg.engine import is_postgres, shown, url_of
from store.schema import DUCKDB_TYPES, TABLES, ddl, hash_sql, internal_columns
from store.settings import SETTINGS_DDL

if TYPE_CHECKING:
    from store.pg.connection import PgConnection

DEFAULT_DB = Path("data") / "recall_ops.duckdb"
MEMORY_LIMIT = "1GB"


class StoreError(Exception):
    """The database file cannot be used; the message says why."""


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")  # a scheme; one letter is a Windows drive (C:\\…)


def check_path(value: str | Path) -> Path:
    """``value`` as a file path; :class:`StoreError` when it is a URL or connection string."""
    text = str(value)
    if _URL.match(text):
        scheme = text.split(":", 1)[0]  # only the scheme is echoed: a URL may carry a password
        raise StoreError(
            f"'{scheme}:…' is a database address, not a file path: Recall Ops keeps its data in one DuckDB file. "
            "Give a file path, for example --db data/recall_ops.duckdb, or a PostgreSQL URL "
            "(postgresql+psycopg://user@host/dbname; other databases are not supported; "
            "write ./NAME for a file whose name has a colon)"
        )
    return Path(value)


class StoreReadOnly(StoreError):
    """The database file (or its folder) cannot be written: it can be opened read-only."""


# Errors of the database file itself (the disk, the file system, a damaged file), as opposed to a
# bad statement: what callers report as "the store cannot be read or written".
STORE_IO_ERRORS = (duckdb.IOException, duckdb.FatalException, duckdb.PermissionException)


def write_conflicts() -> tuple[type[Exception], ...]:
    """What a transaction that lost to a concurrent writer raises — DuckDB's optimistic conflict;
    PostgreSQL's REPEATABLE READ serialization failure — nothing was written, the work can start
    again (``except write_conflicts():``). PostgreSQL's only once its driver is loaded: a process
    that never opened a PostgreSQL store cannot meet one."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return (duckdb.TransactionException,)
    return (duckdb.TransactionException, psycopg.errors.SerializationFailure)


def _unwritable(e: duckdb.Error) -> bool:
    text = str(e).lower()
    return "permission denied" in text or "read-only file system" in text


def default_path() -> Path:
    """``$RECALL_OPS_DB``, else ``data/recall_ops.duckdb``."""
    return check_path(os.environ.get("RECALL_OPS_DB") or DEFAULT_DB)


def default_store() -> str | Path:
    """What ``--db`` defaults to: ``$RECALL_OPS_DB`` when it is a PostgreSQL URL, else
    :func:`default_path`."""
    url = os.environ.get("RECALL_OPS_DB") or ""
    return url if is_postgres(url) else default_path()


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at ``path`` and make sure the schema exists (a
    PostgreSQL URL: the PostgreSQL store, its schema migrated, store/pg/connection.py)."""
    if is_postgres(path):
        return _open_postgres(str(path or os.environ["RECALL_OPS_DB"]), read_only)  # type: ignore[return-value]
    path = check_path(path) if path else default_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as e:
        if not read_only and _unwritable(e):
            raise StoreReadOnly(f"{path}: the database file cannot be written ({e}); it can be read") from e
        raise StoreError(f"{path}: cannot open the database ({e})") from e
    except duckdb.Error as e:
        raise StoreError(f"{path}: not a usable DuckDB database ({e})") from e
    con.execute("SET enable_progress_bar = false")  # no terminal bar over the CLI's own output
    # DuckDB's buffer pool (it spills to disk beyond it): RECALL_OPS_MEMORY_LIMIT, default 1 GB, so
    # that a 10M-contact load or report stays within 2 GiB of memory in all.
    con.execute(f"SET memory_limit = '{os.environ.get('RECALL_OPS_MEMORY_LIMIT') or MEMORY_LIMIT}'")
    if not read_only:
        try:
            init(con)
        except STORE_IO_ERRORS as e:  # a damaged (e.g. truncated) file fails at its first read
            con.close()
            raise StoreError(f"{path}: the database file is damaged or unreadable ({e}); it was not changed") from e
    return con


def _open_postgres(url: str, read_only: bool) -> PgConnection:
    """The PostgreSQL store at ``url``; :class:`StoreError` naming the server (never the password).
    The PostgreSQL stack (psycopg, SQLAlchemy, Alembic) is loaded here, on first use."""
    import psycopg
    from sqlalchemy.exc import SQLAlchemyError

    from store.pg.open import open_store as pg_open

    try:
        return pg_open(url, read_only=read_only)
    except (psycopg.Error, SQLAlchemyError) as e:
        reason = str(getattr(e, "orig", None) or e).splitlines()[0]
        password = url_of(url).password
        if password:
            reason = reason.replace(password, "***")
        raise StoreError(f"{shown(url)}: cannot open the PostgreSQL store ({reason})") from e


SCHEMA_VERSION = 10  # bump when ddl() or a migration below changes


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create the canonical tables (one table of versions and two views each: store/versions.py),
    ledger, settings, live-source and alert tables (store/live.py, store/alerts.py) and derived
    tables if missing, and bring a store written by an older version up to date, in one transaction
    (data columns added since, empty; hash columns added and filled; a ``str_list`` column once
    stored as text made a list; the quarantine's ``record_id``; before version 10, current rows and
    history in two tables each). A store already at SCHEMA_VERSION costs one query (pages open a
    connection per piece of work)."""
    try:
        current = con.execute("SELECT list(version) FROM schema_state").fetchall()[0][0] == [SCHEMA_VERSION]
    except duckdb.CatalogException:
        current = False
    if not current and not con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()[0][0]:
        _create(con)  # a new file: nothing to bring up to date
        return
    if not current:
        with write_transaction(con):
            _upgrade(con)
    derived.init(con)


def _upgrade(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        versions.upgrade(con, table)
    for statement in _tables_ddl():
        con.execute(statement)
    # Who saved a mapping (stores from before it was recorded: unknown).
    con.execute("ALTER TABLE mappings ADD COLUMN IF NOT EXISTS updated_by VARCHAR")
    # The ledger group of an ingest (the files of one archive are one upload); before: each its own.
    con.execute("ALTER TABLE ingests ADD COLUMN IF NOT EXISTS group_id BIGINT")
    con.execute("UPDATE ingests SET group_id = ingest_id WHERE group_id IS NULL")
    has = set(con.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall())
    for table, spec in TABLES.items():
        hashes = {"key_h": spec.key, **spec.links}
        name = versions.stored(table)
        for c in spec.columns:  # columns added to the schema after the store was made
            if (name, c.name) not in has:
                con.execute(f"ALTER TABLE {name} ADD COLUMN {c.name} {DUCKDB_TYPES[c.type]}")
        for column, sql_type in internal_columns(table):
            if (name, column) not in has:
                con.execute(f"ALTER TABLE {name} ADD COLUMN {column} {sql_type}")
                con.execute(f"UPDATE {name} SET {column} = {hash_sql(hashes[column])}")
        _retype_lists(con, table, name)
        for statement in versions.views_ddl(table):
            con.execute(statement)
    con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS record_id VARCHAR")
    con.execute("CREATE OR REPLACE TABLE schema_state (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_state VALUES (?)", [SCHEMA_VERSION])


def _tables_ddl() -> list[str]:
    """CREATE TABLE IF NOT EXISTS for every table but the schema version's: ledger, canonical
    versions (store/versions.py; their views are made apart), settings, live sources, alerts."""
    return [*ddl(), *(versions.ddl(t) for t in TABLES), SETTINGS_DDL, *LIVE_DDL, *ALERTS_DDL]


def _create(con: duckdb.DuckDBPyConnection) -> None:
    """Every table of a new store, in one transaction (a crash leaves the file empty, made again at
    the next open)."""
    with write_transaction(con):
        for statement in [*_tables_ddl(), *(v for t in TABLES for v in versions.views_ddl(t))]:
            con.execute(statement)
        con.execute("CREATE TABLE schema_state (version INTEGER NOT NULL)")
        con.execute("INSERT INTO schema_state VALUES (?)", [SCHEMA_VERSION])
        derived.create(con)


def _retype_lists(con: duckdb.DuckDBPyConnection, table: str, name: str) -> None:
    """A ``str_list`` column stored as text by an older version (``notifications.campaign`` held one
    value) becomes a list of that one value."""
    for c in TABLES[table].columns:
        if c.type != "str_list":
            continue
        found = con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = ? AND column_name = ?", [name, c.name]
        ).fetchall()
        if found and found[0][0] == "VARCHAR":
            con.execute(
                f"ALTER TABLE {name} ALTER {c.name} SET DATA TYPE VARCHAR[] "
                f"USING (CASE WHEN {c.name} IS NULL THEN NULL ELSE [{c.name}] END)"
            )


def transient(e: StoreError) -> bool:
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


@contextmanager
def write_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed when the block ends, rolled back on any error (also one that
    stops the process: a crash inside leaves the store as it was)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True inside an explicit transaction: two statements share one transaction id only there
    (in auto-commit mode each statement is a transaction of its own)."""
    ask = "SELECT txid_current()"
    return con.execute(ask).fetchall() == con.execute(ask).fetchall()


@contextmanager
def open_store(
    path: str | Path | None = None, wait_s: float = 10.0, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection (read-write unless ``read_only``), retried for ``wait_s`` while the
    error is transient (see :func:`transient`); closed (releasing the file) on exit."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = connect(path, read_only=read_only)
            break
        except StoreError as e:
            if not transient(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        yield con
    finally:
        con.close()
