"""A PostgreSQL connection with the calls the metrics and the store's reads make on DuckDB's
(``execute(sql, params).fetchall()``, ``sql(sql, params=…).pl()``, ``close()``), so every query is
written once, in DuckDB's dialect, and transpiled (store/pg/dialect.py).

The driver connection is in autocommit mode, as a DuckDB connection is: ``BEGIN TRANSACTION`` …
``ROLLBACK`` (store/db.py's ``read_transaction``) read one snapshot when the session runs at
REPEATABLE READ, which :func:`connect` sets (PostgreSQL's snapshot isolation, DuckDB's default).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import psycopg

from store.pg.dialect import to_postgres
from store.pg.engine import url_of

# PostgreSQL type oid → the polars type DuckDB's result would have.
_POLARS_OF_OID = {
    16: pl.Boolean(),
    20: pl.Int64(),
    21: pl.Int16(),
    23: pl.Int32(),
    25: pl.String(),
    1043: pl.String(),
    700: pl.Float32(),
    701: pl.Float64(),
    1700: pl.Float64(),
    1082: pl.Date(),
    1114: pl.Datetime("us"),
    1009: pl.List(pl.String()),
    1015: pl.List(pl.String()),
}


def _value(v: Any) -> Any:
    """A parameter as psycopg takes it (a DuckDB list parameter is a PostgreSQL array already)."""
    return v


def _plain(v: Any) -> Any:
    """NUMERIC (sums of integers, the 64-bit hashes) as int when whole, else float: DuckDB's types."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


class PgConnection:
    """One PostgreSQL session speaking DuckDB's SQL (see the module docstring)."""

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw
        self._cursor: psycopg.Cursor | None = None

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> PgConnection:
        text, positional = to_postgres(sql)
        if isinstance(params, (list, tuple)):
            named = {name: _value(v) for name, v in zip(positional, params, strict=True)}
        else:
            named = {k: _value(v) for k, v in (params or {}).items()}
        self._cursor = self.raw.execute(text, named or None)
        return self

    def fetchall(self) -> list[tuple]:
        """The last result's rows; for a statement that returns none, ``[(rows changed,)]`` as DuckDB
        gives (``DELETE … ; fetchall()[0][0]``)."""
        assert self._cursor is not None
        if self._cursor.description is None:
            return [(self._cursor.rowcount,)]
        return [tuple(_plain(v) for v in row) for row in self._cursor.fetchall()]

    def fetchone(self) -> tuple | None:
        assert self._cursor is not None
        row = self._cursor.fetchone()
        return None if row is None else tuple(_plain(v) for v in row)

    @property
    def rowcount(self) -> int:
        """The rows the last DELETE, UPDATE or INSERT changed (DuckDB returns them as its result)."""
        assert self._cursor is not None
        return self._cursor.rowcount

    def sql(self, sql: str, params: dict | None = None) -> PgConnection:
        return self.execute(sql, params)

    def pl(self) -> pl.DataFrame:
        """The last result as a polars frame (column names as the query gave them)."""
        assert self._cursor is not None
        described = self._cursor.description or []
        rows = self.fetchall()
        frame = pl.DataFrame({d.name: [r[i] for r in rows] for i, d in enumerate(described)}, strict=False)
        # A column all null (or no rows) takes its type from PostgreSQL's, as DuckDB's would.
        return frame.with_columns(
            pl.col(d.name).cast(_POLARS_OF_OID[d.type_code])
            for d in described
            if d.type_code in _POLARS_OF_OID and frame.schema[d.name] == pl.Null
        )

    def executemany(self, sql: str, rows: list) -> PgConnection:
        text, positional = to_postgres(sql)
        with self.raw.cursor() as cursor:
            cursor.executemany(text, [dict(zip(positional, r, strict=True)) for r in rows])
        return self

    def register(self, name: str, frame: pl.DataFrame) -> PgConnection:
        """DuckDB's ``register`` (a frame readable as a table): a temporary table of the session,
        filled with COPY; :meth:`unregister` drops it."""
        columns = ", ".join(f'"{c}" {_pg_type(t)}' for c, t in frame.schema.items())
        self.raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.raw.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        names = ", ".join(f'"{c}"' for c in frame.columns)
        with self.raw.cursor().copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            for row in frame.iter_rows():
                copy.write_row(row)
        return self

    def unregister(self, name: str) -> PgConnection:
        self.raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        return self

    def close(self) -> None:
        self.raw.close()


def _pg_type(dtype: pl.DataType) -> str:
    """The PostgreSQL column type of a polars column (:meth:`PgConnection.register`)."""
    if isinstance(dtype, pl.List):
        return _pg_type(dtype.inner) + "[]"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return {
        pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Int16: "SMALLINT", pl.Int8: "SMALLINT", pl.UInt32: "BIGINT",
        pl.UInt64: "NUMERIC(20)", pl.Float64: "DOUBLE PRECISION", pl.Float32: "REAL", pl.Boolean: "BOOLEAN",
        pl.Date: "DATE",
    }.get(type(dtype), "TEXT")  # fmt: skip


def connect(url: str) -> PgConnection:
    """A session on the PostgreSQL store at ``url`` (the schema must be migrated: store/pg/schema.py)."""
    sa_url = url_of(url)
    raw = psycopg.connect(
        host=sa_url.host,
        port=sa_url.port,
        user=sa_url.username,
        password=sa_url.password,
        dbname=sa_url.database,
        autocommit=True,
        # Parameters bound on the client, as literals: a NULL parameter (``? IS NULL OR …``, an
        # optional filter) then needs no type, as in DuckDB (server-side binding cannot type it).
        cursor_factory=psycopg.ClientCursor,
        options="-c default_transaction_isolation=repeatable\\ read -c TimeZone=UTC",
    )
    return PgConnection(raw)


LOAD_LOCK = 0x5265_6361_6C6C  # pg_advisory_xact_lock key of every load and migration ("Recall")
