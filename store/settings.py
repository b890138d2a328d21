"""Settings kept in the database: metric targets, stale-data thresholds, wall-screen refresh.

Targets colour tiles red/amber/green. For a higher-is-better metric a value ≥ ``green`` is
green, ≥ ``amber`` amber, else red; for a lower-is-better one (abandon rate, ASA, AHT) a value
≤ ``green`` is green, ≤ ``amber`` amber, else red. A metric without a target is not coloured:
AHT ships without one (no authoritative benchmark; docs/metrics.md#targets-and-colours).
A source is stale when its newest record is older than its threshold (hours; ``default`` for
sources not listed).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

SETTINGS_DDL = """CREATE TABLE IF NOT EXISTS settings (
    key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)"""


@dataclass(frozen=True)
class Target:
    green: float
    amber: float
    higher_is_better: bool = True

    def colour(self, value: float | None) -> str | None:
        """'green', 'amber', 'red', or None when the value is unknown."""
        if value is None:
            return None
        if self.higher_is_better:
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        return "green" if value <= self.green else "amber" if value <= self.amber else "red"


DEFAULT_TARGETS: dict[str, Target | None] = {
    "service_level": Target(0.80, 0.70),  # 80 % in 20 s (Genesys default queue target)
    "abandon_rate": Target(0.05, 0.10, higher_is_better=False),  # common rule of thumb, configurable
    "fcr": Target(0.70, 0.60),  # SQM: 70–79 % good
    "csat": Target(0.85, 0.75),  # SQM world class ≥ 85 %
    "asa_s": Target(30.0, 60.0, higher_is_better=False),
    "aht_s": None,
}
DEFAULTS: dict[str, Any] = {
    "targets": {k: asdict(v) if v else None for k, v in DEFAULT_TARGETS.items()},
    "stale_hours": {"default": 24.0},
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


def targets(con: duckdb.DuckDBPyConnection) -> dict[str, Target | None]:
    stored = get(con, "targets")
    return {k: Target(**v) if v else None for k, v in {**DEFAULTS["targets"], **stored}.items()}


def stale_hours(con: duckdb.DuckDBPyConnection, source: str) -> float:
    hours = get(con, "stale_hours")
    return float(hours.get(source, hours.get("default", 24.0)))
