"""Reading a large delimited file in batches, so that memory follows the batch, not the file.

A file of at least ``MIN_BYTES`` that is plain UTF-8 (no BOM, no NUL in its head) is read in
pieces of about ``CHUNK_BYTES`` bytes, each ending at a line break outside quotes, and each
parsed by polars exactly as :func:`connectors.textfile.read_delimited`
reads a whole file: all text, headers stripped, ``source_row`` = spreadsheet row number (header
row 1), empty fields null. Smaller files, other encodings and the cases below are read whole.

What a batch reader cannot do in the middle of a file — quarantine a row with more cells than the
header, or fall back to Windows-1252 after invalid UTF-8 — it signals with :class:`ReadWhole`;
``connectors.load`` then rolls the file back and reads it again whole (:func:`reading_whole`), so
the outcome is the same as for a small file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from connectors.base import Parsed, SourceFile, Unreadable, sniff_delimiter

MIN_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 64 * 1024 * 1024
_WHOLE: ContextVar[bool] = ContextVar("read_whole", default=False)


class ReadWhole(Exception):
    """A batched read met something only a whole-file read handles; read the file again whole."""


@contextmanager
def reading_whole() -> Iterator[None]:
    """Within this block every file is read whole."""
    token = _WHOLE.set(True)
    try:
        yield
    finally:
        _WHOLE.reset(token)


def whole_requested() -> bool:
    """True inside :func:`reading_whole`: readers must not read in batches."""
    return _WHOLE.get()


def batched(f: SourceFile) -> bool:
    """True when ``f`` is read in batches (large, plain UTF-8 text; see the module docstring)."""
    if _WHOLE.get() or f.suffix in (".xlsx", ".json", ".ndjson", ".jsonl", ".toml", ".gz", ".zip"):
        return False
    try:
        if f.path.stat().st_size < MIN_BYTES:
            return False
    except OSError:
        return False
    head = f.head()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        return False
    try:
        head[: max(0, len(head) - 4)].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def delimited_batches(f: SourceFile, chunk_bytes: int | None = None) -> Iterator[pl.DataFrame]:
    """All-text frames with ``source_row``, one per piece of about ``chunk_bytes`` (default
    ``CHUNK_BYTES``) of the file, in file order (see the module docstring). The file is read with
    plain reads, piece by piece: memory holds one piece, never a map of the whole file."""
    first = f.head().split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    delim = sniff_delimiter(first)
    offset = 2
    try:
        for header, piece in _pieces(f.path, chunk_bytes or CHUNK_BYTES):
            frame = pl.read_csv(header + piece, separator=delim, infer_schema=False)
            frame = frame.rename({c: c.strip() for c in frame.columns})
            yield frame.with_row_index("source_row", offset=offset).with_columns(pl.col("source_row").cast(pl.Int64))
            offset += frame.height
    except pl.exceptions.PolarsError as e:
        text = str(e)
        if "more fields than defined" in text or "utf-8" in text.lower():
            raise ReadWhole(text) from e
        raise Unreadable(f"{f.name}: cannot be read as {delim!r}-delimited text ({e})") from e
    if offset == 2:
        raise Unreadable(f"{f.name}: has a header but no data rows")


def _pieces(path: Path, size: int) -> Iterator[tuple[bytes, bytes]]:
    """(header line, data) pieces of about ``size`` bytes, each ending at a line break outside
    quotes (a quoted field may hold line breaks; a doubled quote keeps the count even)."""
    with open(path, "rb") as fh:
        header = fh.readline()
        carry = b""
        while block := fh.read(size):
            data = carry + block
            cut = _last_break_outside_quotes(data)
            if cut < 0:
                carry = data
                continue
            yield header, data[: cut + 1]
            carry = data[cut + 1 :]
        if carry.strip():
            yield header, carry


def _last_break_outside_quotes(data: bytes) -> int:
    """Index of the last ``\\n`` in ``data`` preceded by an even number of ``"``, or -1."""
    after = 0  # quotes after the candidate line break
    i = data.rfind(b"\n")
    end = len(data)
    total = data.count(b'"')
    while i >= 0:
        after += data.count(b'"', i, end)
        end = i
        if (total - after) % 2 == 0:
            return i
        i = data.rfind(b"\n", 0, i)
    return -1


