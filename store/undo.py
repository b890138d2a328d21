"""Undoing a whole upload: the store as if the file had not been loaded, in one transaction.

How versions are kept (store/write.py): per natural key, the current row carries the ``ingest_id``
that wrote it; each version it replaced sits in ``<table>_history`` with ``replaced_by`` = the ingest
that replaced it (on DuckDB both are views of one table of versions: store/versions.py). So the
versions of one key form a chain

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

**Rows a later load still holds.** A later load Y that found X's version stored and left it
(*unchanged*) holds that row too (store/upsert.py records it in ``holds``). Undoing X never loses
such a row: when a live Y holds X's version with the same values, the version is re-pointed to Y
(``ingest_id`` and ``source_row`` become Y's; of several such loads the latest) instead of being
deleted or dropped from history, and the version before it now counts as replaced by Y; the other
holders then hold Y's. When the only live loads holding X's current row held it as an *older*
version (its version stamp was earlier, so the store kept X's), the undo is refused with a reason
naming them: undo those first, or load their files again after. Holds on stores written before
``holds`` existed are unknown (those keys behave as before).

Also: X's quarantine rows are deleted; the ledger row stays, with ``undone_at`` set (ledger rows are
never deleted, and an ingest cannot be undone twice: :class:`UndoError`). Phones waiting for a
country are normalized again (store/phones.py), as after any load.

**Both engines.** The statements are DuckDB's dialect, transpiled on PostgreSQL (store/pg/dialect.py);
only the transaction (on PostgreSQL under the loads' advisory lock, so an undo and a load never
interleave), the row counts and the derived refresh (whole on PostgreSQL: store/pg/derived.py)
differ, in :func:`_write` and :func:`_changed`, and where rows are written: a restored version is
moved back on PostgreSQL, unmarked in DuckDB's table of versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

import duckdb

from store import derived, versions
from store.phones import normalize_pending_phones
from store.schema import TABLES
from store.versions import current_rows, replaced_rows

if TYPE_CHECKING:
    from store.pg.connection import PgConnection

Connection: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"  # PostgreSQL's module loaded only for its store


def _postgres(con: Connection) -> bool:
    return not isinstance(con, duckdb.DuckDBPyConnection)


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


def undo_ingest(con: Connection, ingest_id: int, by: str | None = None) -> UndoResult:
    """Undo ingest ``ingest_id`` by the rule in this module's docstring; one transaction.

    ``by`` (who undid it) is added to the ledger row's warnings as ``undone by <by>`` so the ledger
    keeps who did it without a schema change. Raises :class:`UndoError` for an unknown ingest or
    one already undone (nothing changes).
    """
    with _write(con):
        return _undo(con, ingest_id, by)


@contextmanager
def _write(con: Connection) -> Iterator[None]:
    """One transaction that ends with the derived tables refreshed; rolled back on any error. On
    PostgreSQL it first takes the loads' advisory lock (store/pg/load.py)."""
    if _postgres(con):
        from store.pg.load import LOAD_LOCK

        with con.raw.transaction():
            con.raw.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": LOAD_LOCK})
            yield
            refresh_derived(con)
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        refresh_derived(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def refresh_derived(con: Connection) -> None:
    """Bring the derived tables in step after an undo: what it touched on DuckDB, whole on PostgreSQL."""
    if _postgres(con):
        from store.pg.derived import rebuild as pg_rebuild

        pg_rebuild(con)
    else:
        derived.refresh(con)


def _changed(con: Connection, sql: str, params: list) -> int:
    """Run a DELETE, UPDATE or INSERT; the rows it changed."""
    if _postgres(con):
        return con.execute(sql, params).rowcount
    return con.execute(sql, params).fetchall()[0][0]


def live_ingests(con: Connection, group_id: int) -> list[int]:
    """The ingests of ledger group ``group_id`` not undone yet, newest first; :class:`UndoError`
    when there are none."""
    ids = [
        r[0]
        for r in con.execute(
            "SELECT ingest_id FROM ingests WHERE group_id = ? AND undone_at IS NULL ORDER BY ingest_id DESC", [group_id]
        ).fetchall()
    ]
    if not ids:
        raise UndoError(f"there is no live ingest in group {group_id}")
    return ids


def undo_group(con: Connection, group_id: int, by: str | None = None) -> list[UndoResult]:
    """Undo every live ingest of ledger group ``group_id`` (the files of one archive), newest
    first, in one transaction: all of them or, on any :class:`UndoError`, none."""
    ids = live_ingests(con, group_id)
    with _write(con):
        return [_undo(con, i, by) for i in ids]


def _undo(con: Connection, ingest_id: int, by: str | None) -> UndoResult:
    """One ingest's undo inside the caller's transaction (derived tables refreshed by the caller)."""
    rows = con.execute("SELECT file_name, undone_at, warnings FROM ingests WHERE ingest_id = ?", [ingest_id]).fetchall()
    if not rows:
        raise UndoError(f"there is no ingest {ingest_id}")
    file_name, undone_at, warnings = rows[0]
    if undone_at is not None:
        raise UndoError(f"ingest {ingest_id} ({file_name}) was already undone at {undone_at:%Y-%m-%d %H:%M:%S} UTC")
    result = UndoResult(ingest_id, file_name, undone_at)
    if isinstance(con, duckdb.DuckDBPyConnection):
        derived.touch_ingest(con, ingest_id)
    for name in TABLES:
        result.deleted[name], result.restored[name] = _undo_table(con, name, ingest_id)
    result.quarantine_deleted = _changed(con, "DELETE FROM quarantine WHERE ingest_id = ?", [ingest_id])
    normalize_pending_phones(con)
    note = [f"undone by {by}"] if by else []
    result.undone_at = con.execute(
        "UPDATE ingests SET undone_at = CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), warnings = ? "
        "WHERE ingest_id = ? RETURNING undone_at",
        [[*(warnings or []), *note], ingest_id],
    ).fetchall()[0][0]
    return result


def _undo_table(con: Connection, table: str, ingest_id: int) -> tuple[int, int]:
    """Apply the undo rule to one table; returns (current rows deleted, versions restored)."""
    key = TABLES[table].key
    columns = ", ".join(versions.columns(table))
    hist = f"{table}_history"  # read; written as in store/versions.py
    cur_t, cur = current_rows(con, table)
    old_t, old = replaced_rows(con, table)
    same_key = " AND ".join(f"p.{k} = x.{k}" for k in key)
    _repoint_held(con, table, ingest_id)
    # X's versions already replaced by a later ingest: the version before X now points at that ingest.
    con.execute(
        f"UPDATE {old_t} p SET replaced_by = x.replaced_by FROM {hist} x "
        f"WHERE x.ingest_id = ? AND p.replaced_by = ? AND {same_key}",
        [ingest_id, ingest_id],
    )
    con.execute(f"DELETE FROM {old_t} WHERE {old} AND ingest_id = ?", [ingest_id])
    # X's current rows go; the versions X replaced come back.
    deleted = _changed(con, f"DELETE FROM {cur_t} WHERE {cur} AND ingest_id = ?", [ingest_id])
    clash = con.execute(
        f"SELECT count(*) FROM {hist} p JOIN {table} x ON {same_key} WHERE p.replaced_by = ?", [ingest_id]
    ).fetchall()[0][0]
    if clash:
        raise UndoError(
            f"{table}: {clash} version(s) replaced by ingest {ingest_id} have another current row; "
            "the history is inconsistent, nothing was changed"
        )
    if old_t == cur_t:  # one table of versions: a restored version is one no longer marked replaced
        return deleted, _changed(con, f"UPDATE {old_t} SET replaced_by = NULL WHERE replaced_by = ?", [ingest_id])
    restored = _changed(
        con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {hist} WHERE replaced_by = ?", [ingest_id]
    )
    con.execute(f"DELETE FROM {hist} WHERE replaced_by = ?", [ingest_id])
    return deleted, restored


def _repoint_held(con: Connection, table: str, ingest_id: int) -> None:
    """X's versions (current or in history) that a live later load holds with the same values become
    that load's (the latest such load); X's current rows held only as older versions by a live load
    refuse the undo (module docstring). Then X's holds, and the holds on X, are gone."""
    cur_t, _ = current_rows(con, table)
    old_t, _ = replaced_rows(con, table)
    live = "holds h JOIN ingests i ON i.ingest_id = h.by_ingest AND i.undone_at IS NULL"
    con.execute("DROP TABLE IF EXISTS _heir")
    con.execute(
        "CREATE TEMP TABLE _heir AS SELECT h.key_h, max(h.by_ingest) AS heir, "
        f"arg_max(h.source_row, h.by_ingest) AS heir_row FROM {live} "
        "WHERE h.table_name = ? AND h.held_ingest = ? AND h.same GROUP BY h.key_h",
        [table, ingest_id],
    )
    for target in dict.fromkeys([cur_t, old_t]):  # both tables, or the one table of versions
        con.execute(
            f"UPDATE {target} t SET ingest_id = e.heir, source_row = e.heir_row FROM _heir e "
            "WHERE t.ingest_id = ? AND t.key_h = e.key_h",
            [ingest_id],
        )
    con.execute(f"UPDATE {old_t} p SET replaced_by = e.heir FROM _heir e WHERE p.replaced_by = ? AND p.key_h = e.key_h",
                [ingest_id])  # fmt: skip
    con.execute(
        "DELETE FROM holds h USING _heir e WHERE h.table_name = ? AND h.held_ingest = ? AND h.key_h = e.key_h "
        "AND h.by_ingest = e.heir",
        [table, ingest_id],
    )
    con.execute(
        "UPDATE holds h SET held_ingest = e.heir FROM _heir e WHERE h.table_name = ? AND h.held_ingest = ? "
        "AND h.key_h = e.key_h",
        [table, ingest_id],
    )
    con.execute("DROP TABLE _heir")
    older = con.execute(
        f"SELECT h.by_ingest, min(i.file_name), count(*) FROM {live} JOIN {table} t ON t.key_h = h.key_h "
        "WHERE h.table_name = ? AND h.held_ingest = ? AND t.ingest_id = ? GROUP BY 1 ORDER BY 1",
        [table, ingest_id, ingest_id],
    ).fetchall()
    if older:
        loads = ", ".join(f"#{i} ({name}: {n:,} row{'s' if n != 1 else ''})" for i, name, n in older)
        raise UndoError(
            f"cannot undo ingest {ingest_id}: later loads hold {table} rows it wrote as older versions, which were "
            f"never stored, so they would be lost: {loads}. Undo those loads first (then this one), or undo this "
            "one and load their files again. Nothing was changed."
        )
    con.execute("DELETE FROM holds WHERE table_name = ? AND (held_ingest = ? OR by_ingest = ?)",
                [table, ingest_id, ingest_id])  # fmt: skip
