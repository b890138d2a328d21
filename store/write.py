"""Writing a parsed file into the store: one transaction per file, with the ledger.

For each canonical table, rows are matched to the store on the table's natural key:
- a key not in the store is **inserted**;
- a key whose stored row has the same values, or a version stamp (``updated_at``) while the new
  row has an earlier one or none, is **unchanged**;
- otherwise the row is **updated**: the stored version moves to ``<table>_history`` (so the
  upload can be undone) and the new one replaces it.
Within one file, several rows with one key collapse to the newest (by version stamp, then the
later row); each collapsed row counts as updated, or unchanged when identical to the one kept.
The ledger row holds ``read = inserted + updated + unchanged + quarantined`` for the file's
primary table; a file whose counts do not add up is refused (rolled back) as a connector bug.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

import duckdb
import polars as pl

from connectors.base import Parsed
from store import derived
from store.phones import normalize_pending_phones
from store.schema import TABLES


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


def apply(con: duckdb.DuckDBPyConnection, parsed: Parsed, meta: FileMeta) -> IngestResult:
    """Write ``parsed`` in one transaction; on any error the store is left as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        ingest_id = con.execute("SELECT nextval('ingest_seq')").fetchall()[0][0]
        counts = {t: _upsert(con, t, f, ingest_id) for t, f in parsed.tables.items()}
        primary = counts.get(parsed.primary, Counts())
        primary.unchanged += parsed.rows_folded
        loaded_rows = parsed.tables[parsed.primary]["source_row"] if parsed.primary in parsed.tables else None
        rejected = parsed.rejects["source_row"].unique()
        if loaded_rows is not None:
            rejected = rejected.filter(~rejected.is_in(loaded_rows.implode()))
        quarantined = rejected.len()
        total = primary.inserted + primary.updated + primary.unchanged + quarantined
        if total != parsed.rows_read:
            raise RuntimeError(
                f"{meta.file_name}: connector {meta.connector} accounted for {total} of {parsed.rows_read} rows"
            )
        if parsed.rejects.height:
            con.register("_rejects", parsed.rejects.with_columns(pl.lit(ingest_id).alias("ingest_id")))
            con.execute("INSERT INTO quarantine SELECT ingest_id, source_row, column_name, reason, raw FROM _rejects")
            con.unregister("_rejects")
        derived.touch_ingest(con, ingest_id)
        if "recalls" in parsed.tables or any("customer_phone_raw" in TABLES[t].names for t in parsed.tables):
            normalize_pending_phones(con)
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
                parsed.rows_read,
                primary.inserted,
                primary.updated,
                primary.unchanged,
                quarantined,
                meta.loaded_by or getpass.getuser(),
                parsed.warnings,
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
        parsed.rows_read,
        primary.inserted,
        primary.updated,
        primary.unchanged,
        quarantined,
        parsed.warnings,
        parsed.rejects,
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
    # Rank the rows of each key, newest first (skipped when every key is seen once: all rank 1).
    rank = (
        f"row_number() OVER (PARTITION BY {', '.join(spec.key)} ORDER BY {order})"
        if frame.select(spec.key).is_duplicated().any()
        else "1"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _stg AS SELECT *, {rank} AS _rn FROM _staged")
    con.unregister("_staged")
    dup_changed, dup_same = con.execute(
        f"SELECT count(*) FILTER ({row_a} IS DISTINCT FROM {row_b}), "
        f"count(*) FILTER ({row_a} IS NOT DISTINCT FROM {row_b}) "
        f"FROM _stg a JOIN _stg b ON {key_on} WHERE a._rn > 1 AND b._rn = 1"
    ).fetchall()[0]
    v = spec.versioned_by
    # An incoming row is older when the stored one has a version stamp and it has none or an earlier one.
    older = f"b.{v} IS NOT NULL AND (a.{v} IS NULL OR a.{v} < b.{v})" if v else "false"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _cmp AS SELECT a.*, "
        f"CASE WHEN b.{spec.key[0]} IS NULL THEN 'inserted' "
        f"WHEN {row_a} IS NOT DISTINCT FROM {row_b} OR coalesce({older}, false) THEN 'unchanged' "
        f"ELSE 'updated' END AS _action "
        f"FROM _stg a LEFT JOIN {table} b ON {key_on} WHERE a._rn = 1"
    )
    key_cmp = " AND ".join(f"t.{k} = u.{k}" for k in spec.key)
    con.execute(
        f"INSERT INTO {table}_history SELECT t.*, {ingest_id} FROM {table} t "
        f"JOIN _cmp u ON {key_cmp} WHERE u._action = 'updated'"
    )
    con.execute(f"DELETE FROM {table} t USING _cmp u WHERE {key_cmp} AND u._action = 'updated'")
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}, ingest_id, source_row) "
        f"SELECT {', '.join(cols)}, {ingest_id}, source_row FROM _cmp WHERE _action <> 'unchanged'"
    )
    by_action = dict(con.execute("SELECT _action, count(*) FROM _cmp GROUP BY ALL").fetchall())
    con.execute("DROP TABLE _stg; DROP TABLE _cmp")
    return Counts(
        inserted=by_action.get("inserted", 0),
        updated=by_action.get("updated", 0) + dup_changed,
        unchanged=by_action.get("unchanged", 0) + dup_same,
    )
