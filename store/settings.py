"""Settings kept in the database: metric targets, stale-data thresholds, wall-screen refresh.

- ``targets``: ``{metric id: {"green", "amber"} or null}`` — the targets Settings saved; a metric
  not listed keeps its default and ``null`` means no target (metrics/catalog.py, ``targets``).
- ``stale_hours``: a source is stale when its newest record is older than its threshold (hours;
  ``default`` for sources not listed).
- ``refresh_s``: the wall screen's refresh period.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

SETTINGS_DDL = """CREATE TABLE IF NOT EXISTS settings (
    key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)"""

STALE_AFTER_H = 24.0  # a source's stale threshold until Settings gives one

DEFAULTS: dict[str, Any] = {
    "targets": {},
    "stale_hours": {"default": STALE_AFTER_H},
    "refresh_s": 30,
}


def get(con: duckdb.DuckDBPyConnection, key: str) -> Any:
    """The stored value of ``key``, else its default."""
    rows = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    return json.loads(rows[0][0]) if rows else DEFAULTS[key]


def put(con: duckdb.DuckDBPyConnection, key: str, value: Any, by: str | None = None) -> None:
    """Store ``value`` (JSON-serialisable) under a known key."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    con.execute(
        "INSERT OR REPLACE INTO settings VALUES (?, ?, now()::TIMESTAMP, ?)", [key, json.dumps(value), by]
    ).fetchall()


def stale_hours(con: duckdb.DuckDBPyConnection, source: str) -> float:
    hours = get(con, "stale_hours")
    return float(hours.get(source, hours.get("default", STALE_AFTER_H)))
