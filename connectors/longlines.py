"""Over-long lines and fields: quarantined with a reason instead of costing many times their size.

Parsing one line of delimited text costs several times its length in memory (the text, its bytes
for polars, the parsed column, the checks): a 100 MB line took 1.6 GB. So:

- **Lines.** Before a delimited text file is read, it is scanned for lines longer than
  ``MAX_LINE_BYTES`` (:func:`cap_lines`; a cheap scan: one search for a line break per
  half-limit window of the file, mapped from disk). Each such line is replaced, in a copy of the
  file, by one delimiter (or one quote, when the line holds an odd number of them, so quoted
  fields keep their shape); the record holding it is then quarantined as a whole, under its row
  number, column ``_line``, with the line's number and size and its first 200 characters
  (:func:`quarantine_cut_rows`). A header line over the limit makes the file unreadable.
- **Fields.** Any text value longer than ``MAX_FIELD_CHARS`` (Excel's own cell limit) quarantines
  its row in :func:`connectors.conform.conform` ("longer than 32,767 characters").

JSON and workbooks are not scanned for lines: a JSON export is often one line; their values are
capped by the field rule.
"""

from __future__ import annotations

import itertools
import mmap
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, SourceFile, Unreadable

MAX_LINE_BYTES = 1024 * 1024
MAX_FIELD_CHARS = 32_767
SHOWN_CHARS = 200
NOT_TEXT = (".xlsx", ".json", ".ndjson", ".jsonl", ".toml")
_COPIES = itertools.count()


@dataclass(frozen=True)
class CutLine:
    """A line replaced before reading: its 1-based line number, the row (``source_row``) of the
    record holding it, its size in bytes and its first characters."""

    line: int
    row: int
    size: int
    head: str


@dataclass
class CappedFile(SourceFile):
    """A :class:`SourceFile` read from a copy with over-long lines replaced (``cuts``);
    ``original`` is the file as given (its digest is the one the ledger records)."""

    original: Path | None = None
    cuts: list[CutLine] = field(default_factory=list)


def _is_delimited_text(f: SourceFile) -> bool:
    if f.suffix in NOT_TEXT:
        return False
    head = f.head(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False  # UTF-16 or binary: not scanned
    return not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def long_lines(path: Path, limit: int = MAX_LINE_BYTES) -> list[tuple[int, int]]:
    """(start, end) byte offsets of the lines longer than ``limit`` (end excludes the line break).
    A line over ``limit`` contains a whole window of ``limit // 2`` bytes aligned on that size, so
    only windows without a line break are looked at closely."""
    size = path.stat().st_size
    if size <= limit:
        return []
    found: list[tuple[int, int]] = []
    half = max(limit // 2, 1)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos = 0
        while pos < size:
            end = min(pos + half, size)
            if end - pos == half and mm.find(b"\n", pos, end) < 0:
                start = mm.rfind(b"\n", 0, pos) + 1
                stop = mm.find(b"\n", end)
                stop = size if stop < 0 else stop
                if stop - start > limit and (not found or found[-1][0] != start):
                    found.append((start, stop))
                pos = max(stop, end)
                continue
            pos = end
    return found


def cap_lines(f: SourceFile, tmp: Path) -> SourceFile:
    """``f`` itself when it has no line over ``MAX_LINE_BYTES`` (or is not delimited text), else a
    :class:`CappedFile` reading a copy in ``tmp`` with those lines replaced (module docstring)."""
    if not _is_delimited_text(f):
        return f
    spans = long_lines(f.path)
    if not spans:
        return f
    if spans[0][0] == 0:
        raise Unreadable(f"{f.name}: the header line is longer than {MAX_LINE_BYTES:,} bytes; not read")
    copy = tmp / f"capped_{next(_COPIES)}_{f.path.name}"
    cuts: list[CutLine] = []
    with open(f.path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        rows = _record_rows(mm, [s for s, _ in spans])
        with open(copy, "wb") as out:
            at = 0
            for (start, stop), (line, row) in zip(spans, rows, strict=True):
                _copy(mm, at, start, out)
                out.write(b'"' if _quotes(mm, start, stop) % 2 else b",")
                head = mm[start : start + SHOWN_CHARS * 4].decode("utf-8", errors="replace")[:SHOWN_CHARS]
                cuts.append(CutLine(line, row, stop - start, head))
                at = stop
            _copy(mm, at, len(mm), out)
    return CappedFile(f.name, copy, archive=f.archive, original=f.path, cuts=cuts)


BLOCK = 4 * 1024 * 1024


def _copy(mm: mmap.mmap, start: int, stop: int, out) -> None:
    for i in range(start, stop, BLOCK):
        out.write(mm[i : min(i + BLOCK, stop)])


def _quotes(mm: mmap.mmap, start: int, stop: int) -> int:
    """``"`` characters in ``mm[start:stop]``, counted a block at a time."""
    return sum(mm[i : min(i + BLOCK, stop)].count(b'"') for i in range(start, stop, BLOCK))


def _record_rows(mm: mmap.mmap, starts: list[int]) -> list[tuple[int, int]]:
    """(line number, row number) of the lines starting at ``starts`` (sorted): a record ends at a
    line break outside quotes; the header is row 1. Walks the lines before the last start."""
    out: list[tuple[int, int]] = []
    line, record, in_quote, pos = 1, 1, False, 0
    for start in starts:
        while pos < start:
            nl = mm.find(b"\n", pos, start)
            nl = start - 1 if nl < 0 else nl
            in_quote ^= _quotes(mm, pos, nl) % 2 == 1
            pos = nl + 1
            line += 1
            if not in_quote:
                record += 1
        out.append((line, record))
    return out


def digest_path(f: SourceFile) -> Path:
    """The file whose SHA-256 the ledger records: the original, not a capped copy."""
    return getattr(f, "original", None) or f.path


def quarantine_cut_rows(parsed: Parsed | Iterator[Parsed], f: SourceFile) -> Parsed | Iterator[Parsed]:
    """The connector's output for ``f`` with the records of cut lines (a :class:`CappedFile`) taken
    out of every table and quarantined with their reason; unchanged for any other file."""
    if not isinstance(f, CappedFile) or not f.cuts:
        return parsed
    if isinstance(parsed, Parsed):
        return _fix(parsed, f.cuts)
    return (_fix(part, f.cuts) for part in parsed)


def _fix(part: Parsed, cuts: list[CutLine]) -> Parsed:
    rows = [c.row for c in cuts]
    present = {int(r) for frame in part.tables.values() for r in frame["source_row"].to_list() if r in rows}
    present |= {int(r) for r in part.rejects["source_row"].to_list() if r in rows}
    mine = [c for c in cuts if c.row in present]
    if not mine:
        return part
    tables = {name: frame.filter(~pl.col("source_row").is_in(rows)) for name, frame in part.tables.items()}
    rejects = pl.concat(
        [
            part.rejects.filter(~pl.col("source_row").is_in(rows)),
            pl.DataFrame(
                {
                    "source_row": [c.row for c in mine],
                    "column_name": ["_line"] * len(mine),
                    "reason": [
                        f"line {c.line:,} is {c.size:,} bytes, longer than the {MAX_LINE_BYTES:,} a line may have; "
                        "its record was not read"
                        for c in mine
                    ],
                    "raw": [c.head + "…" for c in mine],
                    "record_id": [None] * len(mine),
                },
                schema=REJECT_SCHEMA,
            ),
        ]
    )
    return replace(part, tables=tables, rejects=rejects)
