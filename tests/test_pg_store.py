"""The PostgreSQL store (store/pg/) against a real PostgreSQL 15 server (tests/pg_support.py):
the Alembic schema is the DuckDB store's, loads behave as on DuckDB (counts, ledger, quarantine,
history, derived tables, never double-counting, nothing written by a failed file), two loads from
two processes are serialized by the advisory lock, and the CLI takes a PostgreSQL URL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import duckdb
import polars as pl
import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from conftest import METRIC_FIXTURES, ROOT, load

from metrics.report import build_report
from store import derived
from store.db import connect
from store.parsed import Parsed
from store.pg import open as pg_open
from store.pg.dialect import to_postgres
from store.pg.engine import dispose, engine, is_postgres
from store.pg.load import LOAD_LOCK, apply
from store.pg.schema import CATALOG_NAMES, PG_TYPES, actual, config, expected, upgrade
from store.schema import polars_schema
from store.write import FileMeta

CONTACTS = METRIC_FIXTURES / "contacts.csv"
# Every row of every table except the moment of the load itself.
VOLATILE = {"ingests": ("loaded_at", "loaded_by")}


def tables(con) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (the volatile columns left out)."""
    out = {}
    for table, columns in expected(connect_duck_schema()).items():
        names = [c for c, _ in columns if c not in VOLATILE.get(table, ())]
        rows = con.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


_SCHEMA: list[duckdb.DuckDBPyConnection] = []


def connect_duck_schema() -> duckdb.DuckDBPyConnection:
    """An empty DuckDB store in memory: the tables every store has."""
    if not _SCHEMA:
        from store.db import init

        con = duckdb.connect()
        init(con)
        _SCHEMA.append(con)
    return _SCHEMA[0]


def test_a_postgresql_url_selects_postgresql_and_a_path_stays_duckdb(monkeypatch):
    assert is_postgres("postgresql+psycopg://u@h/db") and is_postgres("postgresql://h/db")
    assert not is_postgres("data/recall_ops.duckdb") and not is_postgres("md:recall")
    monkeypatch.setenv("RECALL_OPS_DB", "postgresql+psycopg://u@h/db")
    assert is_postgres(None)


def test_alembic_makes_exactly_the_duckdb_schema_and_can_go_back(pg_server):
    url = pg_server.fresh(migrated=False)
    upgrade(url)
    want = {t: [(c, CATALOG_NAMES[pg]) for c, pg in cols] for t, cols in expected(connect_duck_schema()).items()}
    with engine(url).connect() as c:
        assert actual(c) == want  # a schema change without its migration fails here
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0004"
    command.downgrade(config(url), "base")
    with engine(url).connect() as c:
        assert actual(c) == {}
    upgrade(url)  # and up again
    with engine(url).connect() as c:
        assert actual(c) == want
    dispose(url)
    assert set(PG_TYPES.values()) == set(CATALOG_NAMES)


def test_the_subject_migration_keeps_the_contacts_a_version_8_store_had(pg_server):
    """0001 → 0002 rebuilds contacts and contacts_history with ``subject`` in DuckDB's place: rows,
    the key index and the version move along; downgrading drops the column again."""
    url = pg_server.fresh(migrated=False)
    upgrade(url, "0001")
    row = "('zendesk', '7', 'R1', 'email', 'inbound', TIMESTAMP '2026-03-02 10:00', ARRAY['recall'], 1, 2, 42)"
    with engine(url).begin() as c:
        columns = "source, source_id, recall_id, channel, direction, created_at, tags, ingest_id, source_row, key_h"
        c.execute(sa.text(f"INSERT INTO contacts ({columns}) VALUES {row}"))
        c.execute(sa.text(f"INSERT INTO contacts_history ({columns}, replaced_by) VALUES {row[:-1]}, 3)"))
    upgrade(url, "0002")
    with engine(url).connect() as c:
        got = c.execute(sa.text("SELECT source_id, tags, subject, key_h FROM contacts")).fetchall()
        assert [tuple(r) for r in got] == [("7", ["recall"], None, 42)]
        assert c.execute(sa.text("SELECT replaced_by FROM contacts_history")).scalar() == 3
        assert c.execute(sa.text("SELECT version FROM schema_state")).scalar() == 9
        with pytest.raises(sa.exc.IntegrityError):  # the unique key index is back
            c.execute(sa.text("INSERT INTO contacts (source, source_id, key_h) VALUES ('x', 'y', 42)"))
    command.downgrade(config(url), "0001")
    with engine(url).connect() as c:
        assert "subject" not in [name for name, _ in actual(c)["contacts"]]
        assert c.execute(sa.text("SELECT version FROM schema_state")).scalar() == 8
    dispose(url)


