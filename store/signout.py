"""Signed-out sign-in cookies (table ``signed_out``): a cookie signed out stays refused, on this
server and after a restart, until it would have expired anyway (``COOKIE_DAYS``)."""

from __future__ import annotations

import duckdb

COOKIE_DAYS = 31  # the longest a sign-in cookie lives


def digests(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The SHA-256 digests of every signed-out cookie remembered."""
    return {r[0] for r in con.execute("SELECT cookie_sha256 FROM signed_out").fetchall()}


def record(con: duckdb.DuckDBPyConnection, digest: str) -> None:
    """Remember a signed-out cookie; forget those signed out more than ``COOKIE_DAYS`` ago."""
    con.execute("INSERT OR IGNORE INTO signed_out VALUES (?, now()::TIMESTAMP)", [digest])
    con.execute(f"DELETE FROM signed_out WHERE signed_out_at < now()::TIMESTAMP - INTERVAL {COOKIE_DAYS} DAY")
