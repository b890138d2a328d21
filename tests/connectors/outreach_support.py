"""Helpers for the outreach connector tests: write composed records, read them directly, and
load them end-to-end through the store."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from connectors import CONNECTORS
from connectors.base import Parsed, ReadContext, SourceFile
from connectors.load import Failure, ingest_paths
from store.db import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"
COLUMNS = "source, source_id, channel, customer_email, customer_phone, status, status_at::VARCHAR, campaign"


def write_json(path: Path, records: list, layout: str = "array") -> Path:
    """``records`` as a JSON array, NDJSON, or concatenated JSON without separators."""
    if layout == "array":
        text = json.dumps(records, indent=1)
    elif layout == "ndjson":
        text = "\n".join(json.dumps(r) for r in records) + "\n"
    else:
        text = "".join(json.dumps(r) for r in records)
    path.write_text(text, encoding="utf-8")
    return path


def read(module: ModuleType, path: Path, **ctx: object) -> Parsed:
    """``module`` must be the one registered connector that claims ``path``; its Parsed."""
    f = SourceFile(path.name, path)
    assert [c.NAME for c in CONNECTORS if c.detect(f)] == [module.NAME]
    return module.read(f, ReadContext(**ctx))


def claimed_by(path: Path) -> list[str]:
    f = SourceFile(path.name, path)
    return [c.NAME for c in CONNECTORS if c.detect(f)]


def store(tmp_path: Path):
    return connect(tmp_path / "t.duckdb")


def ingest(con, path: Path, **kw):
    """Load one file; check the ledger identity and return the IngestResult."""
    (result,) = ingest_paths(con, [path], recall_id=kw.pop("recall_id", None), tz=kw.pop("tz", "UTC"))
    assert not isinstance(result, Failure), result.message
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


def failure(con, path: Path) -> str:
    (result,) = ingest_paths(con, [path], recall_id=None, tz="UTC")
    assert isinstance(result, Failure)
    return result.message


def notifications(con) -> list[tuple]:
    return con.execute(f"SELECT {COLUMNS} FROM notifications ORDER BY source_id").fetchall()


def ingest_twice(con, path: Path) -> tuple:
    """Load ``path`` twice: the second load inserts and updates nothing, the table is the same."""
    first = ingest(con, path)
    before = notifications(con)
    second = ingest(con, path)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.unchanged == first.read - first.quarantined
    assert notifications(con) == before
    return first, before