def test_the_regulator_facts_migration_recomputes_the_derived_tables(pg_server):
    """0002 ↔ 0003 recreate the derived tables (empty, stale); the next read-write open recomputes
    them, row for row what the loads had made, and records the rules' version."""
    url = pg_server.fresh()
    con = connect(url)
    for name in ("recall.toml", "registry.csv", "contacts.csv", "notifications.csv"):
        load(con, METRIC_FIXTURES / name)
    facts = ("contact_facts", "notification_facts", "customer_facts")
    before = {t: v for t, v in tables(con).items() if t in facts}
    assert all(before.values())
    con.close()
    command.downgrade(config(url), "0002")
    upgrade(url)
    with engine(url).connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM customer_facts")).scalar() == 0
        assert c.execute(sa.text("SELECT version FROM derived_state")).scalar() == 0
    dispose(url)
    pg_open._MIGRATED.discard(url)  # as a new process would
    con = connect(url)
    assert {t: v for t, v in tables(con).items() if t in facts} == before
    assert con.execute("SELECT version FROM derived_state").fetchall() == [(derived.VERSION,)]
    con.close()


def test_hashes_agree_with_duckdb(pg_server):
    """md5_number_lower, rewritten for PostgreSQL, gives DuckDB's 64-bit key hashes exactly."""
    texts = ["", "a", "zendesk\x1f12345", "é✓ unicode", "x" * 300]
    duck = duckdb.connect()
    sql = "SELECT md5_number_lower(?)"
    want = [duck.execute(sql, [t]).fetchall()[0][0] for t in texts]
    con = connect(pg_server.fresh())
    got = [con.execute(sql, [t]).fetchall()[0][0] for t in texts]
    con.close()
    assert got == want
    assert to_postgres("SELECT a, count(*) FROM t GROUP BY ALL")[0] == "SELECT a, COUNT(*) FROM t GROUP BY 1"


def test_a_load_on_postgresql_stores_what_duckdb_stores(pg_server, metrics_store, pg_metrics_store):
    """The metrics fixture through the same ingest path: every table equal row for row (canonical,
    history, ledger, quarantine, derived), and the JSON report identical at several moments."""
    assert tables(pg_metrics_store) == tables(metrics_store)
    for as_of in ("2026-03-02T16:00:00Z", "2026-03-05T00:00:00Z", "2026-04-01T00:00:00Z"):
        assert build_report(pg_metrics_store, "R1", as_of) == build_report(metrics_store, "R1", as_of)


def test_loading_twice_never_double_counts_and_a_change_keeps_history(pg_server, tmp_path):
    con = connect(pg_server.fresh())
    duck = connect(tmp_path / "store.duckdb")
    changed = tmp_path / "contacts.csv"
    text = CONTACTS.read_text()
    lines = text.splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("status")] = "transferred"  # one contact changed, no version stamp: updated
    changed.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    for c in (con, duck):
        load(c, METRIC_FIXTURES / "recall.toml")
        load(c, CONTACTS)
    again = [load(c, CONTACTS)[0] for c in (con, duck)]
    assert again[0].inserted == again[0].updated == 0 and again[0].unchanged == again[0].read
    newer = [load(c, changed)[0] for c in (con, duck)]
    assert (newer[0].inserted, newer[0].updated, newer[0].unchanged) == (0, 1, newer[0].read - 1)
    assert (again[1].inserted, again[1].updated, again[1].unchanged) == (0, 0, again[1].read)
    assert (newer[1].inserted, newer[1].updated, newer[1].unchanged) == (0, 1, newer[1].read - 1)
    assert tables(con) == tables(duck)
    assert con.execute("SELECT count(*), min(replaced_by) FROM contacts_history").fetchall() == [
        (1, newer[0].ingest_id)
    ]
    con.close()
    duck.close()


