"""Canonical CSV: one file per canonical table, headers the column names of store/schema.py
(any order, any subset that includes the table's required columns) or a column's declared
``aliases`` (``title`` or ``ticket_subject`` for ``subject``), compared case-insensitively with
spaces and hyphens read as ``_``; a header that is an alias of a column also present is ignored.

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
from connectors.textfile import EXTRA, read_delimited
from store.schema import TABLES

NAME = "canonical_csv"
DATA_TABLES = ("contacts", "csat", "notifications")  # affected: connectors/registry.py


def _norm(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _names(table: str, headers: list[str]) -> dict[str, str]:
    """header → canonical column of ``table`` (exact names first, then aliases; unknown headers absent)."""
    spec = TABLES[table]
    exact = {h: h.strip().lower() for h in headers if h.strip().lower() in spec.names}
    aliases = {a: c.name for c in spec.columns for a in c.aliases}
    out, taken = dict(exact), set(exact.values())
    for h in headers:
        name = aliases.get(_norm(h))
        if h not in out and name is not None and name not in taken:
            out[h] = name
            taken.add(name)
    return out


def _table_for(headers: list[str]) -> str | None:
    for name in DATA_TABLES:
        spec = TABLES[name]
        names = _names(name, headers)
        required = {c.name for c in spec.columns if c.required}
        aliased = {_norm(a) for c in spec.columns for a in c.aliases}
        known = all(h in names or _norm(h) in aliased for h in headers)
        if required <= set(names.values()) and known:
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
    headers = [c for c in frame.columns if c not in ("source_row", EXTRA)]
    table = _table_for(headers)
    assert table is not None, "detect() accepted a file read() cannot place"
    names = _names(table, headers)
    kept = [c for c in ("source_row", EXTRA) if c in frame.columns]
    frame = frame.select(*kept, *[pl.col(h).alias(n) for h, n in names.items()])
    typed, rejects = conform(table, frame, ctx)
    return Parsed(table, {table: typed}, rows_read=frame.height, rejects=rejects, warnings=warnings)


def template(table: str) -> pl.DataFrame:
    """An empty frame with the table's canonical CSV header."""
    return pl.DataFrame(schema={c: pl.String for c in TABLES[table].names})
