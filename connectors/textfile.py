"""Reading delimited text, Excel workbooks and JSON files the way exports really come.

Encodings: UTF-8 with or without BOM; UTF-16 LE/BE (Excel "Unicode Text": UTF-16 LE with a BOM,
tab-delimited) and UTF-32, by their BOM (UTF-16 also without one); anything else that is not valid
UTF-8 is read as cp1252 with a warning. Every encoding gives the same rows as the UTF-8 original.
Delimiters: ``,`` ``;`` tab ``|``, sniffed from the header line. Every CSV column is read as text; connectors cast.

Rows with more cells than the header lose nothing silently: with ``extra_cells=True`` (what
:func:`read_table` asks for) they keep their surplus in an ``_extra_cells`` column (a JSON array
of the surplus cells, up to the last non-empty one), which :func:`connectors.conform.conform`
quarantines; otherwise the surplus is dropped and a warning names the rows. Surplus cells that
are all empty (a trailing delimiter) carry no data and are ignored.

Excel (``.xlsx``): the first sheet, header in row 1, only the cells it holds (connectors/xlsx.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import polars as pl

from connectors.base import SourceFile, Unreadable, sniff_delimiter, text_encoding, too_deep
from connectors.xlsx import SheetTooLarge, sheet_rows, xlsx_text

__all__ = [
    "EXTRA",
    "decode",
    "iter_json_records",
    "read_delimited",
    "read_table",
    "read_xlsx",
    "xlsx_rows",
    "xlsx_text",
]


def decode(f: SourceFile) -> tuple[str, list[str]]:
    """The whole file as text (without its byte-order mark), and warnings about its encoding.

    UTF-32 and UTF-16 (LE/BE, by their mark or, for UTF-16, their zero bytes) and UTF-8 with or
    without a mark decode exactly (:func:`connectors.base.text_encoding`); other bytes that are not
    UTF-8 are read as Windows-1252 with a warning. NUL bytes in other text mean binary data."""
    data = f.path.read_bytes()
    if not data.strip():
        raise Unreadable(f"{f.name}: the file is empty")
    encoding, bom = text_encoding(data)
    if encoding != "utf-8":
        try:
            text = data[bom:].decode(encoding)
        except UnicodeDecodeError as e:
            raise Unreadable(f"{f.name}: broken {encoding.upper()} text at byte {e.start + bom}") from e
        if not text.strip():
            raise Unreadable(f"{f.name}: the file is empty")
        return text, []
    if b"\x00" in data[:4096]:
        raise Unreadable(f"{f.name}: this is binary data, not a text export")
    try:
        return data[bom:].decode("utf-8"), []
    except UnicodeDecodeError as e:
        warning = (
            f"{f.name}: not valid UTF-8 (byte {e.start + bom}); read as Windows-1252 — "
            "characters outside that code page may already have been lost by the exporter"
        )
        return data[bom:].decode("cp1252", errors="replace"), [warning]


EXTRA = "_extra_cells"


def read_table(f: SourceFile) -> tuple[pl.DataFrame, list[str]]:
    """A CSV/text or ``.xlsx`` file → (all-text frame with ``source_row``, warnings); rows with more
    cells than the header carry an ``_extra_cells`` column (present only when some row has one)."""
    if f.suffix == ".xlsx":
        return read_xlsx(f)
    return read_delimited(f, extra_cells=True)


def read_delimited(f: SourceFile, text: str | None = None, extra_cells: bool = False) -> tuple[pl.DataFrame, list[str]]:
    """A delimited file → (all-text frame with a ``source_row`` column, warnings).

    ``source_row`` is the spreadsheet row number: the header is row 1, the first data row 2.
    Rows with more cells than the header: see the module docstring (``extra_cells``).
    """
    warnings: list[str] = []
    if text is None:
        if f.suffix == ".xlsx":
            raise Unreadable(f"{f.name}: this layout is read from CSV only; save the sheet as CSV")
        text, warnings = decode(f)
    text = text.lstrip("\ufeff")
    if not text:
        raise Unreadable(f"{f.name}: the file is empty")
    delim = sniff_delimiter(re.match(r"[^\r\n]*", text).group())
    try:
        frame = pl.read_csv(text.encode(), separator=delim, infer_schema=False)
    except pl.exceptions.PolarsError as e:
        if "more fields than defined" not in str(e):
            raise Unreadable(f"{f.name}: cannot be read as {delim!r}-delimited text ({e})") from e
        frame = _read_ragged(f, text, delim)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    if frame.height == 0:
        raise Unreadable(f"{f.name}: has a header but no data rows")
    frame = frame.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(pl.Int64))
    if EXTRA in frame.columns and not extra_cells:
        ragged = frame.filter(pl.col(EXTRA).is_not_null())
        shown = ", ".join(str(r) for r in ragged["source_row"].head(10))
        more = f" and {ragged.height - 10} more" if ragged.height > 10 else ""
        warnings.append(
            f"{ragged.height} row(s) have more cells than the header; extra cells ignored (rows {shown}{more})"
        )
        frame = frame.drop(EXTRA)
    return frame, warnings


def _read_ragged(f: SourceFile, text: str, delim: str) -> pl.DataFrame:
    """What polars refuses (rows longer than the header), read with the csv module the way polars
    reads the rest: empty fields null, a blank line a row of nulls, duplicate headers renamed."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as e:
        raise Unreadable(f"{f.name}: cannot be read as {delim!r}-delimited text ({e})") from e
    header = _dedupe(rows[0]) if rows else []
    width = len(header)
    cells: list[list[str | None]] = []
    extra: list[str | None] = []
    for row in rows[1:]:
        values = [v if v != "" else None for v in row[:width]]
        cells.append(values + [None] * (width - len(values)))
        extra.append(_surplus(row[width:]))
    data = {h: [r[j] for r in cells] for j, h in enumerate(header)}
    frame = pl.DataFrame(data, schema={h: pl.String for h in header})
    if any(e is not None for e in extra):
        frame = frame.with_columns(pl.Series(EXTRA, extra, pl.String))
    return frame