def test_a_failing_file_leaves_the_store_as_it_was(pg_server):
    """A reader that fails after its first part: nothing of the file is written, no ledger row."""
    con = connect(pg_server.fresh())
    load(con, METRIC_FIXTURES / "recall.toml")
    before = tables(con)

    def parts():
        yield Parsed(
            "contacts",
            {"contacts": _contact_rows()},
            rows_read=1,
        )
        raise OSError("the disk went away")

    meta = FileMeta("broken.csv", "0" * 64, "canonical_csv", "UTC")
    with pytest.raises(OSError):
        apply(con, parts(), meta)
    assert tables(con) == before
    con.close()


def _contact_rows() -> pl.DataFrame:
    """One canonical contact row (every other column null) with its source_row."""
    schema = polars_schema("contacts")
    return pl.DataFrame(
        {
            **{n: pl.Series(n, [None], dtype=t) for n, t in schema.items()},
            "source": ["canonical"],
            "source_id": ["x1"],
            "channel": ["email"],
            "direction": ["inbound"],
        }
    ).with_columns(pl.lit(1, pl.Int64).alias("source_row"))


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def _waiting_for_the_lock(url: str) -> bool:
    port = url.split(":")[-1].split("/")[0]
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as c:
        return bool(
            c.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND (classid::bigint << 32) + objid::bigint = %s",
                [LOAD_LOCK],
            ).fetchone()[0]
        )


