"""One throwaway PostgreSQL 15 server per test process (bench/pg_server.py), shared by every test
that needs one (tests/live/test_live_sql.py, tests/test_pg_store.py, …); skipped where PostgreSQL is
not installed (.ci/run installs it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.pg_server import BIN, PgServer, available
from bench.pg_server import start as start_server


def start() -> Iterator[PgServer]:
    if not available():
        pytest.skip(f"PostgreSQL not installed at {BIN} (.ci/run installs it)")
    yield from start_server()
