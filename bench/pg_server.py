"""A throwaway PostgreSQL 15 server (pytest-postgresql's executor) for the tests (tests/pg_support.py)
and the PostgreSQL benchmark (bench/postgres.py): each user gets a database of its own, copied from a
migrated template (CREATE DATABASE … TEMPLATE: milliseconds).

PostgreSQL refuses to run as root, so when run as root its files belong to ``postgres``
(bench/pg_ctl_as_postgres runs pg_ctl as that user)."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import port_for
import psycopg
from pytest_postgresql.executors.proc import PostgreSQLExecutor

PG_CTL = Path(__file__).with_name("pg_ctl_as_postgres")
BIN = Path(os.environ.get("RECALL_OPS_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "recall_ops_template"


class PgServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self._names = itertools.count()
        self._template = False

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        conninfo = {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": "postgres"}
        with psycopg.connect(**conninfo, autocommit=True) as c:
            c.execute(sql)

    def next_name(self) -> str:
        return f"{os.getpid()}_{next(self._names)}"

    def create(self, dbname: str, migrated: bool = True, template: str | None = None) -> str:
        """A new empty database (C collation: text sorts by bytes, as in DuckDB); with ``migrated``
        a copy of the template migrated once with Alembic (store/pg/migrations)."""
        if migrated and not self._template:
            from store.pg.schema import upgrade

            self.admin(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
            upgrade(self.url(TEMPLATE))
            from store.pg.engine import dispose

            dispose(self.url(TEMPLATE))
            self._template = True
        template = template or (TEMPLATE if migrated else "template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        self.admin(f"CREATE DATABASE {dbname} TEMPLATE {template}")
        return self.url(dbname)

    def fresh(self, migrated: bool = True) -> str:
        return self.create(f"t{self.next_name()}", migrated)


def _wait_until_ready(pg: PgServer, timeout_s: float = 60.0) -> None:
    """Until the server takes a connection: pg_ctl -w can return while a loaded machine's server
    still answers "the database system is starting up" (which made the first PostgreSQL test of a
    process, test_pg_store.py's Alembic test, fail now and then)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            pg.admin("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def available() -> bool:
    """PostgreSQL's binaries are where :data:`BIN` says."""
    return (BIN / "pg_ctl").exists()


def start() -> Iterator[PgServer]:
    """Start a throwaway server (its data in a temporary folder), yield it, then stop it and delete
    the folder."""
    folder = tempfile.mkdtemp(prefix="recall-ops-pg-")
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = port_for.select_random()
    os.environ.setdefault("RECALL_OPS_PG_CTL", str(BIN / "pg_ctl"))  # read by pg_ctl_as_postgres
    server = PostgreSQLExecutor(
        executable=str(PG_CTL),
        host="127.0.0.1",
        port=port,
        datadir=os.path.join(folder, "data"),
        unixsocketdir=folder,
        logfile=os.path.join(folder, "postgres.log"),
        startparams="-w",
        dbname="postgres",
    )
    server.start()
    pg = PgServer(port)
    _wait_until_ready(pg)
    try:
        yield pg
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