def _dedupe(names: list[str]) -> list[str]:
    """Header names made unique the way polars does (``a``, ``a_duplicated_0``, …)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        if name in seen:
            out.append(f"{name}_duplicated_{seen[name]}")
            seen[name] += 1
        else:
            out.append(name)
            seen[name] = 0
    return out


def _surplus(cells: list[str | None]) -> str | None:
    """The surplus cells of a row as a JSON array up to the last non-empty one; None when all empty."""
    texts = ["" if c is None else c for c in cells]
    while texts and not texts[-1].strip():
        texts.pop()
    return json.dumps(texts, ensure_ascii=False) if texts else None


def read_xlsx(f: SourceFile) -> tuple[pl.DataFrame, list[str]]:
    """The first sheet of a workbook → (all-text frame, warnings); header = row 1, ``source_row`` =
    spreadsheet row number.

    Only the cells the sheet holds are read, within the extent caps of connectors/xlsx.py (a sheet
    past them is refused, naming the cell). Cells become text (:func:`xlsx_text`). Rows whose
    cells are all empty are skipped (they keep their numbers: the next row is still its
    spreadsheet row). A blank header cell inside the header is named ``column_<n>``; non-empty
    cells right of the last header cell go to ``_extra_cells``.
    """
    rows = xlsx_rows(f)
    if not rows or rows[0][0] != 1 or all(v is None for v in rows[0][1]):
        raise Unreadable(f"{f.name}: the first sheet has no header in row 1")
    header = list(rows[0][1])
    while header and header[-1] is None:
        header.pop()
    names = _dedupe([(h or "").strip() or f"column_{i + 1}" for i, h in enumerate(header)])
    width = len(names)
    numbers: list[int] = []
    cells: list[list[str | None]] = []
    extra: list[str | None] = []
    for number, row in rows[1:]:
        if all(v is None or not v.strip() for v in row):
            continue
        numbers.append(number)
        values = list(row[:width])
        cells.append(values + [None] * (width - len(values)))
        extra.append(_surplus(list(row[width:])))
    if not cells:
        raise Unreadable(f"{f.name}: has a header but no data rows")
    frame = pl.DataFrame({h: [r[j] for r in cells] for j, h in enumerate(names)}, schema={h: pl.String for h in names})
    if any(e is not None for e in extra):
        frame = frame.with_columns(pl.Series(EXTRA, extra, pl.String))
    return frame.with_columns(pl.Series("source_row", numbers, pl.Int64)), []


def xlsx_rows(f: SourceFile, max_row: int | None = None) -> list[tuple[int, list[str | None]]]:
    """(row number, text cells) of the rows of the first sheet holding a cell, up to ``max_row``
    (connectors/xlsx.py); :class:`Unreadable` naming the file for a damaged or oversized workbook."""
    try:
        return list(sheet_rows(f.path, max_row))
    except SheetTooLarge as e:
        raise Unreadable(f"{f.name}: {e}; refused") from e
    except Exception as e:  # openpyxl raises many types for a damaged or foreign file
        raise Unreadable(f"{f.name}: not a readable Excel workbook ({type(e).__name__}: {e})") from e


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
        except RecursionError as e:
            raise too_deep(f.name) from e
        if isinstance(value, list) and number == 0 and text[pos:].strip() == "":
            for item in value:
                number += 1
                yield number, item
            return
        number += 1
        yield number, value
