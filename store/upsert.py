"""Matching one file's rows of a canonical table to the store by natural key (rules: store/write.py).

:func:`upsert` takes the file's rows as a relation (a registered frame, or the staging table of a
file read in parts) and works inside the caller's transaction. Stored rows are found through
``key_h`` (one scan of an integer column, whatever the table's size) and then matched on the key
itself; two different keys with one ``key_h`` stop the load (store/schema.py). Rows are written to
``<table>_versions`` (store/versions.py): new versions appended, replaced ones marked.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from store.derived.touched import count
from store.schema import TABLES, hash_sql, internal_columns, key_hash_sql
from store.versions import CURRENT, stored


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert(con: duckdb.DuckDBPyConnection, table: str, rows: str, ingest_id: int) -> Counts:
    """Write ``rows`` (a relation with the table's columns and ``source_row``) as ingest ``ingest_id``."""
    spec = TABLES[table]
    cols = spec.names
    versions = stored(table)
    key_on = " AND ".join(f"a.{k} = b.{k}" for k in spec.key)
    row_a = f"row({', '.join('a.' + c for c in cols)})"
    row_b = f"row({', '.join('b.' + c for c in cols)})"
    links = "".join(f", {hash_sql(columns)} AS {name}" for name, columns in spec.links.items())
    internal = ", ".join(n for n, _ in internal_columns(table))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _hashed AS SELECT source_row, {key_hash_sql(table)} AS key_h{links} FROM {rows}"
    )
    total, keys, row_numbers = con.execute(
        "SELECT count(*), count(DISTINCT key_h), count(DISTINCT source_row) FROM _hashed"
    ).fetchall()[0]
    if total == 0:
        con.execute("DROP TABLE _hashed")
        return Counts()
    dup_changed = dup_same = 0
    if keys < total or row_numbers < total:
        # Several rows with one key: rank them newest first (version stamp, then the later row);
        # only the first is compared with the store, each other counts as updated or unchanged.
        v = spec.versioned_by
        order = f"{v} DESC NULLS LAST, source_row DESC" if v else "source_row DESC"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ranked AS SELECT *, {key_hash_sql(table)} AS key_h{links}, "
            f"row_number() OVER (PARTITION BY {', '.join(spec.key)} ORDER BY {order}) AS _rn FROM {rows}"
        )
        dup_changed, dup_same = con.execute(
            f"SELECT count(*) FILTER ({row_a} IS DISTINCT FROM {row_b}), "
            f"count(*) FILTER ({row_a} IS NOT DISTINCT FROM {row_b}) "
            f"FROM _ranked a JOIN _ranked b ON {key_on} WHERE a._rn > 1 AND b._rn = 1"
        ).fetchall()[0]
        con.execute("CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * EXCLUDE (_rn) FROM _ranked WHERE _rn = 1")
        con.execute("CREATE OR REPLACE TEMP TABLE _keys AS SELECT key_h FROM _incoming")
    else:
        # One row per key: the hashes join back by row number, so the rows are never copied first.
        con.execute("ALTER TABLE _hashed RENAME TO _keys")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT s.*, {', '.join('k.' + n for n in internal.split(', '))} "
            f"FROM {rows} s JOIN _keys k USING (source_row)"
        )
    find_stored(con, table)
    stored_rows = count(con, "_old")
    _refuse_hash_collisions(con, table, key_on, file_checked=keys == total, stored_rows=stored_rows)
    if not stored_rows:  # only new keys: all inserted
        con.execute(
            f"INSERT INTO {versions} BY NAME SELECT {', '.join(cols)}, {ingest_id} AS ingest_id, source_row, "
            f"{internal} FROM _incoming"
        )
        inserted = con.execute("SELECT count(*) FROM _keys").fetchall()[0][0]
        _drop(con)
        return Counts(inserted=inserted, updated=dup_changed, unchanged=dup_same)
    v = spec.versioned_by
    # An incoming row is older when the stored one has a version stamp and it has none or an earlier one.
    older = f"b.{v} IS NOT NULL AND (a.{v} IS NULL OR a.{v} < b.{v})" if v else "false"
    # Two rows whose version stamps differ differ; only the others are compared column by column,
    # so only their stored rows are read whole.
    stamps_differ = f"a.{v} IS DISTINCT FROM b.{v}" if v else "false"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _undecided AS SELECT b._rid FROM _incoming a JOIN _old b ON {key_on} "
        f"WHERE NOT ({stamps_differ})"
    )
    whole = "rowid IN (SELECT _rid FROM _undecided)" if count(con, "_undecided") else "false"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _old_whole AS SELECT rowid AS _rid, {', '.join(cols)} FROM {versions} "
        f"WHERE {whole}"
    )
    row_w = f"row({', '.join('w.' + c for c in cols)})"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _cmp AS SELECT a.*, b._rid, b.ingest_id AS _held, "
        f"w._rid IS NOT NULL AND {row_a} IS NOT DISTINCT FROM {row_w} AS _same, "
        f"CASE WHEN b._rid IS NULL THEN 'inserted' "
        f"WHEN _same OR coalesce({older}, false) THEN 'unchanged' "
        f"ELSE 'updated' END AS _action "
        f"FROM _incoming a LEFT JOIN _old b ON {key_on} LEFT JOIN _old_whole w ON w._rid = b._rid"
    )
    # Stored rows this file leaves as they are: the file holds them too (undo of the load that wrote
    # them re-points them here instead of deleting them: store/undo.py).
    con.execute(
        f"INSERT INTO holds SELECT '{table}', key_h, _held, {ingest_id}, source_row, _same FROM _cmp "
        "WHERE _action = 'unchanged'"
    )
    # Replaced versions are marked (undo brings them back), then the new ones are appended.
    con.execute(
        f"UPDATE {versions} SET replaced_by = {ingest_id} "
        "WHERE rowid IN (SELECT _rid FROM _cmp WHERE _action = 'updated')"
    )
    con.execute(
        f"INSERT INTO {versions} BY NAME SELECT {', '.join(cols)}, {ingest_id} AS ingest_id, source_row, "
        f"{internal} FROM _cmp WHERE _action <> 'unchanged'"
    )
    by_action = dict(con.execute("SELECT _action, count(*) FROM _cmp GROUP BY ALL").fetchall())
    con.execute("DROP TABLE _cmp")
    _drop(con)
    return Counts(
        inserted=by_action.get("inserted", 0),
        updated=by_action.get("updated", 0) + dup_changed,
        unchanged=by_action.get("unchanged", 0) + dup_same,
    )


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "DROP VIEW _incoming; DROP TABLE _keys; DROP TABLE _old; DROP TABLE IF EXISTS _ranked; "
        "DROP TABLE IF EXISTS _hashed; DROP TABLE IF EXISTS _undecided; DROP TABLE IF EXISTS _old_whole"
    )


