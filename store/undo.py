"""Undoing a whole upload: the store as if the file had not been loaded, in one transaction.

How versions are kept (store/write.py): per natural key, the current row carries the ``ingest_id``
that wrote it; each version it replaced sits in ``<table>_history`` with ``replaced_by`` = the ingest
that replaced it. So the versions of one key form a chain

    v0 (ingest I0) --replaced_by I1--> v1 (ingest I1) --replaced_by I2--> ... --> vn (current, In)

with at most one version per ingest (a file's rows with one key collapse to one before writing).

**Undo rule.** Undoing ingest X removes X's link from every chain it is in, per key:

- X wrote the **current** row (X = In): that row is deleted and the version X replaced (the
  history row with ``replaced_by`` = X), if any, becomes current again; a key X inserted is gone.
- A **later** ingest Y has since replaced X's row (X = Im, m < n): the current row is Y's (or a
  later one's) and stays. X's version is dropped from history and the version X had replaced now
  points at Y (``replaced_by`` := Y), so that undoing Y later restores the version before X, never
  X's undone one.
- Keys X did not write (absent from the file, or loaded as *unchanged*) are left alone.

Also: X's quarantine rows are deleted; the ledger row stays, with ``undone_at`` set (ledger rows are
never deleted, and an ingest cannot be undone twice: :class:`UndoError`). Phones waiting for a
country are normalized again (store/phones.py), as after any load.

Limit: rows of a later file that were *unchanged* (identical to X's, or older by version stamp)
were never written, so undoing X does not bring them back; load that later file again to restore
them (loading is idempotent: nothing is counted twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from store import derived
from store.phones import normalize_pending_phones
from store.schema import TABLES


class UndoError(Exception):
    """The ingest cannot be undone (unknown, or already undone); the message says why."""


@dataclass
class UndoResult:
    """What an undo changed: per table, rows deleted (written by the ingest) and restored."""

    ingest_id: int
    file_name: str
    undone_at: datetime
    deleted: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    quarantine_deleted: int = 0


def undo_ingest(con: duckdb.DuckDBPyConnection, ingest_id: int, by: str | None = None) -> UndoResult:
    """Undo ingest ``ingest_id`` by the rule in this module's docstring; one transaction.

    ``by`` (who undid it) is added to the ledger row's warnings as ``undone by <by>`` so the ledger
    keeps who did it without a schema change. Raises :class:`UndoError` for an unknown ingest or
    one already undone (nothing changes).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        rows = con.execute("SELECT file_name, undone_at FROM ingests WHERE ingest_id = ?", [ingest_id]).fetchall()
        if not rows:
            raise UndoError(f"there is no ingest {ingest_id}")
        file_name, undone_at = rows[0]
        if undone_at is not None:
            raise UndoError(f"ingest {ingest_id} ({file_name}) was already undone at {undone_at:%Y-%m-%d %H:%M:%S} UTC")
        result = UndoResult(ingest_id, file_name, undone_at)
        derived.touch_ingest(con, ingest_id)
        for name in TABLES:
            result.deleted[name], result.restored[name] = _undo_table(con, name, ingest_id)
        (result.quarantine_deleted,) = con.execute(
            "DELETE FROM quarantine WHERE ingest_id = ?", [ingest_id]
        ).fetchall()[0]
        normalize_pending_phones(con)
        derived.refresh(con)
        note = [f"undone by {by}"] if by else []
        result.undone_at = con.execute(
            "UPDATE ingests SET undone_at = now()::TIMESTAMP, warnings = list_concat(coalesce(warnings, []), ?) "
            "WHERE ingest_id = ? RETURNING undone_at",
            [note, ingest_id],
        ).fetchall()[0][0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _undo_table(con: duckdb.DuckDBPyConnection, table: str, ingest_id: int) -> tuple[int, int]:
    """Apply the undo rule to one table; returns (current rows deleted, versions restored)."""
    key = TABLES[table].key
    hist = f"{table}_history"
    same_key = " AND ".join(f"p.{k} = x.{k}" for k in key)
    # X's versions already replaced by a later ingest: the version before X now points at that ingest.
    con.execute(
        f"UPDATE {hist} p SET replaced_by = x.replaced_by FROM {hist} x "
        f"WHERE x.ingest_id = ? AND p.replaced_by = ? AND {same_key}",
        [ingest_id, ingest_id],
    )
    con.execute(f"DELETE FROM {hist} WHERE ingest_id = ?", [ingest_id])
    # X's current rows go; the versions X replaced come back.
    deleted = con.execute(f"DELETE FROM {table} WHERE ingest_id = ?", [ingest_id]).fetchall()[0][0]
    clash = con.execute(
        f"SELECT count(*) FROM {hist} p JOIN {table} x ON {same_key} WHERE p.replaced_by = ?", [ingest_id]
    ).fetchall()[0][0]
    if clash:
        raise UndoError(
            f"{table}: {clash} version(s) replaced by ingest {ingest_id} have another current row; "
            "the history is inconsistent, nothing was changed"
        )
    restored = con.execute(
        f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (replaced_by) FROM {hist} WHERE replaced_by = ?", [ingest_id]
    ).fetchall()[0][0]
    con.execute(f"DELETE FROM {hist} WHERE replaced_by = ?", [ingest_id])
    return deleted, restored
