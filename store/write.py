"""Writing a parsed file into the store: one transaction per file, with the ledger.

For each canonical table, rows are matched to the store on the table's natural key:
- a key not in the store is **inserted**;
- a key whose stored row has the same values, or a version stamp (``updated_at``) while the new
  row has an earlier one or none, is **unchanged**;
- otherwise the row is **updated**: the stored version is marked replaced (``replaced_by``; it is
  then read as ``<table>_history``, so the upload can be undone) and the new one replaces it
  (store/versions.py).
Within one file, several rows with one key collapse to the newest (by version stamp, then the
later row); each collapsed row counts as updated, or unchanged when identical to the one kept.
A file read in parts gives the same counts and the same stored rows as the file read whole (its
parts are staged, then written together: see :func:`apply`).
The ledger row holds ``read = inserted + updated + unchanged + quarantined`` for the file's
primary table; a file whose counts do not add up is refused (rolled back) as a connector bug.
"""

from __future__ import annotations

import getpass
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from store import derived
from store.parsed import REJECT_SCHEMA, Parsed
from store.phones import normalize_pending_phones
from store.schema import TABLES
from store.upsert import Counts, upsert

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class FileMeta:
    file_name: str
    sha256: str | Future[str]  # or its computation, running beside the read (connectors/load.py)
    connector: str
    timezone: str
    recall_id: str | None = None
    loaded_by: str | None = None
    group_id: int | None = None  # the ledger group (one upload, one undo): an earlier ingest of the same archive

    def digest(self) -> str:
        """The file's SHA-256 (hex), waited for when it is still being computed."""
        return self.sha256 if isinstance(self.sha256, str) else self.sha256.result()


@dataclass
class IngestResult:
    ingest_id: int
    file_name: str
    connector: str
    read: int
    inserted: int
    updated: int
    unchanged: int
    quarantined: int
    warnings: list[str] = field(default_factory=list)
    rejects: pl.DataFrame | None = None


