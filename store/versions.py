"""Where the versions of a canonical table's rows are kept (the rules: store/write.py, store/undo.py).

On DuckDB every version of a row sits in one table, ``<table>_versions``: the table's data, lineage
and hash columns, then ``replaced_by`` — null for the current version, else the ingest that
replaced it. Two views read it as the tables every reader knows:

- ``<table>``: the current rows (``replaced_by IS NULL``), without ``replaced_by``;
- ``<table>_history``: the replaced versions (``replaced_by IS NOT NULL``), with it.

Writers (loads, undo, phone normalisation, schema upgrades) write ``<table>_versions``; everything
else reads the views. A load that replaces a row marks it (one narrow column written) instead of
moving it to another table: a move reads every column of each replaced row, and a few thousand
rows scattered over a 10M-row table sit in nearly every block of every column (docs/benchmarks.md).

PostgreSQL keeps ``<table>`` and ``<table>_history`` as two tables (store/pg/): a row store moves
a row as cheaply as it marks it, and its unique index on ``key_h`` then holds for current rows.
"""

from __future__ import annotations

import duckdb

from store.schema import DUCKDB_TYPES, LINEAGE, TABLES, internal_columns

CURRENT = "replaced_by IS NULL"
REPLACED = "replaced_by IS NOT NULL"


def stored(table: str) -> str:
    """The DuckDB table holding every version of ``table``'s rows."""
    return f"{table}_versions"


def columns(table: str) -> list[str]:
    """The columns of ``table`` (its view of current rows), in order: data, lineage, hashes."""
    return [*TABLES[table].names, *(n for n, _ in LINEAGE), *(n for n, _ in internal_columns(table))]


def ddl(table: str) -> str:
    spec = TABLES[table]
    cols = [f"{c.name} {DUCKDB_TYPES[c.type]}" for c in spec.columns]
    cols += [f"{n} {ty}" for n, ty in (*LINEAGE, *internal_columns(table))]
    return f"CREATE TABLE IF NOT EXISTS {stored(table)} ({', '.join(cols)}, replaced_by BIGINT)"


def views_ddl(table: str) -> list[str]:
    """The two views over ``<table>_versions``; made again whenever its columns change (a DuckDB
    view keeps the columns it had when it was made)."""
    listed = ", ".join(columns(table))
    return [
        f"CREATE OR REPLACE VIEW {table} AS SELECT {listed} FROM {stored(table)} WHERE {CURRENT}",
        f"CREATE OR REPLACE VIEW {table}_history AS SELECT {listed}, replaced_by FROM {stored(table)} WHERE {REPLACED}",
    ]


def upgrade(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A store written before versions were kept in one table (``<table>`` and ``<table>_history``
    as tables): the current table becomes ``<table>_versions`` and the history rows join it,
    their ``replaced_by`` kept. The views are made by the caller once the columns are up to date."""
    found = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name IN (?, ?) AND NOT temporary",
            [table, f"{table}_history"],
        ).fetchall()
    }
    if table not in found:
        return
    con.execute(f"ALTER TABLE {table} RENAME TO {stored(table)}")
    con.execute(f"ALTER TABLE {stored(table)} ADD COLUMN replaced_by BIGINT")
    if f"{table}_history" in found:
        con.execute(f"INSERT INTO {stored(table)} BY NAME SELECT * FROM {table}_history")
        con.execute(f"DROP TABLE {table}_history")


def current_rows(con: object, table: str) -> tuple[str, str]:
    """(the table to write ``table``'s current rows in, the condition that picks them among its
    rows): ``<table>_versions`` and ``replaced_by IS NULL`` on DuckDB; ``<table>`` and ``true`` on
    PostgreSQL (two tables)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return stored(table), CURRENT
    return table, "true"


def replaced_rows(con: object, table: str) -> tuple[str, str]:
    """The same for the replaced versions: ``<table>_versions`` and ``replaced_by IS NOT NULL`` on
    DuckDB; ``<table>_history`` and ``true`` on PostgreSQL."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return stored(table), REPLACED
    return f"{table}_history", "true"
