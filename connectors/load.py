"""From paths on disk to rows in the store: expand, detect, read, write.

- Folders are walked (sorted; hidden files and READMEs skipped); ``.zip`` members and ``.gz``
  files are unpacked to a temporary folder first. A zip member whose path would escape
  (``../x``, absolute), a zip of more than ``MAX_MEMBERS`` members, or a member that expands more
  than ``MAX_RATIO`` times or beyond ``MAX_UNPACKED_BYTES`` is refused with a message.
- Recall definitions (TOML) load before the other files of one call, so later files get the
  recall's zone and country.
- Detection asks every registered connector; none, or more than one, makes the file
  unreadable with a message that names the candidates.
- A column mapping (store/mappings.py spec), when given, bypasses detection: every file but a
  recall TOML is read by connectors/mapped.py; the zone is ``tz``, else the mapping's, else the
  recall's.
- Each file is one transaction (store/write.py); an unreadable file changes nothing. A large
  file may be read in batches (connectors/batches.py), written as parts of that one transaction.
"""

from __future__ import annotations

import gzip
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType

import duckdb

from connectors import mapped
from connectors.base import Parsed, ReadContext, SourceFile, Unreadable, file_sha256, text_encoding
from connectors.batches import ReadWhole, read_ahead, reading_whole
from connectors.reading import read_file, recall_window
from connectors.redact import mask_text
from connectors.textfile import iter_json_records
from store.write import FileMeta, IngestResult, apply

MAX_MEMBERS = 10_000
MAX_RATIO = 200
MAX_UNPACKED_BYTES = 4 * 1024**3


@dataclass
class Failure:
    file_name: str
    message: str


def connectors() -> list[ModuleType]:
    from connectors import CONNECTORS

    return CONNECTORS


def detect(f: SourceFile) -> tuple[ModuleType, str]:
    """The one connector that claims ``f`` and its reason; :class:`Unreadable` otherwise."""
    if not f.head(4096).strip():
        raise Unreadable(f"{f.name}: the file is empty")
    hits = [(c, reason) for c in connectors() if (reason := c.detect(f))]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        binary = b"\x00" in f.head(4096) and text_encoding(f.head(4096))[0] == "utf-8"
        if binary and not (f.suffix == ".xlsx" and f.header()):
            raise Unreadable(f"{f.name}: binary data, not a text export (CSV, JSON, TOML, XLSX)")
        if f.head_text(64).lstrip().startswith(("{", "[")):
            list(iter_json_records(f))  # raises Unreadable naming the line when the JSON is broken
        texty = f.suffix == ".xlsx" or f.head_text(2048).isprintable() or "\n" in f.head_text(2048)
        cells = f.header()[:8] if texty else []
        header = ", ".join(cells)
        seen = f" (header: {header})" if header else ""
        if any(mask_text(c) != c for c in cells):  # a first line of emails or phones is data, not a header
            seen = " (its first line holds data, not column names: export it with its header row)"
        raise Unreadable(f"{f.name}: no connector recognises this file{seen}")
    names = "; ".join(f"{c.NAME}: {why}" for c, why in hits)
    raise Unreadable(f"{f.name}: more than one connector matches, refusing to guess ({names})")


@contextmanager
def expand(paths: Iterable[str | Path]) -> Iterator[list[SourceFile | Failure]]:
    """Every loadable file under ``paths``, zip members and gunzipped files included."""
    with tempfile.TemporaryDirectory(prefix="recall-ops-") as tmp:
        out: list[SourceFile | Failure] = []
        for p in map(Path, paths):
            files = sorted(x for x in p.rglob("*") if x.is_file() and not _skipped(x)) if p.is_dir() else [p]
            for f in files:
                out.extend(_unwrap(f, f.name, Path(tmp)))
        recall_first = sorted(out, key=lambda s: not (isinstance(s, SourceFile) and s.suffix == ".toml"))
        yield recall_first


def _skipped(path: Path) -> bool:
    """Files a folder walk passes over: hidden files and READMEs."""
    return path.name.startswith(".") or path.name.upper().startswith("README")


def _unwrap(path: Path, name: str, tmp: Path) -> list[SourceFile | Failure]:
    if not path.exists():
        return [Failure(name, f"{name}: no such file")]
    if path.suffix.lower() == ".gz":
        target = tmp / f"{len(list(tmp.iterdir()))}_{path.stem}"
        try:
            with gzip.open(path) as src, open(target, "wb") as dst:
                _copy_limited(src, dst, path.stat().st_size, name)
        except (OSError, EOFError, Unreadable) as e:
            return [Failure(name, str(e) if isinstance(e, Unreadable) else f"{name}: broken gzip ({e})")]
        return _unwrap(target, name[:-3], tmp)
    if path.suffix.lower() == ".zip":
        return _unzip(path, name, tmp)
    return [SourceFile(name, path)]


