"""The PostgreSQL schema: the DuckDB store's tables, column for column, with PostgreSQL types.

Alembic migrates it (``store/pg/migrations``, one frozen file per schema version, each naming the
DuckDB ``SCHEMA_VERSION`` it matches). :func:`expected` reads the tables a fresh DuckDB store has
(store/db.py's ``init``) and maps their types by :data:`PG_TYPES`; tests/test_pg_store.py checks
that ``upgrade`` gives exactly those tables, so a schema change without its migration fails there.

Canonical tables (store/schema.py ``TABLES``) get a unique index on ``key_h`` (the hash of the
natural key): the target of ``INSERT … ON CONFLICT (key_h)`` in :mod:`store.pg.load`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from store.pg.engine import url_of
from store.schema import TABLES

MIGRATIONS = Path(__file__).with_name("migrations")

# DuckDB type → PostgreSQL type. UBIGINT (the 64-bit hashes, md5_number_lower) has no unsigned
# PostgreSQL twin: NUMERIC(20) holds every value exactly.
PG_TYPES = {
    "VARCHAR": "TEXT",
    "BIGINT": "BIGINT",
    "INTEGER": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "DOUBLE": "DOUBLE PRECISION",
    "TIMESTAMP": "TIMESTAMP",
    "UBIGINT": "NUMERIC(20)",
    "VARCHAR[]": "TEXT[]",
}
# information_schema's name of each PostgreSQL type above (arrays are "ARRAY").
CATALOG_NAMES = {
    "TEXT": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "DOUBLE PRECISION": "double precision",
    "TIMESTAMP": "timestamp without time zone",
    "NUMERIC(20)": "numeric",
    "TEXT[]": "ARRAY",
}


def expected(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, PostgreSQL type)]} of the DuckDB store ``con`` (its main schema)."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, duck_type in rows:
        if table.endswith("_versions") and table.removesuffix("_versions") in TABLES:
            continue  # DuckDB's table of versions, read through its two views (store/versions.py)
        tables.setdefault(table, []).append((column, PG_TYPES[duck_type]))
    return tables


def actual(connection: sa.Connection) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, information_schema type name)]} of the PostgreSQL database's public schema."""
    rows = connection.execute(
        sa.text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'alembic_version' "
            "ORDER BY table_name, ordinal_position"
        )
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, pg_type in rows:
        tables.setdefault(table, []).append((column, pg_type))
    return tables


def config(url: str) -> Config:
    """Alembic's configuration for the database at ``url`` (no alembic.ini: the script location is
    this package's ``migrations`` folder)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url_of(url).render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema of the PostgreSQL database at ``url`` to ``revision``."""
    command.upgrade(config(url), revision)


def current(connection: sa.Connection) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    try:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.ProgrammingError:
        connection.rollback()
        return None
