"""Which function writes a file into a store (the hook of connectors/load.py and the live loaders)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from store.write import IngestResult, apply


def writer(con: object) -> Callable[..., IngestResult]:
    """store/write.py's :func:`apply` on DuckDB; store/pg/load.py's on PostgreSQL, imported only
    then, so a process on a DuckDB store never loads the PostgreSQL stack (psycopg, SQLAlchemy,
    Alembic: about half a second of its start)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return apply
    from store.pg.load import apply as pg_apply

    return pg_apply
