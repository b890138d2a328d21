"""Loads into the PostgreSQL store: COPY for the file's rows, ``INSERT … ON CONFLICT (key_h)`` for
the upsert, one transaction per file, and one advisory lock so two loads (two processes, two
machines) never interleave: the second waits for the first to commit, then sees its rows.

The rules are the DuckDB store's (store/write.py): a key not in the store is inserted; a stored
row with the same values, or a newer version stamp, is unchanged; otherwise the stored row moves
to ``<table>_history`` (``replaced_by`` = this ingest, so undo restores it) and the new one
replaces it. Within one file several rows with one key collapse to the newest. The ledger row
holds ``read = inserted + updated + unchanged + quarantined``; quarantined rows keep their reason.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable

import polars as pl

from store.parsed import REJECT_SCHEMA, Parsed
from store.pg.connection import LOAD_LOCK, PgConnection
from store.pg.derived import rebuild
from store.pg.dialect import to_postgres
from store.phones import normalize_pending_phones
from store.schema import TABLES, hash_sql, internal_columns
from store.upsert import Counts
from store.write import FileMeta, IngestResult


class HashCollision(Exception):
    """Two natural keys with one ``key_h``: refused, as on DuckDB (store/upsert.py)."""


class CountsRefused(Exception):
    """A file whose ledger counts do not add up (a connector bug): its transaction is rolled back."""


def _copy(con: PgConnection, table: str, frame: pl.DataFrame, staged: set[str]) -> None:
    """COPY ``frame`` (the table's columns and ``source_row``) into the temporary ``_incoming_<table>``
    (the parts of a file read in pieces are staged there, then written together)."""
    names = [*TABLES[table].names, "source_row"]
    if table not in staged:
        con.raw.execute(f"CREATE TEMP TABLE _incoming_{table} (LIKE {table}) ON COMMIT DROP")
        staged.add(table)
    with con.raw.cursor().copy(f"COPY _incoming_{table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in frame.select(names).iter_rows():
            copy.write_row(row)


def _upsert(con: PgConnection, table: str, ingest_id: int) -> Counts:
    """``_incoming`` into ``table`` (rules: the module docstring), returning the counts."""
    spec = TABLES[table]
    cols = spec.names
    hashes = {"key_h": hash_sql(spec.key), **{n: hash_sql(c) for n, c in spec.links.items()}}
    assigned = ", ".join(f"{name} = {to_postgres(sql)[0]}" for name, sql in hashes.items())
    con.raw.execute(f"ALTER TABLE _incoming_{table} RENAME TO _incoming")
    con.raw.execute(f"UPDATE _incoming SET {assigned}, ingest_id = %(i)s", {"i": ingest_id})
    total = con.raw.execute("SELECT count(*) FROM _incoming").fetchone()[0]
    v = spec.versioned_by
    order = f"{v} DESC NULLS LAST, source_row DESC" if v else "source_row DESC"
    row_new = f"ROW({', '.join('n.' + c for c in cols)})"
    row_kept = f"ROW({', '.join('k.' + c for c in cols)})"
    # Several rows with one key: the newest is kept; each other is updated or unchanged against it.
    con.raw.execute(
        f"CREATE TEMP TABLE _kept ON COMMIT DROP AS SELECT DISTINCT ON (key_h) * FROM _incoming ORDER BY key_h, {order}"
    )
    dup_changed, dup_same = con.raw.execute(
        f"SELECT count(*) FILTER (WHERE {row_new} IS DISTINCT FROM {row_kept}), "
        f"count(*) FILTER (WHERE {row_new} IS NOT DISTINCT FROM {row_kept}) "
        "FROM _incoming n JOIN _kept k USING (key_h) WHERE n.source_row <> k.source_row"
    ).fetchone()
    row_stored = f"ROW({', '.join('s.' + c for c in cols)})"
    row_k = f"ROW({', '.join('k.' + c for c in cols)})"
    # Older: the stored row has a stamp and the new one none or an earlier one (never null).
    older = f"s.{v} IS NOT NULL AND (k.{v} IS NULL OR k.{v} < s.{v})" if v else "false"
    changes = f"{row_k} IS DISTINCT FROM {row_stored} AND NOT ({older})"
    stored = ", ".join(c for c, _ in [*((c, None) for c in cols), ("ingest_id", None), ("source_row", None)])
    internal = ", ".join(n for n, _ in internal_columns(table))
    key_differs = " OR ".join(f"k.{c} IS DISTINCT FROM s.{c}" for c in spec.key)
    clash = con.raw.execute(f"SELECT count(*) FROM {table} s JOIN _kept k USING (key_h) WHERE {key_differs}")
    if clash.fetchone()[0]:
        raise HashCollision(f"{table}: two natural keys share one 64-bit key hash; the file was not loaded")
    # Stored rows this file leaves as they are: the file holds them too (undo of the load that wrote
    # them re-points them here instead of deleting them: store/undo.py).
    con.raw.execute(
        f"INSERT INTO holds (table_name, key_h, held_ingest, by_ingest, source_row, same) "
        f"SELECT '{table}', s.key_h, s.ingest_id, %(i)s, k.source_row, {row_k} IS NOT DISTINCT FROM {row_stored} "
        f"FROM {table} s JOIN _kept k USING (key_h) WHERE NOT ({changes})",
        {"i": ingest_id},
    )
    # The stored version of each changed row moves to history (undo brings it back).
    con.raw.execute(
        f"INSERT INTO {table}_history ({stored}, {internal}, replaced_by) "
        f"SELECT {', '.join('s.' + c for c in stored.split(', '))}, "
        f"{', '.join('s.' + c for c in internal.split(', '))}, %(i)s "
        f"FROM {table} s JOIN _kept k USING (key_h) WHERE {changes}",
        {"i": ingest_id},
    )
    every = [*cols, "ingest_id", "source_row", *(n for n, _ in internal_columns(table))]
    settable = ", ".join(f"{c} = excluded.{c}" for c in every if c != "key_h")
    excluded_row = f"ROW({', '.join('excluded.' + c for c in cols)})"
    target_row = f"ROW({', '.join(f'{table}.' + c for c in cols)})"
    newer = f"NOT ({table}.{v} IS NOT NULL AND (excluded.{v} IS NULL OR excluded.{v} < {table}.{v}))" if v else "true"
    written = con.raw.execute(
        f"INSERT INTO {table} ({', '.join(every)}) SELECT {', '.join(every)} FROM _kept "
        f"ON CONFLICT (key_h) DO UPDATE SET {settable} "
        f"WHERE {excluded_row} IS DISTINCT FROM {target_row} AND {newer} "
        "RETURNING (xmax = 0) AS inserted"
    ).fetchall()
    inserted = sum(1 for (new,) in written if new)
    updated = len(written) - inserted
    con.raw.execute("DROP TABLE _incoming; DROP TABLE _kept")
    kept = total - dup_changed - dup_same
    return Counts(inserted, updated + dup_changed, kept - inserted - updated + dup_same)


def apply(
    con: PgConnection,
    parts: Parsed | Iterable[Parsed],
    meta: FileMeta,
    also: Callable[[PgConnection, int], None] | None = None,
) -> IngestResult:
    """Write one file (read whole, or its parts) in one transaction, after every earlier load has
    committed (the advisory lock); the ledger row and the quarantine with it. Nothing is written
    when it fails. The derived tables are recomputed with it (store/pg/derived.py). ``also(con,
    ingest_id)`` runs inside the transaction before it commits, as on DuckDB (store/write.py)."""
    with con.raw.transaction():
        con.raw.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": LOAD_LOCK})
        ingest_id = con.raw.execute("SELECT nextval('ingest_seq')").fetchone()[0]
        parsed = _stage(con, [parts] if isinstance(parts, Parsed) else parts)
        counts = Counts()
        for table in parsed.staged:
            got = _upsert(con, table, ingest_id)
            if table == parsed.primary:
                counts = got
        rejects = pl.concat(parsed.rejects) if parsed.rejects else pl.DataFrame(schema=REJECT_SCHEMA)
        quarantined = rejects["source_row"].n_unique() if rejects.height else 0
        unchanged = counts.unchanged + parsed.rows_folded
        if counts.inserted + counts.updated + unchanged + quarantined != parsed.rows_read:
            raise CountsRefused(
                f"{meta.file_name}: {parsed.rows_read} rows read but {counts.inserted} inserted, {counts.updated} "
                f"updated, {unchanged} unchanged and {quarantined} quarantined; nothing was loaded"
            )
        if rejects.height:
            with con.raw.cursor().copy(
                "COPY quarantine (ingest_id, source_row, column_name, reason, raw, record_id) FROM STDIN"
            ) as copy:
                for row in rejects.select("source_row", "column_name", "reason", "raw", "record_id").iter_rows():
                    copy.write_row((ingest_id, *row))
        con.raw.execute(
            "INSERT INTO ingests (ingest_id, file_name, sha256, connector, timezone, recall_id, rows_read, "
            "rows_inserted, rows_updated, rows_unchanged, rows_quarantined, loaded_at, loaded_by, warnings, "
            "undone_at, group_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "now() AT TIME ZONE 'UTC', %s, %s, NULL, %s)",
            [
                ingest_id, meta.file_name, meta.digest(), meta.connector, meta.timezone, meta.recall_id,
                parsed.rows_read, counts.inserted, counts.updated, unchanged, quarantined,
                meta.loaded_by or getpass.getuser(), parsed.warnings, meta.group_id or ingest_id,
            ],
        )  # fmt: skip
        if "recalls" in parsed.staged:  # the same rule as store/write.py: a recall's country is news to all
            normalize_pending_phones(con)
        elif any("customer_phone_raw" in TABLES[t].names for t in parsed.staged):
            normalize_pending_phones(con, ingest_id)
        # Statistics now, not when autovacuum gets to it (up to a minute later): without them the
        # planner takes a just-loaded table for a few rows and picks nested loops over thousands.
        if parsed.staged:
            con.raw.execute("ANALYZE " + ", ".join(sorted(parsed.staged)))
        rebuild(con)
        con.raw.execute("ANALYZE contact_facts, notification_facts, customer_facts")
        if also is not None:
            also(con, ingest_id)
    return IngestResult(
        ingest_id,
        meta.file_name,
        meta.connector,
        parsed.rows_read,
        counts.inserted,
        counts.updated,
        unchanged,
        quarantined,
        parsed.warnings,
        rejects,
    )


class _Staged:
    """What the parts of one file add up to once their rows are staged."""

    def __init__(self) -> None:
        self.primary = ""
        self.rows_read = 0
        self.rows_folded = 0
        self.rejects: list[pl.DataFrame] = []
        self.warnings: list[str] = []
        self.staged: set[str] = set()


def _stage(con: PgConnection, parts: Iterable[Parsed]) -> _Staged:
    """COPY every part's rows (refreshed rows included) into the staging tables."""
    total = _Staged()
    for part in parts:
        total.primary = part.primary
        total.rows_read += part.rows_read
        total.rows_folded += part.rows_folded
        total.warnings += [w for w in part.warnings if w not in total.warnings]
        if part.rejects.height:
            total.rejects.append(part.rejects)
        for tables in (part.tables, part.refreshed):
            for table, frame in tables.items():
                if frame.height:
                    _copy(con, table, frame, total.staged)
    return total
