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

from connectors.xlsx import sheet_rows
from store.parsed import REJECT_SCHEMA, Parsed, as_rejects

__all__ = [
    "REJECT_SCHEMA",
    "Parsed",
    "ReadContext",
    "SourceFile",
    "Unreadable",
    "as_rejects",
    "file_sha256",
    "norm_header",
    "sniff_delimiter",
]


class Unreadable(Exception):
    """The file as a whole cannot be loaded; the message says why (and where)."""


def too_deep(name: str) -> Unreadable:
    """The refusal for a file nested deeper than the parser can follow (a ``RecursionError``)."""
    return Unreadable(f"{name}: nested too deeply to read (JSON or TOML more than about a thousand levels deep)")


@dataclass
class Findings:
    """What reading a file noticed for the load's warnings, collected across its parts
    (connectors/load.py words them): rows whose phone number cannot be valid, and how each
    date column's day/month order was decided (connectors/values.py, :func:`date_order`)."""

    invalid_phone_rows: set[int] = field(default_factory=set)
    # column → (order read: "day_first"/"month_first", decided by the values rather than chosen)
    date_orders: dict[str, tuple[str, bool]] = field(default_factory=dict)
    ambiguous_dates: dict[str, str] = field(default_factory=dict)  # column → an example value


@dataclass
class ReadContext:
    """What the upload says about a file: the zone for offset-less times, the recall it belongs
    to (named at upload: ``recall_explicit``; else the only recall defined), the country for
    national phone numbers, and the day/month order of numeric dates whose values do not decide
    it (``date_format``: ``day_first``, ``month_first``, or None = month first, with a warning).
    ``window`` is the recall's plausible time span for the out-of-window warning."""

    tz: str = "UTC"
    recall_id: str | None = None
    country: str | None = None
    recall_explicit: bool = False
    date_format: str | None = None
    window: tuple | None = None  # (earliest, latest) naive UTC datetimes, or None
    findings: Findings = field(default_factory=Findings)


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
        """The first ``n`` bytes decoded, for detection only: by the byte-order mark (UTF-32, UTF-16,
        UTF-8: :func:`text_encoding`), else UTF-8, else Windows-1252; lenient (a character cut at the
        end, or a byte that does not decode, becomes U+FFFD); never starts with a BOM."""
        data = self.head(n)
        encoding, bom = text_encoding(data)
        if encoding != "utf-8":
            unit = 4 if encoding.startswith("utf-32") else 2
            body = data[bom:]
            return body[: len(body) - len(body) % unit].decode(encoding, errors="replace")
        try:
            return data[bom:].decode("utf-8")
        except UnicodeDecodeError as e:
            if len(data) == n and e.start >= len(data) - 3:  # cut inside a character
                return data[bom : e.start].decode("utf-8")
        return data[bom:].decode("cp1252", errors="replace")

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
    try:
        rows = list(sheet_rows(path, max_row=1))
    except Exception:  # detection never raises: a damaged or oversized workbook has no header
        return []
    cells = [(c or "").strip() for c in rows[0][1]] if rows else []
    while cells and not cells[-1]:
        cells.pop()
    return cells


BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def text_encoding(data: bytes) -> tuple[str, int]:
    """(codec, length of the byte-order mark) of text starting with ``data``.

    By the byte-order mark: UTF-32 BE/LE, UTF-8, UTF-16 LE/BE (Excel's "Unicode Text" is UTF-16 LE
    with a mark, tab-delimited). Without one, UTF-16 is recognised by its zero bytes (text in a
    Latin script has a zero in every other byte: at odd offsets for LE, even for BE). Anything else
    is ``("utf-8", 0)``: the caller falls back to Windows-1252 when it does not decode."""
    for mark, codec in BOMS:
        if data.startswith(mark):
            return codec, len(mark)
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) >= 8:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if odd >= 0.3 * half and even == 0:
            return "utf-16-le", 0
        if even >= 0.3 * half and odd == 0:
            return "utf-16-be", 0
    return "utf-8", 0


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
