"""From paths on disk to rows in the store: expand, detect, read, write.

- Folders are walked (sorted; hidden files and READMEs skipped); ``.zip`` members and ``.gz``
  files are unpacked to a temporary folder first, within the caps of connectors/archives.py
  (members, bytes, ratio and nesting depth per top-level file; a file passing one is refused
  whole, with a message naming the cap).
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

import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import duckdb

from connectors import mapped
from connectors.archives import CLI_LIMITS, ArchiveLimits, Failure, unpack
from connectors.base import Parsed, ReadContext, SourceFile, Unreadable, file_sha256, text_encoding, too_deep
from connectors.batches import ReadWhole, read_ahead, reading_whole
from connectors.longlines import cap_lines, digest_path, quarantine_cut_rows
from connectors.reading import read_file, recall_window
from connectors.redact import mask_text
from connectors.textfile import iter_json_records, xlsx_rows
from store.db import STORE_IO_ERRORS
from store.write import FileMeta, IngestResult
from store.writer import writer

__all__ = ["ArchiveLimits", "Failure", "detect", "expand", "expand_into", "ingest_file", "ingest_paths"]


RECALL_CONNECTOR = "recall_toml"


def refused_recall(name: str) -> str:
    return f"{name}: a recall definition; only admins may load or change recalls (Settings page). Not loaded."


def connectors() -> list[ModuleType]:
    from connectors import CONNECTORS

    return CONNECTORS


def detect(f: SourceFile) -> tuple[ModuleType, str]:
    """The one connector that claims ``f`` and its reason; :class:`Unreadable` otherwise."""
    if not f.head(4096).strip():
        raise Unreadable(f"{f.name}: the file is empty")
    try:
        hits = [(c, reason) for c in connectors() if (reason := c.detect(f))]
    except RecursionError as e:
        raise too_deep(f.name) from e
    if len(hits) == 1:
        return hits[0]
    if not hits:
        binary = b"\x00" in f.head(4096) and text_encoding(f.head(4096))[0] == "utf-8"
        if f.suffix == ".xlsx" and not f.header():
            xlsx_rows(f, max_row=1)  # raises Unreadable saying why the workbook cannot be read
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
def expand(paths: Iterable[str | Path], limits: ArchiveLimits = CLI_LIMITS) -> Iterator[list[SourceFile | Failure]]:
    """Every loadable file under ``paths``, zip members and gunzipped files included, in a
    temporary folder that is deleted when the block ends."""
    with tempfile.TemporaryDirectory(prefix="recall-ops-") as tmp:
        yield expand_into(paths, Path(tmp), limits)


def expand_into(
    paths: Iterable[str | Path], folder: Path, limits: ArchiveLimits = CLI_LIMITS
) -> list[SourceFile | Failure]:
    """:func:`expand` into ``folder``, which the caller keeps (and deletes) as long as it needs the
    files; recall definitions (TOML) first. Each top-level file has its own archive budget."""
    out: list[SourceFile | Failure] = []
    for p in map(Path, paths):
        files = sorted(x for x in p.rglob("*") if x.is_file() and not _skipped(x)) if p.is_dir() else [p]
        for f in files:
            for item in unpack(f, folder, limits):
                try:
                    out.append(cap_lines(item, folder) if isinstance(item, SourceFile) else item)
                except Unreadable as e:
                    out.append(Failure(item.name, str(e)))
    return sorted(out, key=lambda s: not (isinstance(s, SourceFile) and s.suffix == ".toml"))


def _skipped(path: Path) -> bool:
    """Files a folder walk passes over: hidden files and READMEs."""
    return path.name.startswith(".") or path.name.upper().startswith("README")


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
    recalls_allowed: bool = True,
    group_id: int | None = None,
    date_format: str | None = None,
) -> IngestResult:
    """Detect (or, with a ``mapping`` spec, use connectors.mapped), read and write one file.
    Raises :class:`Unreadable` (nothing written), also for a recall definition when
    ``recalls_allowed`` is false (an analyst's upload: recalls are the admins'). A large file read
    in batches that turns out to need a whole-file read (connectors/batches.py) is rolled back and
    loaded again, read whole. ``date_format`` (``day_first``/``month_first``): the order of numeric
    dates whose values do not decide it (a mapping's own ``date_format`` otherwise)."""
    module, ctx = reader(con, f, recall_id, tz, mapping, date_format)
    if module.NAME == RECALL_CONNECTOR and not recalls_allowed:
        raise Unreadable(refused_recall(f.name))

    def read() -> Parsed | Iterator[Parsed]:
        return quarantine_cut_rows(read_file(module, f, ctx, mapping, con), f)

    # The ledger's SHA-256 of the file is computed beside the read (hashing releases the GIL), not
    # before it: a whole pass over the file that the read need not wait for.
    with ThreadPoolExecutor(1, thread_name_prefix="recall-ops-sha256") as digests:
        sha256 = digests.submit(file_sha256, digest_path(f))
        meta = FileMeta(f.name, sha256, module.NAME, ctx.tz, ctx.recall_id, loaded_by, group_id)
        try:
            try:
                return writer(con)(con, read_ahead(read()), meta)
            except ReadWhole:
                with reading_whole():
                    return writer(con)(con, read(), meta)
        except RecursionError as e:  # any reader: a file nested too deeply is unreadable, never a crash
            raise too_deep(f.name) from e


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
    mapping spec that every file but a recall TOML is read with (no detection). When the store
    cannot be written (a full disk, a read-only or damaged file) the file in hand is rolled back
    and the rest are reported as not loaded."""
    results: list[IngestResult | Failure] = []
    groups = LedgerGroups()
    broken: str | None = None  # the store could not be written: the rest is not tried
    with expand(paths) as files:
        for f in files:
            if isinstance(f, Failure):
                results.append(f)
                continue
            if broken:
                results.append(
                    Failure(f.name, f"{f.name}: not loaded, the store could not be read or written ({broken})")
                )
                continue
            try:
                results.append(
                    groups.noted(
                        f,
                        ingest_file(
                            con, f, recall_id, tz, loaded_by, mapping, group_id=groups.of(f), date_format=date_format
                        ),
                    )
                )
            except Unreadable as e:
                results.append(Failure(f.name, str(e)))
            except STORE_IO_ERRORS as e:  # disk full, file system gone read-only, damaged file
                broken = str(e).splitlines()[0]
                results.append(
                    Failure(
                        f.name,
                        f"{f.name}: not loaded, the store could not be read or written ({broken}); this file's "
                        "changes were rolled back, the files loaded before it stay",
                    )  # fmt: skip
                )
    return results


class LedgerGroups:
    """The ledger group of each file of one load: the files of one archive share the group of the
    first of them loaded (``ingests.group_id``: one upload, one undo); any other file is its own."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def of(self, f: SourceFile) -> int | None:
        return self._ids.get(f.archive) if f.archive else None

    def noted(self, f: SourceFile, result: IngestResult) -> IngestResult:
        if f.archive:
            self._ids.setdefault(f.archive, result.ingest_id)
        return result