def read_joined(read: Callable[[], Parsed | Iterator[Parsed]]) -> Parsed:
    """Run ``read`` (a connector's read of one file) and join its parts, reading again whole
    when a batched read signals :class:`ReadWhole`."""
    try:
        return joined(read())
    except ReadWhole:
        with reading_whole():
            return joined(read())


def joined(parsed: Parsed | Iterator[Parsed]) -> Parsed:
    """One Parsed from a file's parts (tables concatenated, counts summed): what a whole read gives."""
    if isinstance(parsed, Parsed):
        return parsed
    parts = list(parsed)
    tables: dict[str, list[pl.DataFrame]] = {}
    for part in parts:
        for name, frame in part.tables.items():
            tables.setdefault(name, []).append(frame)
    warnings: list[str] = []
    for part in parts:
        warnings += [w for w in part.warnings if w not in warnings]
    return Parsed(
        parts[0].primary,
        {name: pl.concat(frames) for name, frames in tables.items()},
        rows_read=sum(p.rows_read for p in parts),
        rows_folded=sum(p.rows_folded for p in parts),
        rejects=pl.concat([p.rejects for p in parts]),
        warnings=warnings,
    )


@dataclass
class Summary:
    """What reading a file gave, without keeping it: the primary table's first rows and counts
    (``would_quarantine``: rejected rows that load no row, as the ledger counts them)."""

    primary: str
    head: pl.DataFrame
    rows_read: int
    rows_loaded: int
    would_quarantine: int
    rejects: pl.DataFrame
    warnings: list[str]


def summarize(read: Callable[[], Parsed | Iterator[Parsed]], head_rows: int) -> Summary:
    """Run ``read`` (a connector's read of one file) and fold its parts into a :class:`Summary`;
    a batched read that signals :class:`ReadWhole` is run again whole."""
    try:
        return _fold(read(), head_rows)
    except ReadWhole:
        with reading_whole():
            return _fold(read(), head_rows)


def _fold(parsed: Parsed | Iterator[Parsed], head_rows: int) -> Summary:
    out: Summary | None = None
    rejects: list[pl.DataFrame] = []
    for part in [parsed] if isinstance(parsed, Parsed) else parsed:
        empty = pl.DataFrame({"source_row": []}, schema={"source_row": pl.Int64})
        frame = part.tables.get(part.primary, empty)
        rejected = part.rejects["source_row"].unique()
        rejected = rejected.filter(~rejected.is_in(frame["source_row"].implode()))
        if out is None:
            out = Summary(part.primary, frame.head(head_rows), 0, 0, 0, part.rejects.clear(), [])
        out.rows_read += part.rows_read
        out.rows_loaded += frame.height
        out.would_quarantine += rejected.len()
        out.warnings += [w for w in part.warnings if w not in out.warnings]
        rejects.append(part.rejects)
    if out is None:
        raise Unreadable("the file has no data")
    out.rejects = pl.concat(rejects)
    return out


def read_ahead(parsed: Parsed | Iterator[Parsed]) -> Parsed | Iterator[Parsed]:
    """The parts of a file, each next one read on a thread while the caller writes the current
    one (reading and writing then share the cores); a reader's exception is raised in the caller,
    in order. One Parsed passes through."""
    if isinstance(parsed, Parsed):
        return parsed
    return _ahead(parsed)


def _ahead(parts: Iterator[Parsed]) -> Iterator[Parsed]:
    done = object()
    with ThreadPoolExecutor(max_workers=1) as pool:
        context = copy_context()
        pending = pool.submit(context.run, next, parts, done)
        while True:
            part = pending.result()
            if part is done:
                return
            pending = pool.submit(context.run, next, parts, done)
            yield part
