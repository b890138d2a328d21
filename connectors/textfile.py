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
    "MAX_JSON_RECORD_CHARS",
    "TooLong",
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


MAX_JSON_RECORD_CHARS = 1024 * 1024  # one record of a JSON array or stream, like a line of delimited text
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_SCALAR = re.compile(r"[^\s,\]}]*")
_BLANK = re.compile(r"[ \t\r\n]*")


class TooLong(str):
    """What :func:`iter_json_records` yields for a record longer than its cap instead of the record
    (which is never parsed): a short text naming the record, whose :attr:`reason` the connectors
    quarantine it under (a ``str``, so a connector that shows a non-object record shows this)."""

    reason: str

    def __new__(cls, reason: str, head: str) -> TooLong:
        self = super().__new__(cls, head)
        self.reason = reason
        return self


def _end(text: str, start: int) -> int | None:
    """Where the JSON value at ``start`` ends, found without building it (strings and brackets
    only: a broken value is found out when it is parsed); None when it never ends."""
    first = text[start]
    if first == '"':
        m = _STRING.match(text, start)
        return m.end() if m else None
    if first not in "[{":
        return _SCALAR.match(text, start).end()
    depth = 0
    for m in _TOKEN.finditer(text, start):
        c = m.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def _broken(f: SourceFile, text: str, pos: int, msg: str) -> Unreadable:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Unreadable(f"{f.name}: broken JSON at line {line}, column {column}: {msg}")


def iter_json_records(
    f: SourceFile, text: str | None = None, max_chars: int | None = MAX_JSON_RECORD_CHARS
) -> Iterator[tuple[int, object]]:
    """(record number, value) for a JSON array, NDJSON, or concatenated JSON (``{..}{..}``).

    A JSON array yields its elements; a single object yields itself. Raises :class:`Unreadable`
    naming the line where the JSON breaks.

    An element of an array, or a value of a stream of several, longer than ``max_chars``
    characters is not parsed (its end is found by a scan of strings and brackets): a
    :class:`TooLong` naming it takes its place, which the connectors quarantine. A file that is one
    single object is not capped here (vendors' page formats: their records are inside it).
    """
    if text is None:
        text, _ = decode(f)
    text = text.lstrip("\ufeff")
    decoder = json.JSONDecoder()
    n = len(text)

    def record(number: int, start: int, stop: int | None, cap: int | None) -> tuple[object, int]:
        """(the value at ``start``, where it ends), or a :class:`TooLong` when it is over ``cap``."""
        if cap is not None and stop is not None and stop - start > cap:
            line = text.count("\n", 0, start) + 1
            reason = (
                f"{f.name}: record {number} (line {line:,}) is {stop - start:,} characters, longer than the "
                f"{cap:,} a JSON record may have; not read"
            )
            return TooLong(reason, text[start : start + 200] + "…"), stop
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as e:
            raise Unreadable(f"{f.name}: broken JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
        except RecursionError as e:
            raise too_deep(f.name) from e
        except ValueError as e:  # e.g. an integer of more digits than Python converts
            raise _broken(f, text, start, str(e)) from e
        if stop is not None and end != stop:
            raise _broken(f, text, min(end, stop), f"record {number} is not one JSON value")
        return value, end

    pos = _BLANK.match(text, 0).end()
    if pos >= n:
        return
    if text[pos] == "[":  # an array: its elements are the records when nothing follows it
        spans, at = [], _BLANK.match(text, pos + 1).end()
        if at < n and text[at] == "]":
            close = at
        else:
            while True:
                if at >= n:
                    raise _broken(f, text, at, "the array never ends")
                stop = _end(text, at)
                if stop is None:  # parsing it says where and why it breaks
                    record(len(spans) + 1, at, None, None)
                    raise _broken(f, text, at, f"element {len(spans) + 1} never ends")
                spans.append((at, stop))
                at = _BLANK.match(text, stop).end()
                if at < n and text[at] == ",":
                    at = _BLANK.match(text, at + 1).end()
                    continue
                if at < n and text[at] == "]":
                    close = at
                    break
                raise _broken(f, text, at, "Expecting ',' delimiter")
        if _BLANK.match(text, close + 1).end() >= n:
            for number, (start, stop) in enumerate(spans, start=1):
                yield number, record(number, start, stop, max_chars)[0]
            return
    number = 0
    while True:
        pos = _BLANK.match(text, pos).end()
        if pos >= n:
            return
        number += 1
        stop = _end(text, pos)
        alone = number == 1 and (stop is None or _BLANK.match(text, stop).end() >= n)  # the whole file
        value, pos = record(number, pos, stop, None if alone else max_chars)
        yield number, value