def _refuse_hash_collisions(
    con: duckdb.DuckDBPyConnection, table: str, key_on: str, file_checked: bool, stored_rows: int
) -> None:
    """Two different keys with one ``key_h`` (in the file, or one in the file and one stored) stop
    the load: ``key_h`` must name one row (store/schema.py). With 64 bits this needs billions of
    rows to be likely; the check keeps it a guarantee rather than a probability. ``file_checked``:
    the file's rows are known to have as many hashes as rows (so no two of its keys share one);
    ``stored_rows``: how many stored rows ``_old`` holds (none: nothing stored to clash with)."""
    in_file = "0" if file_checked else "(SELECT count(*) - count(DISTINCT key_h) FROM _keys)"
    with_stored = (
        f"(SELECT count(*) FROM _old b WHERE NOT EXISTS (SELECT 1 FROM _incoming a WHERE {key_on}))"
        if stored_rows
        else "0"
    )
    clash = con.execute(f"SELECT {in_file} + {with_stored}").fetchall()[0][0]
    if clash:
        raise RuntimeError(f"{table}: {clash} row(s) share a key hash with another key; nothing was loaded")


def find_stored(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Temp table ``_old``: the current rows of ``table`` whose ``key_h`` is in ``_keys`` — ``_rid``
    (their rowid in ``<table>_versions``), the key, the version stamp and ``ingest_id`` only. Found
    by one scan of the integer column, then those few columns fetched by rowid; the other columns
    are read only for the rows that need them."""
    spec = TABLES[table]
    narrow = ", ".join([*spec.key, *([spec.versioned_by] if spec.versioned_by else []), "ingest_id"])
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rids AS SELECT rowid AS rid FROM {stored(table)} "
        f"WHERE key_h IN (SELECT key_h FROM _keys) AND {CURRENT}"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _old AS SELECT rowid AS _rid, {narrow} FROM {stored(table)} "
        "WHERE rowid IN (SELECT rid FROM _rids)"
    )
    con.execute("DROP TABLE _rids")
