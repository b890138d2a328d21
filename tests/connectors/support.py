"""Helpers shared by the connector tests: write composed records, read them through the one
connector that claims them, and load them end-to-end into a real DuckDB store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import ModuleType

from connectors import CONNECTORS
from connectors.base import Parsed, ReadContext, SourceFile
from connectors.batches import read_joined
from connectors.load import Failure, ingest_paths
from store.db import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"


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


def claimed_by(path: Path) -> list[str]:
    """Names of the registered connectors whose detect() claims ``path``."""
    f = SourceFile(path.name, path)
    return [c.NAME for c in CONNECTORS if c.detect(f)]


def read(module: ModuleType, path: Path, **ctx: object) -> Parsed:
    """``module`` must be the one registered connector that claims ``path``; its Parsed (a file
    read in parts joined into one)."""
    assert claimed_by(path) == [module.NAME]
    return read_joined(lambda: module.read(SourceFile(path.name, path), ReadContext(**ctx)))


def store(tmp_path: Path):
    return connect(tmp_path / "t.duckdb")


def ingest(con, path: Path, tz: str = "UTC", recall_id: str | None = None):
    """Load one file; check the ledger identity and return the IngestResult."""
    (result,) = ingest_paths(con, [path], recall_id=recall_id, tz=tz)
    assert not isinstance(result, Failure), result.message
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


def failure(con, path: Path, tz: str = "UTC") -> str:
    """Load one file that must be refused; its message."""
    (result,) = ingest_paths(con, [path], recall_id=None, tz=tz)
    assert isinstance(result, Failure)
    return result.message
