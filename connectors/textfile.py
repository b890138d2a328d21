"""Reading delimited text and JSON files the way exports really come.

Encodings: UTF-8 with or without BOM; UTF-16 with BOM (Excel "Unicode text", tab-delimited);
anything else that is not valid UTF-8 is read as cp1252 with a warning. Delimiters: ``,`` ``;``
tab ``|``, sniffed from the header line. Every CSV column is read as text; connectors cast.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import polars as pl

from connectors.base import SourceFile, Unreadable, sniff_delimiter


def decode(f: SourceFile) -> tuple[str, list[str]]:
    """The whole file as text, and warnings about its encoding."""
    data = f.path.read_bytes()
    if not data.strip():
        raise Unreadable(f"{f.name}: the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable(f"{f.name}: this is binary data, not a text export")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as e:
            raise Unreadable(f"{f.name}: broken UTF-16 text at byte {e.start}") from e
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        warning = (
            f"{f.name}: not valid UTF-8 (byte {e.start}); read as Windows-1252 — "
            "characters outside that code page may already have been lost by the exporter"
        )
        return data.decode("cp1252", errors="replace"), [warning]


def read_delimited(f: SourceFile, text: str | None = None) -> tuple[pl.DataFrame, list[str]]:
    """A delimited file → (all-text frame with a ``source_row`` column, warnings).

    ``source_row`` is the spreadsheet row number: the header is row 1, the first data row 2.
    """
    warnings: list[str] = []
    if text is None:
        text, warnings = decode(f)
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines:
        raise Unreadable(f"{f.name}: the file is empty")
    delim = sniff_delimiter(lines[0])
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            separator=delim,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as e:
        raise Unreadable(f"{f.name}: cannot be read as {delim!r}-delimited text ({e})") from e
    frame = frame.rename({c: c.strip() for c in frame.columns})
    if frame.height == 0:
        raise Unreadable(f"{f.name}: has a header but no data rows")
    return frame.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(pl.Int64)), warnings


def iter_json_records(f: SourceFile, text: str | None = None) -> Iterator[tuple[int, object]]:
    """(record number, value) for a JSON array, NDJSON, or concatenated JSON (``{..}{..}``).

    A JSON array yields its elements; a single object yields itself. Raises :class:`Unreadable`
    naming the line where the JSON breaks.
    """
    if text is None:
        text, _ = decode(f)
    text = text.lstrip("\ufeff")
    decoder = json.JSONDecoder()
    pos, n, number = 0, len(text), 0
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise Unreadable(f"{f.name}: broken JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
        if isinstance(value, list) and number == 0 and text[pos:].strip() == "":
            for item in value:
                number += 1
                yield number, item
            return
        number += 1
        yield number, value
