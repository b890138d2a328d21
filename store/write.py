"""Writing a parsed file into the store: one transaction per file, with the ledger.

For each canonical table, rows are matched to the store on the table's natural key:
- a key not in the store is **inserted**;
- a key whose stored row has the same values, or a version stamp (``updated_at``) while the new
  row has an earlier one or none, is **unchanged**;
- otherwise the row is **updated**: the stored version moves to ``<table>_history`` (so the
  upload can be undone) and the new one replaces it.
Within one file, several rows with one key collapse to the newest (by version stamp, then the
later row); each collapsed row counts as updated, or unchanged when identical to the one kept.
A file read in parts gives the same counts and the same stored rows: a later part's row meets the
earlier part's version as a stored row, by the same rule, and history keeps no version that the
file itself replaced.
The ledger row holds ``read = inserted + updated + unchanged + quarantined`` for the file's
primary table; a file whose counts do not add up is refused (rolled back) as a connector bug.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed
from store import derived
from store.phones import normalize_pending_phones
from store.schema import TABLES, hash_sql, internal_columns, key_hash_sql


@dataclass
class FileMeta:
    file_name: str
    sha256: str
    connector: str
    timezone: str
    recall_id: str | None = None
    loaded_by: str | None = None


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


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def apply(con: duckdb.DuckDBPyConnection, parsed: Parsed | Iterable[Parsed], meta: FileMeta) -> IngestResult:
    """Write ``parsed`` — one Parsed, or the parts of one file in order (a large file read in
    batches; the ledger counts them as one file) — in one transaction; on any error, including one
    raised while a later part is read, the store is left as it was."""
    parts = [parsed] if isinstance(parsed, Parsed) else parsed
    con.execute("BEGIN TRANSACTION")
    try:
        ingest_id = con.execute("SELECT nextval('ingest_seq')").fetchall()[0][0]
        primary, rows_read, quarantined = Counts(), 0, 0
        warnings: list[str] = []
        rejects: list[pl.DataFrame] = []
        touched: set[str] = set()
        for part in parts:
            counts = {t: _upsert(con, t, f, ingest_id) for t, f in part.tables.items()}
            touched |= set(part.tables)
            primary += counts.get(part.primary, Counts())
            primary.unchanged += part.rows_folded
            rows_read += part.rows_read
            loaded_rows = part.tables[part.primary]["source_row"] if part.primary in part.tables else None
            rejected = part.rejects["source_row"].unique()
            if loaded_rows is not None:
                rejected = rejected.filter(~rejected.is_in(loaded_rows.implode()))
            quarantined += rejected.len()
            warnings += [w for w in part.warnings if w not in warnings]
            if part.rejects.height:
                con.register("_rejects", part.rejects.with_columns(pl.lit(ingest_id).alias("ingest_id")))
                con.execute(
                    "INSERT INTO quarantine SELECT ingest_id, source_row, column_name, reason, raw FROM _rejects"
                )
                con.unregister("_rejects")
                rejects.append(part.rejects)
        total = primary.inserted + primary.updated + primary.unchanged + quarantined
        if total != rows_read:
            raise RuntimeError(
                f"{meta.file_name}: connector {meta.connector} accounted for {total} of {rows_read} rows"
            )
        derived.touch_ingest(con, ingest_id)
        if "recalls" in touched:
            normalize_pending_phones(con)
        elif any("customer_phone_raw" in TABLES[t].names for t in touched):
            normalize_pending_phones(con, ingest_id)
        derived.refresh(con)
        con.execute(
            "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, NULL)",
            [
                ingest_id,
                meta.file_name,
                meta.sha256,
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
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
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


def _upsert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, ingest_id: int) -> Counts:
    spec = TABLES[table]
    if frame.height == 0:
        return Counts()
    cols = spec.names
    key_on = " AND ".join(f"a.{k} = b.{k}" for k in spec.key)
    row_a = f"row({', '.join('a.' + c for c in cols)})"
    row_b = f"row({', '.join('b.' + c for c in cols)})"
    order = f"{spec.versioned_by} DESC NULLS LAST, source_row DESC" if spec.versioned_by else "source_row DESC"
    con.register("_staged", frame.select([*cols, "source_row"]))
    dup_changed = dup_same = 0
    if frame.select(spec.key).is_duplicated().any():
        # Rank the rows of each key, newest first; only the first is compared with the store.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _stg AS SELECT *, "
            f"row_number() OVER (PARTITION BY {', '.join(spec.key)} ORDER BY {order}) AS _rn FROM _staged"
        )
        dup_changed, dup_same = con.execute(
            f"SELECT count(*) FILTER ({row_a} IS DISTINCT FROM {row_b}), "
            f"count(*) FILTER ({row_a} IS NOT DISTINCT FROM {row_b}) "
            f"FROM _stg a JOIN _stg b ON {key_on} WHERE a._rn > 1 AND b._rn = 1"
        ).fetchall()[0]
        staged = "(SELECT * EXCLUDE (_rn) FROM _stg WHERE _rn = 1)"
    else:
        staged = "_staged"
    # Key hashes (and link hashes) once, in a narrow table; the incoming rows are a view joining
    # them back, so a large part is never copied before it is written.
    links = "".join(f", {hash_sql(columns)} AS {name}" for name, columns in spec.links.items())
    hashes = f"{key_hash_sql(table)} AS key_h{links}"
    internal = ", ".join(n for n, _ in internal_columns(table))
    if frame["source_row"].is_unique().all():
        con.execute(f"CREATE OR REPLACE TEMP TABLE _keys AS SELECT source_row, {hashes} FROM {staged}")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT s.*, {', '.join('k.' + n for n in internal.split(', '))} "
            f"FROM {staged} s JOIN _keys k USING (source_row)"
        )
    else:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT *, {hashes} FROM {staged}")
        con.execute("CREATE OR REPLACE TEMP TABLE _keys AS SELECT key_h FROM _incoming")
    # The stored rows with these keys, found through key_h (one narrow scan of the table, whatever
    # its size), then matched on the key itself below; rowid kept for the delete.
    derived.fetch_by_hash(con, "_old", table, "key_h", "_keys")
    _refuse_hash_collisions(con, table, key_on)
    if not con.execute("SELECT count(*) FROM _old").fetchall()[0][0]:  # only new keys: all inserted
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT {', '.join(cols)}, {ingest_id} AS ingest_id, source_row, {internal} "
            "FROM _incoming"
        )
        inserted = con.execute("SELECT count(*) FROM _keys").fetchall()[0][0]
        _drop_staging(con)
        return Counts(inserted=inserted, updated=dup_changed, unchanged=dup_same)
    v = spec.versioned_by
    # An incoming row is older when the stored one has a version stamp and it has none or an earlier one.
    older = f"b.{v} IS NOT NULL AND (a.{v} IS NULL OR a.{v} < b.{v})" if v else "false"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _cmp AS SELECT a.*, b._rid, b.ingest_id AS _old_ingest, "
        f"CASE WHEN b._rid IS NULL THEN 'inserted' "
        f"WHEN {row_a} IS NOT DISTINCT FROM {row_b} THEN 'unchanged' "
        # Older than a row this file wrote in an earlier part: collapsed into it (counted as updated).
        f"WHEN coalesce({older}, false) THEN CASE WHEN b.ingest_id = {ingest_id} THEN 'collapsed' ELSE 'unchanged' END "
        f"ELSE 'updated' END AS _action "
        f"FROM _incoming a LEFT JOIN _old b ON {key_on}"
    )
    # Replaced versions go to history, except one this same file wrote in an earlier part: a file
    # keeps one version per key, as if its rows had collapsed before writing.
    con.execute(
        f"INSERT INTO {table}_history BY NAME SELECT b.* EXCLUDE (_rid), {ingest_id} AS replaced_by FROM _old b "
        f"WHERE b.ingest_id IS DISTINCT FROM {ingest_id} "
        f"AND b._rid IN (SELECT _rid FROM _cmp WHERE _action = 'updated')"
    )
    con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT _rid FROM _cmp WHERE _action = 'updated')")
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT {', '.join(cols)}, {ingest_id} AS ingest_id, source_row, {internal} "
        "FROM _cmp WHERE _action IN ('inserted', 'updated')"
    )
    by_action = dict(con.execute("SELECT _action, count(*) FROM _cmp GROUP BY ALL").fetchall())
    con.execute("DROP TABLE _cmp")
    _drop_staging(con)
    return Counts(
        inserted=by_action.get("inserted", 0),
        updated=by_action.get("updated", 0) + by_action.get("collapsed", 0) + dup_changed,
        unchanged=by_action.get("unchanged", 0) + dup_same,
    )


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW _incoming; DROP TABLE _keys; DROP TABLE _old; DROP TABLE IF EXISTS _stg")
    con.unregister("_staged")


def _refuse_hash_collisions(con: duckdb.DuckDBPyConnection, table: str, key_on: str) -> None:
    """Two different keys with one ``key_h`` (in the file, or one in the file and one stored) stop
    the load: ``key_h`` must name one row (store/schema.py). With 64 bits this needs billions of
    rows to be likely; the check keeps it a guarantee rather than a probability."""
    clash = con.execute(
        f"SELECT (SELECT count(*) - count(DISTINCT key_h) FROM _keys) "
        f"+ (SELECT count(*) FROM _old b WHERE NOT EXISTS (SELECT 1 FROM _incoming a WHERE {key_on}))"
    ).fetchall()[0][0]
    if clash:
        raise RuntimeError(f"{table}: {clash} row(s) share a key hash with another key; nothing was loaded")