def _unzip(path: Path, name: str, tmp: Path) -> list[SourceFile | Failure]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        return [Failure(name, f"{name}: not a readable zip archive ({e})")]
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            return [Failure(name, f"{name}: {len(members)} members, more than the {MAX_MEMBERS} allowed")]
        out: list[SourceFile | Failure] = []
        for i, m in enumerate(members):
            label = f"{name}/{m.filename}"
            pure = PurePosixPath(m.filename.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts:
                out.append(Failure(label, f"{label}: member path escapes the archive; refused"))
                continue
            if PurePosixPath(m.filename).name.startswith(("__MACOSX", "._")) or "__MACOSX" in pure.parts:
                continue
            target = tmp / f"z{i}_{len(list(tmp.iterdir()))}_{pure.name}"
            try:
                with archive.open(m) as src, open(target, "wb") as dst:
                    _copy_limited(src, dst, m.compress_size, label)
            except Unreadable as e:
                out.append(Failure(label, str(e)))
                continue
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                out.append(Failure(label, f"{label}: broken zip member ({e})"))
                continue
            out.extend(_unwrap(target, label, tmp))
        return out


def _copy_limited(src, dst, packed_size: int, label: str) -> None:
    limit = min(MAX_UNPACKED_BYTES, max(packed_size, 1) * MAX_RATIO + 1_048_576)
    written = 0
    while chunk := src.read(1_048_576):
        written += len(chunk)
        if written > limit:
            raise Unreadable(f"{label}: expands more than {MAX_RATIO}× its packed size; refused as a zip bomb")
        dst.write(chunk)


def context(
    con: duckdb.DuckDBPyConnection, recall_id: str | None, tz: str | None, date_format: str | None = None
) -> ReadContext:
    """The upload's recall (named, else the only one defined), zone, phone country, day/month order
    for dates that do not decide it, and the recall's time window (connectors/reading.py)."""
    recalls = con.execute("SELECT recall_id, timezone, country FROM recalls ORDER BY recall_id").fetchall()
    chosen = [r for r in recalls if r[0] == recall_id] if recall_id else (recalls if len(recalls) == 1 else [])
    rid = recall_id or (chosen[0][0] if chosen else None)
    zone = tz or (chosen[0][1] if chosen else "UTC")
    countries = {r[2] for r in recalls if r[2]}
    country = chosen[0][2] if chosen and chosen[0][2] else (countries.pop() if len(countries) == 1 else None)
    return ReadContext(
        tz=zone,
        recall_id=rid,
        country=country,
        recall_explicit=recall_id is not None,
        date_format=date_format,
        window=recall_window(con, rid),
    )


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    f: SourceFile,
    recall_id: str | None = None,
    tz: str | None = None,
    loaded_by: str | None = None,
    mapping: dict | None = None,
    date_format: str | None = None,
) -> IngestResult:
    """Detect (or, with a ``mapping`` spec, use connectors.mapped), read and write one file.
    Raises :class:`Unreadable` (nothing written). A large file read in batches that turns out to
    need a whole-file read (connectors/batches.py) is rolled back and loaded again, read whole.
    ``date_format`` (``day_first``/``month_first``): the order of numeric dates whose values do not
    decide it (a mapping's own ``date_format`` otherwise)."""
    module, ctx = reader(con, f, recall_id, tz, mapping, date_format)

    def read() -> Parsed | Iterator[Parsed]:
        return read_file(module, f, ctx, mapping, con)

    meta = FileMeta(f.name, file_sha256(f.path), module.NAME, ctx.tz, ctx.recall_id, loaded_by)
    try:
        return apply(con, read_ahead(read()), meta)
    except ReadWhole:
        with reading_whole():
            return apply(con, read(), meta)


def reader(
    con: duckdb.DuckDBPyConnection,
    f: SourceFile,
    recall_id: str | None,
    tz: str | None,
    mapping: dict | None = None,
    date_format: str | None = None,
) -> tuple[ModuleType, ReadContext]:
    """The module that reads ``f`` (connectors.mapped with a mapping spec, else the one detected:
    :class:`Unreadable` when none) and its context; a mapping's saved zone and date format apply
    unless the upload names its own."""
    if mapping is not None and f.suffix != ".toml":
        return mapped, context(con, recall_id, tz or mapping.get("timezone"), date_format or mapping.get("date_format"))
    module, _reason = detect(f)
    return module, context(con, recall_id, tz, date_format)


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    recall_id: str | None = None,
    tz: str | None = None,
    loaded_by: str | None = None,
    mapping: dict | None = None,
    date_format: str | None = None,
) -> list[IngestResult | Failure]:
    """Load every file under ``paths``; one result or failure per file. ``mapping``: a column
    mapping spec that every file but a recall TOML is read with (no detection)."""
    results: list[IngestResult | Failure] = []
    with expand(paths) as files:
        for f in files:
            if isinstance(f, Failure):
                results.append(f)
                continue
            try:
                results.append(ingest_file(con, f, recall_id, tz, loaded_by, mapping, date_format))
            except Unreadable as e:
                results.append(Failure(f.name, str(e)))
    return results