def test_two_processes_loading_at_once_are_serialized(pg_server, tmp_path):
    """Two `python -m connectors ingest` processes against one database while a third session holds
    the load lock: both wait (seen in pg_locks), then both land once it is released, one after the
    other, with distinct ledger rows and the rows counted once; the report reads the result."""
    url = pg_server.fresh()
    con = connect(url)
    load(con, METRIC_FIXTURES / "recall.toml")
    folders = []
    for name in ("contacts.csv", "notifications.csv"):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        shutil.copy(METRIC_FIXTURES / name, folder / name)
        folders.append(folder)
    port = url.split(":")[-1].split("/")[0]
    holder = psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=url.rsplit("/", 1)[1])
    holder.execute("SELECT pg_advisory_xact_lock(%s)", [LOAD_LOCK])  # held until holder commits
    runs = [_cli("-m", "connectors", "ingest", str(f), "--db", url) for f in folders]
    deadline = time.monotonic() + 60
    while not _waiting_for_the_lock(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _waiting_for_the_lock(url)
    assert con.execute("SELECT count(*) FROM ingests").fetchall() == [(1,)]  # nothing landed while held
    holder.commit()
    holder.close()
    outs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outs
    rows = con.execute("SELECT file_name, rows_inserted FROM ingests ORDER BY ingest_id").fetchall()
    assert sorted(rows[1:]) == [("contacts.csv", 14), ("notifications.csv", 11)]
    assert con.execute("SELECT count(*) FROM contacts").fetchall() == [(14,)]
    con.close()
    report = _cli("-m", "metrics", "report", "--json", "--as-of", "2026-04-01T00:00:00Z", env={"RECALL_OPS_DB": url})
    out, err = report.communicate(timeout=120)
    assert report.returncode == 0, err
    assert json.loads(out)["recall_id"] == "R1"


def test_an_unreachable_server_is_a_clear_message_without_the_password():
    from store.db import StoreError

    with pytest.raises(StoreError, match="cannot open the PostgreSQL store") as e:
        connect("postgresql+psycopg://analyst:s3cret@127.0.0.1:1/recall")
    assert "s3cret" not in str(e.value)


# DuckDB-only constructs the metric and alert SQL uses, each over rows whose answer is worked out
# in the comment; PostgreSQL (transpiled, store/pg/dialect.py) must give DuckDB's rows exactly.
_T = "t(g, v, k, s) AS (VALUES ('a', 'x', 1, 'p'), ('a', NULL, 3, 'q'), ('a', 'y', 2, 'r'), ('b', 'z', NULL, 's'))"
DIALECT_CASES = [
    # arg_max skips a NULL value or key: a → y (k=2; k=3 has v NULL), b → NULL (its only key NULL)
    f"WITH {_T} SELECT g, arg_max(v, k) AS m, arg_min(v, k) AS n FROM t GROUP BY ALL ORDER BY ALL",
    # a tuple key: a NULL field ranks above every value; v NULL skipped: a → y, b → z
    f"WITH {_T} SELECT g, arg_max(v, (k, s)) AS m FROM t GROUP BY ALL ORDER BY ALL",
    # a list's first item under a FILTER: a → [x, y][1] = x
    f"WITH {_T} SELECT g, (list(v ORDER BY k) FILTER (WHERE v IS NOT NULL))[1] AS f FROM t GROUP BY ALL ORDER BY ALL",
    # UNPIVOT leaves NULL values out: 3 k values + 3 v values (as text) = 6 rows
    f"WITH {_T} SELECT kind, val FROM (UNPIVOT (SELECT CAST(k AS VARCHAR) AS k, v FROM t) ON k, v "
    "INTO NAME kind VALUE val) ORDER BY ALL",
    # ASOF LEFT JOIN: each e the latest l at or before it; e at 0 has none
    "WITH e(id, t) AS (VALUES (1, 0), (2, 2), (3, 5)), l(t, x) AS (VALUES (1, 'one'), (2, 'two'), (4, 'four')) "
    "SELECT e.id, l.x FROM e ASOF LEFT JOIN l ON l.t <= e.t ORDER BY e.id",
]


@pytest.mark.parametrize("sql", DIALECT_CASES)
def test_duckdb_constructs_give_the_same_rows_on_postgresql(pg_server, sql):
    if not _DIALECT_DB:
        _DIALECT_DB.append(connect(pg_server.fresh()))
    assert _DIALECT_DB[0].execute(sql).fetchall() == duckdb.connect().execute(sql).fetchall()


_DIALECT_DB: list = []


def test_watch_loads_an_inbox_into_postgresql(pg_server, tmp_path):
    """`python -m connectors watch --db <PostgreSQL URL> --once` (in process): both files load and
    move to loaded/, the ledger in PostgreSQL."""
    from connectors.watch import run

    url = pg_server.fresh()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("recall.toml", "contacts.csv"):
        shutil.copy(METRIC_FIXTURES / name, inbox / name)
    assert run(inbox, url, interval=0.1, once=True) == 0
    con = connect(url)
    assert sorted(con.execute("SELECT file_name, rows_inserted FROM ingests").fetchall()) == [
        ("contacts.csv", 14),
        ("recall.toml", 1),
    ]
    con.close()
    moved = sorted(p.name for p in (inbox / "loaded").iterdir() if p.suffix != ".txt")  # beside each: its outcome
    assert moved == ["contacts.csv", "recall.toml"]


def test_copy_store_moves_a_duckdb_store_to_postgresql(metrics_store, pg_server):
    """store/pg/copy.py (docs/scaling.md: how a DuckDB deployment moves): every table's rows arrive,
    and the ledger's ids continue after the copied ones."""
    from store.pg.copy import copy_store

    target = connect(pg_server.fresh())
    try:
        copied = copy_store(metrics_store, target)
        names = sorted(expected(metrics_store))
        count = lambda con, t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: E731
        source_counts = {t: count(metrics_store, t) for t in names}
        assert sorted(copied) == names and copied == source_counts
        assert {t: count(target, t) for t in names} == source_counts
        assert source_counts["contacts"] > 0 and source_counts["ingests"] > 0
        newest = metrics_store.execute("SELECT max(ingest_id) FROM ingests").fetchall()[0][0]
        assert target.execute("SELECT nextval('ingest_seq')").fetchall()[0][0] == newest + 1
    finally:
        target.close()
