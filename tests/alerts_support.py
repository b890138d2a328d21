"""Small hand-made stores for the alert tests: recall R1 of tests/fixtures/metrics (announced
2026-03-02T15:00Z, America/Chicago; CDT = UTC−5 from 2026-03-08) and contacts written here."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from conftest import METRIC_FIXTURES, load

from store.db import connect

COLUMNS = (
    "source",
    "source_id",
    "recall_id",
    "channel",
    "direction",
    "created_at",
    "answered_at",
    "is_abandoned",
    "wait_s",
    "reason",
    "tags",
    "customer_email",
)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", ""))


def call(sid: str, created: datetime, wait_s: float, abandoned: bool = False, **extra: str) -> dict[str, str]:
    row = {
        "source": "five9",
        "source_id": sid,
        "recall_id": "R1",
        "channel": "phone",
        "direction": "inbound",
        "created_at": iso(created),
        "is_abandoned": "true" if abandoned else "false",
        "wait_s": str(wait_s),
    }
    if not abandoned:
        row["answered_at"] = iso(created + timedelta(seconds=wait_s))
    return row | extra


def ticket(sid: str, created: datetime, reason: str = "", email: str = "", tags: str = "") -> dict[str, str]:
    return {
        "source": "zendesk",
        "source_id": sid,
        "recall_id": "R1",
        "channel": "email",
        "direction": "inbound",
        "created_at": iso(created),
        "reason": reason,
        "customer_email": email,
        "tags": tags,
    }


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, restval="", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


class Store:
    """A store holding recall R1, with a method to load more contacts."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.files = tmp, 0
        self.con = connect(tmp / "alerts.duckdb")
        load(self.con, METRIC_FIXTURES / "recall.toml")

    def add(self, rows: list[dict[str, str]]) -> None:
        self.files += 1
        load(self.con, write(self.tmp / f"contacts_{self.files}.csv", rows))
