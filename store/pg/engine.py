"""Which store a ``--db`` value names: a ``postgresql`` SQLAlchemy URL is PostgreSQL; anything
else is the DuckDB file path of store/db.py (which refuses other URLs).

SQLAlchemy is imported by the functions that need it: a process on a DuckDB store (the CLI, a
server, a test) never loads the PostgreSQL stack (about half a second of its start)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import URL

POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


def is_postgres(value: str | Path | None) -> bool:
    """True when ``value`` (``--db`` or, when None, ``$RECALL_OPS_DB``) is a PostgreSQL URL."""
    text = str(value if value is not None else os.environ.get("RECALL_OPS_DB") or "")
    return text.split(":", 1)[0].lower() in POSTGRES_SCHEMES and "://" in text


def url_of(value: str) -> URL:
    """The SQLAlchemy URL, its driver made psycopg 3 (``postgresql://`` names psycopg2 in SQLAlchemy)."""
    from sqlalchemy.engine import make_url

    url = make_url(value.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql+psycopg")


def shown(value: str) -> str:
    """The URL with its password hidden: what messages and logs may print."""
    return url_of(value).render_as_string(hide_password=True)


_ENGINES: dict[str, sa.Engine] = {}


def engine(value: str) -> sa.Engine:
    """One pooled SQLAlchemy engine per URL and process (pages open a connection per piece of work)."""
    if value not in _ENGINES:
        import sqlalchemy as sa

        _ENGINES[value] = sa.create_engine(url_of(value), pool_pre_ping=True, pool_size=5, max_overflow=5)
    return _ENGINES[value]


def dispose(value: str) -> None:
    """Close the pooled connections of ``value``'s engine (tests dropping a database)."""
    found = _ENGINES.pop(value, None)
    if found is not None:
        found.dispose()
