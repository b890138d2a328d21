"""Anything else: a CSV/XLSX read through a column mapping saved by name (store/mappings.py).

Never detected (``detect`` returns None): the upload names the mapping (``ingest --mapping NAME``,
or :func:`connectors.load.ingest_paths` with ``mapping=spec``). Rules:
- the file is read by connectors.textfile.read_table (``.xlsx``: first sheet, header in row 1);
- every source header the mapping names must be in the file (exactly, else case-insensitively
  with spaces, underscores and hyphens alike), or the file is unreadable with a message naming the
  missing headers; other headers are ignored;
- a value map replaces the values it knows (trimmed, case-insensitive) and passes others through;
  constants fill their column on every row; conform() then parses, checks and quarantines as for
  every connector (a value outside a column's choices, a row with more cells than the header…);
- ``affected`` without a ``recall_id`` column or constant belongs to the recall named at upload or
  the only recall defined; with neither the file is refused (as the registry connector does).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, Unreadable, norm_header
from connectors.conform import conform
from connectors.textfile import EXTRA, read_table
from store.mappings import MappingError, validate_spec

NAME = "mapped"


def detect(f: SourceFile) -> str | None:
    """Never claims a file: a mapping is chosen at upload."""
    return None


def read(f: SourceFile, ctx: ReadContext, spec: dict[str, Any] | None = None) -> Parsed:
    """Read ``f`` with the mapping ``spec`` into its canonical table."""
    if spec is None:
        raise Unreadable(f"{f.name}: the mapped connector needs a mapping (--mapping NAME)")
    try:
        spec = validate_spec(spec)
    except MappingError as e:
        raise Unreadable(f"{f.name}: the mapping cannot be used ({e})") from e
    table = spec["table"]
    frame, warnings = read_table(f)
    headers = _resolve(f, [c for c in frame.columns if c not in ("source_row", EXTRA)], spec["columns"])
    exprs = [_mapped(headers[c], spec["values"].get(c)).alias(c) for c in spec["columns"]]
    exprs += [pl.lit(v, pl.String).alias(c) for c, v in spec["constants"].items()]
    kept = ["source_row", *([EXTRA] if EXTRA in frame.columns else [])]
    out = frame.select(*exprs, *kept)
    if table == "affected" and "recall_id" not in out.columns:
        if not ctx.recall_id:
            raise Unreadable(
                f"{f.name}: this mapping names no recall and no single recall is defined — "
                "load the recall's TOML first or name the recall at upload (--recall)"
            )
        out = out.with_columns(pl.lit(ctx.recall_id, pl.String).alias("recall_id"))
    typed, rejects = conform(table, out, ctx)
    return Parsed(table, {table: typed}, rows_read=out.height, rejects=rejects, warnings=warnings)


def _resolve(f: SourceFile, file_headers: list[str], columns: dict[str, str]) -> dict[str, str]:
    """canonical column → the file's header for it; :class:`Unreadable` naming missing headers."""
    by_key: dict[str, str] = {}
    for h in file_headers:
        by_key.setdefault(norm_header(h), h)
    out: dict[str, str] = {}
    missing: list[str] = []
    for canonical, wanted in columns.items():
        found = wanted if wanted in file_headers else by_key.get(norm_header(wanted))
        if found is None:
            missing.append(wanted)
        else:
            out[canonical] = found
    if missing:
        names = ", ".join(repr(m) for m in dict.fromkeys(missing))
        raise Unreadable(
            f"{f.name}: header(s) {names} named by the mapping are not in the file "
            f"(it has: {', '.join(file_headers[:20])})"
        )
    return out


def _mapped(header: str, values: dict[str, str] | None) -> pl.Expr:
    """The source column, with known values replaced (trimmed, case-insensitive match)."""
    col = pl.col(header)
    if not values:
        return col
    key = col.str.strip_chars().str.to_lowercase()
    return pl.when(key.is_in(list(values))).then(key.replace_strict(values, default=None)).otherwise(col)
