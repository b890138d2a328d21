"""The connector contract.

A connector is one module with three names, registered in ``connectors.CONNECTORS``:

``NAME: str``
    Stable id, recorded in the ingest ledger (``zendesk_csv``, ``canonical_contacts``…).

``detect(f: SourceFile) -> str | None``
    Return a one-line reason when this connector can read ``f`` ("header has Ticket ID, Via,
    Requester email"), else None. Look only at ``f.head_text()`` / ``f.header()`` / the name;
    never raise. Two connectors must not both claim a file: the loader refuses to guess.

``read(f: SourceFile, ctx: ReadContext) -> Parsed | Iterator[Parsed]``
    Turn the whole file into canonical frames: one Parsed, or (a large file read in batches,
    connectors/batches.py) an iterator of Parsed parts in file order, written as one file.
    Columns are canonical names (any subset; text values are parsed by
    :func:`connectors.conform.conform`); each frame carries ``source_row`` (1-based data row, or
    record number) so that rejects and lineage point at the input. Raise :class:`Unreadable`
    with a message naming what is wrong when the file as a whole cannot be used; rows that
    cannot be used go to ``Parsed.rejects`` instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

REJECT_SCHEMA = {
    "source_row": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}


class Unreadable(Exception):
    """The file as a whole cannot be loaded; the message says why (and where)."""


def too_deep(name: str) -> Unreadable:
    """The refusal for a file nested deeper than the parser can follow (a ``RecursionError``)."""
    return Unreadable(f"{name}: nested too deeply to read (JSON or TOML more than about a thousand levels deep)")


@dataclass
class ReadContext:
    """What the upload says about a file: the zone for offset-less times, the recall it belongs
    to (named at upload: ``recall_explicit``; else the only recall defined), and the country for
    national phone numbers."""

    tz: str = "UTC"
    recall_id: str | None = None
    country: str | None = None
    recall_explicit: bool = False


@dataclass
class Parsed:
    """What a connector read. ``primary`` is the table whose records the ledger counts and
    ``rows_read`` the number of input records: each is a row of ``tables[primary]`` (several rows
    with one natural key are allowed; the newest wins), is counted in ``rows_folded``, or has an
    entry in ``rejects``."""

    primary: str
    tables: dict[str, pl.DataFrame]
    rows_read: int
    rows_folded: int = 0  # input records merged into another (child call legs); ledger: unchanged
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourceFile:
    """A file to load: its display name (zip members as ``archive.zip/member``) and its bytes
    on disk."""

    name: str
    path: Path
    _head: bytes | None = None
    _xlsx_header: list[str] | None = None
    archive: str | None = None  # the top-level archive it came out of (unique within one expand), else None

    def head(self, n: int = 65_536) -> bytes:
        if self._head is None or len(self._head) < n:
            with open(self.path, "rb") as fh:
                self._head = fh.read(n)
        return self._head[:n]

    def head_text(self, n: int = 65_536) -> str:
        """The first ``n`` bytes decoded (BOM-aware, lenient); for detection only."""
        data = self.head(n)
        for enc in ("utf-8-sig", "utf-16"):
            if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                if enc == "utf-8-sig" and len(data) == n:  # cut inside a character
                    return data[:-3].decode(enc, errors="replace")
        return data.decode("cp1252", errors="replace")

    def header(self) -> list[str]:
        """The first line split as a delimited header (empty when it does not look like one); for an
        ``.xlsx`` workbook, row 1 of its first sheet (only that row is read; empty when unreadable)."""
        if self.suffix == ".xlsx":
            if self._xlsx_header is None:
                self._xlsx_header = _read_xlsx_header(self.path)
            return list(self._xlsx_header)
        text = self.head_text().lstrip("\ufeff")
        first = text.splitlines()[0] if text.strip() else ""
        if not first or first.lstrip().startswith(("{", "[")):
            return []
        delim = sniff_delimiter(first)
        return [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=delim))]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def _read_xlsx_header(path: Path) -> list[str]:
    """Row 1 of the first sheet, stripped, without trailing empty cells; [] when unreadable."""
    from connectors.xlsx import sheet_rows  # imports openpyxl: only when a workbook is met

    try:
        rows = list(sheet_rows(path, max_row=1))
    except Exception:  # detection never raises: a damaged or oversized workbook has no header
        return []
    cells = [(c or "").strip() for c in rows[0][1]] if rows else []
    while cells and not cells[-1]:
        cells.pop()
    return cells


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (never the whole file in memory)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,`` ``;`` tab ``|`` outside quotes in the header line."""
    counts: dict[str, int] = {}
    in_quote = False
    for ch in header_line:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in ",;\t|":
            counts[ch] = counts.get(ch, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ","


def norm_header(name: str) -> str:
    """Header comparison key: case-insensitive; spaces, underscores and hyphens alike."""
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").replace("_", " ").split())
