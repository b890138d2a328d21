"""Records from a webhook or an API page, through a named connector, into the store in one transaction.

The records are written to a temporary file (JSON lines, or CSV for a column mapping) and read by
the connector module exactly as an export file would be: same parsing, same quarantine reasons,
same ledger entry (``loaded_by`` names the live source). ``also(con, ingest_id)`` runs inside the
load's transaction (store/write.py): the caller saves its cursor or marks its spool bodies there.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from connectors import mapped
from connectors.base import SourceFile, file_sha256
from connectors.batches import ReadWhole, read_ahead, reading_whole
from connectors.load import context
from store.write import FileMeta, IngestResult
from store.writer import writer

Also = Callable[[duckdb.DuckDBPyConnection, int], None]


def _safe(name: str) -> str:
    return re.sub(r"[^\w.+-]+", "_", name)[:150] or "records"


def load_file(
    con: duckdb.DuckDBPyConnection,
    module: ModuleType,
    f: SourceFile,
    loaded_by: str,
    also: Also | None = None,
    mapping: dict[str, Any] | None = None,
) -> IngestResult:
    """Read ``f`` with ``module`` (connectors.mapped with ``mapping``) and write it; raises
    :class:`connectors.base.Unreadable` with nothing written when the connector refuses the file."""
    ctx = context(con, None, mapping.get("timezone") if mapping else None)

    def read():
        return mapped.read(f, ctx, mapping) if module is mapped else module.read(f, ctx)

    meta = FileMeta(f.name, file_sha256(f.path), module.NAME, ctx.tz, ctx.recall_id, loaded_by)
    try:
        return writer(con)(con, read_ahead(read()), meta, also)
    except ReadWhole:
        with reading_whole():
            return writer(con)(con, read(), meta, also)


def load_records(
    con: duckdb.DuckDBPyConnection,
    module: ModuleType,
    name: str,
    records: Iterable[object],
    loaded_by: str,
    also: Also | None = None,
) -> IngestResult:
    """Write ``records`` as JSON lines named ``name`` (the ledger's file name) and load them."""
    with tempfile.TemporaryDirectory(prefix="recall-ops-live-") as tmp:
        path = Path(tmp) / _safe(name)
        with open(path, "w", encoding="utf-8") as out:
            for r in records:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        return load_file(con, module, SourceFile(name, path), loaded_by, also)


def load_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    mapping: dict[str, Any],
    loaded_by: str,
    also: Also | None = None,
) -> IngestResult:
    """Write ``rows`` as a CSV named ``name`` and load it through the column mapping ``mapping``
    (connectors/mapped.py). Values are written as text: None → empty, datetimes in ISO 8601."""
    with tempfile.TemporaryDirectory(prefix="recall-ops-live-") as tmp:
        path = Path(tmp) / (_safe(name) + ".csv")
        with open(path, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            w.writerow(header)
            for row in rows:
                w.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row])
        return load_file(con, mapped, SourceFile(name, path), loaded_by, also, mapping)
