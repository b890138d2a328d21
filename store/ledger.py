"""Reading the ledger: what was loaded (ingests), what was quarantined, who loaded it, the recalls
defined, and the version every cached result is keyed on."""

from __future__ import annotations

import duckdb
import polars as pl


def version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever a file is loaded, an upload undone, a setting saved or a column mapping
    saved or deleted: (newest ingest id, newest undo, ingests, newest setting, newest mapping, mappings)."""
    return tuple(
        con.execute(
            "SELECT max(ingest_id), max(undone_at), count(*), (SELECT max(updated_at) FROM settings), "
            "(SELECT max(updated_at) FROM mappings), (SELECT count(*) FROM mappings) FROM ingests"
        ).fetchall()[0]
    )


def recalls(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every recall defined, oldest announcement first."""
    return con.sql("SELECT * FROM recalls ORDER BY announced_at, recall_id").pl()


def loaders(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Who loaded what the store holds (``loaded_by`` of every ingest)."""
    return {r[0] for r in con.execute("SELECT DISTINCT loaded_by FROM ingests").fetchall()}


def ingests(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The ingest ledger, newest first (undone ingests included, with their ``undone_at``)."""
    return con.sql(
        "SELECT ingest_id, file_name, connector, timezone, recall_id, rows_read, rows_inserted, rows_updated, "
        "rows_unchanged, rows_quarantined, loaded_at, loaded_by, undone_at, warnings, group_id "
        "FROM ingests ORDER BY ingest_id DESC"
    ).pl()


def quarantine(con: duckdb.DuckDBPyConnection, ingest_id: int) -> pl.DataFrame:
    """The quarantined rows of one ingest: row, column, reason, raw value, the record's own id
    (unmasked: personal data must be masked before a non-admin sees it)."""
    return con.sql(
        "SELECT source_row, column_name, reason, raw, record_id FROM quarantine WHERE ingest_id = $id "
        "ORDER BY source_row, column_name",
        params={"id": ingest_id},
    ).pl()


def loaded_before(con: duckdb.DuckDBPyConnection, sha256: str, loaded_by_prefix: str = "") -> tuple | None:
    """The first ingest of the same bytes (``sha256``) that was not undone, loaded by someone whose
    name starts with ``loaded_by_prefix``: (ingest_id, loaded_at, loaded_by), or None."""
    rows = con.execute(
        "SELECT ingest_id, loaded_at, loaded_by FROM ingests WHERE sha256 = ? "
        "AND (? = '' OR starts_with(loaded_by, ?)) AND undone_at IS NULL ORDER BY ingest_id LIMIT 1",
        [sha256, loaded_by_prefix, loaded_by_prefix],
    ).fetchall()
    return rows[0] if rows else None


def group_connectors(con: duckdb.DuckDBPyConnection, group_id: int) -> set[str]:
    """The connectors that read the files of upload (ledger group) ``group_id`` still in force."""
    rows = con.execute("SELECT connector FROM ingests WHERE group_id = ? AND undone_at IS NULL", [group_id])
    return {r[0] for r in rows.fetchall()}


def newest_load(con: duckdb.DuckDBPyConnection):
    """When the newest file was loaded (``loaded_at``, naive UTC), or None for an empty ledger."""
    return con.execute("SELECT max(loaded_at) FROM ingests").fetchall()[0][0]
