"""Helpers for the telephony connector tests: write composed records, read them directly, and
load them end-to-end through a real DuckDB store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import ModuleType

from connectors import CONNECTORS
from connectors.base import Parsed, ReadContext, SourceFile
from connectors.load import Failure, ingest_paths
from store.db import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"
TZ = "America/Chicago"
COLUMNS = (
    "source, source_id, channel, direction, created_at::VARCHAR AS created_at, answered_at::VARCHAR AS answered_at, "
    "updated_at::VARCHAR AS updated_at, "
    "status, is_abandoned, is_transferred, wait_s, talk_s, hold_s, wrap_s, handle_s, agent, queue, "
    "dialled_number, customer_phone_raw, customer_phone"
)


def write_json(path: Path, records: list, layout: str = "array") -> Path:
    """``records`` as a JSON array, NDJSON, or concatenated JSON (``{..}{..}``); ``.gz`` gzips."""
    if layout == "array":
        text = json.dumps(records, indent=1)
    elif layout == "ndjson":
        text = "\n".join(json.dumps(r) for r in records) + "\n"
    else:
        text = "".join(json.dumps(r) for r in records)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def read(module: ModuleType, path: Path) -> Parsed:
    """``module`` must be the one registered connector that claims ``path``; its Parsed."""
    f = SourceFile(path.name, path)
    assert [c.NAME for c in CONNECTORS if c.detect(f)] == [module.NAME]
    return module.read(f, ReadContext(tz=TZ))


def store(tmp_path: Path):
    return connect(tmp_path / "t.duckdb")


def ingest(con, path: Path):
    """Load one file; check the ledger identity and return the IngestResult."""
    (result,) = ingest_paths(con, [path], recall_id=None, tz=TZ)
    assert not isinstance(result, Failure), result.message
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


def failure(con, path: Path) -> str:
    (result,) = ingest_paths(con, [path], recall_id=None, tz=TZ)
    assert isinstance(result, Failure)
    return result.message


def contacts(con) -> list[dict]:
    cur = con.execute(f"SELECT {COLUMNS} FROM contacts ORDER BY source, source_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def quarantine(con) -> list[tuple]:
    return con.execute("SELECT source_row, column_name, reason FROM quarantine ORDER BY source_row").fetchall()


def ingest_twice(con, path: Path):
    """Load ``path`` twice: the second load inserts and updates nothing, the table is the same."""
    first = ingest(con, path)
    before = contacts(con)
    second = ingest(con, path)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.read == first.read and second.quarantined == first.quarantined
    assert contacts(con) == before
    return first, before
