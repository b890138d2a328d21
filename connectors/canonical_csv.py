"""Canonical CSV: one file per canonical table, headers exactly the column names of
store/schema.py (any order, any subset that includes the table's required columns).

The table is the one whose required columns are all present and which knows every header.
Layout and examples: docs/canonical-format.md. A large file is read in batches
(connectors/batches.py), one Parsed part per batch.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.batches import batched, delimited_batches
from connectors.conform import conform
from connectors.textfile import read_delimited
from store.schema import TABLES

NAME = "canonical_csv"
DATA_TABLES = ("contacts", "csat", "notifications")  # affected: connectors/registry.py


def _table_for(headers: list[str]) -> str | None:
    cols = {h.strip().lower() for h in headers}
    for name in DATA_TABLES:
        spec = TABLES[name]
        required = {c.name for c in spec.columns if c.required}
        known = set(spec.names)
        if required <= cols and cols <= known:
            return name
    return None


def detect(f: SourceFile) -> str | None:
    table = _table_for(f.header())
    return f"header is the canonical {table} layout" if table else None


def read(f: SourceFile, ctx: ReadContext) -> Parsed | Iterator[Parsed]:
    if batched(f):
        return (_parsed(frame, ctx, []) for frame in delimited_batches(f))
    frame, warnings = read_delimited(f)
    return _parsed(frame, ctx, warnings)


def _parsed(frame: pl.DataFrame, ctx: ReadContext, warnings: list[str]) -> Parsed:
    frame = frame.rename({c: c.lower() for c in frame.columns})
    table = _table_for([c for c in frame.columns if c != "source_row"])
    assert table is not None, "detect() accepted a file read() cannot place"
    typed, rejects = conform(table, frame, ctx)
    return Parsed(table, {table: typed}, rows_read=frame.height, rejects=rejects, warnings=warnings)


def template(table: str) -> pl.DataFrame:
    """An empty frame with the table's canonical CSV header."""
    return pl.DataFrame(schema={c: pl.String for c in TABLES[table].names})