def apply(
    con: duckdb.DuckDBPyConnection,
    parsed: Parsed | Iterable[Parsed],
    meta: FileMeta,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> IngestResult:
    """Write ``parsed`` — one Parsed, or the parts of one file in order (a large file read in
    batches; the ledger counts them as one file) — in one transaction; on any error, including one
    raised while a later part is read, the store is left as it was.

    Parts are first written to staging files on disk (:class:`_Staging`), and the file is then
    written from them in one transaction: memory follows the part, not the file, and the file's
    rows meet each other and the store exactly as those of a file read whole.

    ``also(con, ingest_id)``, when given, runs inside the same transaction before it commits: a live
    reader saves its cursor there, so rows and cursor are written together or not at all."""
    if isinstance(parsed, Parsed):
        refreshed = {t: _registered(con, t, f, "_refreshed_") for t, f in parsed.refreshed.items() if f.height}
        return _write(
            con,
            parsed.primary,
            {t: _registered(con, t, f) for t, f in parsed.tables.items()},
            [parsed],
            meta,
            refreshed,
            also,
        )
    staging = _Staging(con)
    try:
        parts = []
        for part in parsed:
            for table, frame in part.tables.items():
                staging.add(table, frame)
            parts.append(_PartSummary.of(part))
        return _write(con, parts[0].primary if parts else "contacts", staging.relations, parts, meta, also=also)
    finally:
        staging.drop()


@dataclass
class _PartSummary:
    """What the ledger needs of a part once its rows are staged."""

    primary: str
    rows_read: int
    rows_folded: int
    quarantined: int
    rejects: pl.DataFrame
    warnings: list[str]

    @classmethod
    def of(cls, part: Parsed) -> _PartSummary:
        loaded_rows = part.tables[part.primary]["source_row"] if part.primary in part.tables else None
        rejected = part.rejects["source_row"].unique()
        if loaded_rows is not None:
            rejected = rejected.filter(~rejected.is_in(loaded_rows.implode()))
        return cls(part.primary, part.rows_read, part.rows_folded, rejected.len(), part.rejects, part.warnings)


class _Staging:
    """A file's parts as Parquet files in a temporary folder, one per part and table;
    ``relations[table]`` reads them back in part order. On disk rather than in temporary tables:
    staged rows held by DuckDB stay in its buffer pool (up to the memory limit) while the next parts
    are read, which set the peak memory of a large ingest."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.relations = con, {}
        self._files: dict[str, list[str]] = {}
        # Beside the store, where DuckDB spills too (its temp_directory, "<store>.tmp"): a /tmp on
        # tmpfs would hold the parts in memory again.
        spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] or ".tmp")
        try:
            self._folder = Path(tempfile.mkdtemp(prefix="recall-ops-staging-", dir=spill.parent.resolve()))
        except OSError as e:
            raise duckdb.IOException(f"staging the file's parts in {spill.parent}: {e}") from e

    def add(self, table: str, frame: pl.DataFrame) -> None:
        files = self._files.setdefault(table, [])
        path = self._folder / f"{table}-{len(files):06d}.parquet"
        try:
            frame.select([*TABLES[table].names, "source_row"]).write_parquet(path, compression="lz4", statistics=False)
        except (OSError, pl.exceptions.PolarsError) as e:  # disk full: a store I/O error (connectors/load.py)
            raise duckdb.IOException(f"staging a part in {self._folder}: {e}") from e
        files.append(str(path).replace("'", "''"))
        listed = ", ".join(f"'{f}'" for f in files)
        self.relations[table] = f"read_parquet([{listed}])"

    def drop(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


def _units(con: duckdb.DuckDBPyConnection, rows: str) -> dict[str, int]:
    """Units stored per recall named in the registry rows ``rows``."""
    return dict(
        con.execute(
            f"SELECT recall_id, count(*) FROM affected WHERE recall_id IN (SELECT DISTINCT recall_id FROM {rows}) "
            "GROUP BY ALL"
        ).fetchall()
    )


def _units_added(con: duckdb.DuckDBPyConnection, file_name: str, rows: str, before: dict[str, int]) -> list[str]:
    """A registry file that adds units to a recall that already had a registry says so: its units
    extend that registry (two lists of the same recall, or the sample's and yours), they do not
    replace it."""
    after = _units(con, rows)
    return [
        f"{file_name}: adds {after[r] - n:,} units to the {n:,} already in recall {r}'s registry (now {after[r]:,}); "
        "a registry file extends the recall's registry, it does not replace it"
        for r, n in sorted(before.items())
        if n and after.get(r, 0) > n
    ]


def _registered(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, prefix: str = "_frame_") -> str:
    name = f"{prefix}{table}"
    con.register(name, _arrow(frame.select([*TABLES[table].names, "source_row"])))
    return name


def _arrow(frame: pl.DataFrame) -> pa.Table:
    """``frame`` as Arrow without copying: polars' own string layout (Arrow string views), which
    DuckDB reads as VARCHAR; the default export copies every text column into plain Arrow strings."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _write(
    con: duckdb.DuckDBPyConnection,
    primary_table: str,
    relations: dict[str, str],
    parts: list,
    meta: FileMeta,
    refreshed: dict[str, str] | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> IngestResult:
    summaries = [p if isinstance(p, _PartSummary) else _PartSummary.of(p) for p in parts]
    refreshed = refreshed or {}
    con.execute("BEGIN TRANSACTION")
    try:
        ingest_id = con.execute("SELECT nextval('ingest_seq')").fetchall()[0][0]
        units_before = _units(con, relations["affected"]) if "affected" in relations else {}
        counts = {t: upsert(con, t, rows, ingest_id) for t, rows in relations.items()}
        for t, rows in refreshed.items():  # earlier files' records this file changes: not counted
            upsert(con, t, rows, ingest_id)
        primary = counts.get(primary_table, Counts())
        primary.unchanged += sum(p.rows_folded for p in summaries)
        rows_read = sum(p.rows_read for p in summaries)
        quarantined = sum(p.quarantined for p in summaries)
        warnings: list[str] = []
        for p in summaries:
            warnings += [w for w in p.warnings if w not in warnings]
        if units_before:
            warnings += _units_added(con, meta.file_name, relations["affected"], units_before)
        rejects = [p.rejects for p in summaries if p.rejects.height]
        for frame in rejects:
            con.register("_rejects", frame.with_columns(pl.lit(ingest_id).alias("ingest_id")))
            con.execute(
                "INSERT INTO quarantine (ingest_id, source_row, column_name, reason, raw, record_id) "
                "SELECT ingest_id, source_row, column_name, reason, raw, record_id FROM _rejects"
            )
            con.unregister("_rejects")
        total = primary.inserted + primary.updated + primary.unchanged + quarantined
        if total != rows_read:
            raise RuntimeError(
                f"{meta.file_name}: connector {meta.connector} accounted for {total} of {rows_read} rows"
            )
        derived.touch_ingest(con, ingest_id, [*relations, *refreshed])
        if "recalls" in relations:
            normalize_pending_phones(con)
        elif any("customer_phone_raw" in TABLES[t].names for t in [*relations, *refreshed]):
            normalize_pending_phones(con, ingest_id)
        derived.refresh(con)
        con.execute(
            "INSERT INTO ingests (ingest_id, file_name, sha256, connector, timezone, recall_id, rows_read, "
            "rows_inserted, rows_updated, rows_unchanged, rows_quarantined, loaded_at, loaded_by, warnings, undone_at, "
            "group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, NULL, ?)",
            [
                ingest_id,
                meta.file_name,
                meta.digest(),
                meta.connector,
                meta.timezone,
                meta.recall_id,
                rows_read,
                primary.inserted,
                primary.updated,
                primary.unchanged,
                quarantined,
                meta.loaded_by or getpass.getuser(),
                warnings,
                meta.group_id if meta.group_id is not None else ingest_id,
            ],
        )
        if also is not None:
            also(con, ingest_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in [*relations.values(), *refreshed.values()]:
            if name.startswith(("_frame_", "_refreshed_")):
                con.unregister(name)
    return IngestResult(
        ingest_id,
        meta.file_name,
        meta.connector,
        rows_read,
        primary.inserted,
        primary.updated,
        primary.unchanged,
        quarantined,
        warnings,
        pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA),
    )
