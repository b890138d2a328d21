"""The store's promises: nothing lost, nothing counted twice, one transaction per file."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import METRIC_FIXTURES, ROOT, load, two_table_layout

from connectors.base import SourceFile
from connectors.canonical_csv import read as read_canonical
from connectors.load import Failure, ingest_file, ingest_paths
from store.db import StoreError, connect
from store.undo import undo_ingest
from store.write import FileMeta, apply

HEADER = "source,source_id,recall_id,channel,direction,created_at,updated_at,talk_s\n"


def snapshot(con) -> dict:
    return {
        t: sorted(con.execute(f"SELECT * EXCLUDE (ingest_id, source_row) FROM {t}").fetchall(), key=repr)
        for t in ("recalls", "contacts", "csat", "notifications", "affected")
    }


def ledger(con) -> list[tuple]:
    return con.execute(
        "SELECT file_name, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_quarantined "
        "FROM ingests ORDER BY ingest_id"
    ).fetchall()


def test_loading_twice_never_double_counts(metrics_store):
    before = snapshot(metrics_store)
    again = load(metrics_store, METRIC_FIXTURES)
    assert snapshot(metrics_store) == before
    assert all(r.inserted == 0 and r.updated == 0 and r.unchanged == r.read for r in again)


def test_ledger_adds_up_and_quarantine_names_row_and_column(store, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(
        HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,,60\n"
        "five9,2,R,fax,inbound,2026-03-02T10:00:00Z,,60\n"
        "five9,3,R,phone,inbound,yesterday,,60\n"
        "five9,4,R,phone,inbound,2026-03-02T10:00:00Z,,-1\n"
    )
    (result,) = load(store, f)
    assert (result.read, result.inserted, result.quarantined) == (4, 1, 3)
    rows = store.execute("SELECT source_row, column_name, reason, raw FROM quarantine ORDER BY source_row").fetchall()
    assert rows == [
        (3, "channel", "channel must be one of phone, email, chat, whatsapp, sms, social, web, other", "fax"),
        (4, "created_at", "cannot read created_at value as ts", "yesterday"),
        (5, "talk_s", "talk_s must be 0–86400 s", "-1"),
    ]


def test_newest_version_wins_across_files_and_within_a_file(store, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(
        HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,60\n"
        "five9,2,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,60\n"
        "five9,2,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T12:00:00Z,90\n"
    )
    second.write_text(
        HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T13:00:00Z,120\n"
        "five9,2,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T09:00:00Z,10\n"
    )
    a, b = load(store, first, second)
    assert (a.read, a.inserted, a.updated, a.unchanged) == (3, 2, 1, 0)
    assert (b.read, b.inserted, b.updated, b.unchanged) == (2, 0, 1, 1)  # the older version of 2 is ignored
    talk = dict(store.execute("SELECT source_id, talk_s FROM contacts").fetchall())
    assert talk == {"1": 120.0, "2": 90.0}
    assert store.execute("SELECT source_id, talk_s, replaced_by FROM contacts_history").fetchall() == [
        ("1", 60.0, b.ingest_id)
    ]


def test_a_store_with_history_in_its_own_tables_is_converted_and_undo_still_works(tmp_path):
    """A store written before schema version 10 (history in ``<table>_history`` tables) opens with
    every version in ``<table>_versions``: the same current rows, the same history (its
    ``replaced_by`` kept), and undoing the load that replaced a row brings it back."""
    path = tmp_path / "old.duckdb"
    con = connect(path)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(
        HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,60\n"
        "five9,2,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,60\n"
    )
    second.write_text(HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,2026-03-02T13:00:00Z,120\n")
    a, b = load(con, first, second)
    current = "SELECT source_id, talk_s, ingest_id FROM contacts ORDER BY ALL"
    history = "SELECT source_id, talk_s, ingest_id, replaced_by FROM contacts_history ORDER BY ALL"
    two_table_layout(con)
    kinds = "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'contacts%' ORDER BY 1"
    assert [r[0] for r in con.execute(kinds).fetchall()] == ["contacts", "contacts_history"]
    con.close()
    con = connect(path)
    assert [r[0] for r in con.execute(kinds).fetchall()] == ["contacts_versions"]
    assert con.execute(current).fetchall() == [("1", 120.0, b.ingest_id), ("2", 60.0, a.ingest_id)]
    assert con.execute(history).fetchall() == [("1", 60.0, a.ingest_id, b.ingest_id)]
    undo_ingest(con, b.ingest_id)
    assert con.execute(current).fetchall() == [("1", 60.0, a.ingest_id), ("2", 60.0, a.ingest_id)]
    assert con.execute(history).fetchall() == []
    assert con.execute("SELECT count(*) FROM contacts_versions").fetchall() == [(2,)]
    con.close()


def test_rows_whose_version_stamps_do_not_decide_are_compared_whole(store, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    stamped, unstamped = "2026-03-02T10:00:00Z,2026-03-02T11:00:00Z", "2026-03-02T10:00:00Z,"
    first.write_text(
        HEADER + f"five9,1,R,phone,inbound,{stamped},60\nfive9,2,R,phone,inbound,{stamped},60\n"
        f"five9,3,R,phone,inbound,{unstamped},60\nfive9,4,R,phone,inbound,{unstamped},60\n"
        f"five9,5,R,phone,inbound,{stamped},60\n"
    )
    second.write_text(
        HEADER + f"five9,1,R,phone,inbound,{stamped},90\n"  # same stamp, another value: updated
        f"five9,2,R,phone,inbound,{stamped},60\n"  # same stamp, same values: unchanged
        f"five9,3,R,phone,inbound,{unstamped},90\n"  # neither stamped, another value: updated
        f"five9,4,R,phone,inbound,{unstamped},60\n"  # neither stamped, same values: unchanged
        f"five9,5,R,phone,inbound,{unstamped},90\n"  # stored one stamped, this one not: older, unchanged
    )
    _, b = load(store, first, second)
    assert (b.read, b.inserted, b.updated, b.unchanged) == (5, 0, 2, 3)
    talk = dict(store.execute("SELECT source_id, talk_s FROM contacts").fetchall())
    assert talk == {"1": 90.0, "2": 60.0, "3": 90.0, "4": 60.0, "5": 60.0}
    history = store.execute("SELECT source_id, talk_s, replaced_by FROM contacts_history ORDER BY source_id")
    assert history.fetchall() == [("1", 60.0, b.ingest_id), ("3", 60.0, b.ingest_id)]
    held = store.execute("SELECT source_row, same FROM holds WHERE by_ingest = ? ORDER BY source_row", [b.ingest_id])
    assert held.fetchall() == [(3, True), (5, True), (6, False)]


def test_failure_mid_load_leaves_the_store_as_it_was(metrics_store, tmp_path):
    before, ledger_before = snapshot(metrics_store), ledger(metrics_store)
    f = tmp_path / "c.csv"
    f.write_text(HEADER + "five9,new1,R1,phone,inbound,2026-03-02T10:00:00Z,,60\n")
    parsed = read_canonical(SourceFile(f.name, f), __import__("connectors.base").base.ReadContext())
    parsed.rows_read = 2  # a connector that loses a row: the store must refuse the whole file
    with pytest.raises(RuntimeError, match="accounted for 1 of 2 rows"):
        apply(metrics_store, parsed, FileMeta("c.csv", "x", "canonical_csv", "UTC"))
    assert snapshot(metrics_store) == before and ledger(metrics_store) == ledger_before


def test_killed_process_mid_load_leaves_the_store_as_it_was(tmp_path):
    """A separate process is killed inside the transaction; the file reopens unchanged."""
    db = tmp_path / "s.duckdb"
    con = connect(db)
    load(con, METRIC_FIXTURES)
    before = snapshot(con)
    con.close()
    script = f"""
import os, signal
import store.write as w
from store.db import connect
from connectors.load import ingest_paths
real = w.upsert
def dying(con, table, rows, ingest_id):
    real(con, table, rows, ingest_id)
    os.kill(os.getpid(), signal.SIGKILL)
w.upsert = dying
ingest_paths(connect({str(db)!r}), [{str(tmp_path / "new.csv")!r}])
"""
    (tmp_path / "new.csv").write_text(HEADER + "five9,k1,R1,phone,inbound,2026-03-02T10:00:00Z,,60\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    con = connect(db)
    assert snapshot(con) == before
    assert [r.inserted for r in load(con, tmp_path / "new.csv")] == [1]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", HEADER.encode(), "has a header but no data rows"),
        ("garbage.bin", bytes(range(256)) * 4, "binary data"),
        ("other.csv", b"a,b,c\n1,2,3\n", "no connector recognises this file (header: a, b, c)"),
        ("broken.toml", b"[recall]\nid = \n", "not valid TOML"),
    ],
)
def test_unreadable_file_gets_one_clear_message_and_changes_nothing(metrics_store, tmp_path, name, content, message):
    before, ledger_before = snapshot(metrics_store), ledger(metrics_store)
    f = tmp_path / name
    f.write_bytes(content)
    (result,) = ingest_paths(metrics_store, [f])
    assert isinstance(result, Failure) and message in result.message and name in result.message
    assert snapshot(metrics_store) == before and ledger(metrics_store) == ledger_before


def test_phone_normalized_once_the_recall_gives_the_country(both_store, tmp_path):
    store = both_store  # on DuckDB and on PostgreSQL
    (tmp_path / "c.csv").write_text(
        "source,source_id,recall_id,channel,direction,created_at,customer_phone\n"
        "five9,1,R1,phone,inbound,2026-03-02T10:00:00Z,(312) 555-0101\n"
    )
    load(store, tmp_path / "c.csv")
    assert store.execute("SELECT customer_phone FROM contacts").fetchall() == [(None,)]
    load(store, METRIC_FIXTURES / "recall.toml")
    assert store.execute("SELECT customer_phone FROM contacts").fetchall() == [("+13125550101",)]


def test_registry_without_a_recall_is_refused_with_a_reason(store, tmp_path):
    f = tmp_path / "reg.csv"
    f.write_text("serial,email\nU1,a@x.com\n")
    (result,) = ingest_paths(store, [f])
    assert isinstance(result, Failure) and "names no recall" in result.message


def test_zip_member_escaping_the_archive_is_refused(store, tmp_path):
    import zipfile

    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../evil.csv", HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,,60\n")
        z.writestr("ok.toml", (METRIC_FIXTURES / "recall.toml").read_text())
    results = ingest_paths(store, [archive])
    assert any(isinstance(r, Failure) and "escapes the archive" in r.message for r in results)
    assert store.execute("SELECT count(*) FROM recalls").fetchall() == [(1,)]


def test_corrupt_database_file_gives_a_clear_message(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="bad.duckdb"):
        connect(bad)


def test_ingest_file_reports_connector(store, tmp_path):
    result = ingest_file(store, SourceFile("recall.toml", METRIC_FIXTURES / "recall.toml"))
    assert result.connector == "recall_toml" and result.inserted == 1


def test_cli_output_masks_personal_data_in_quarantined_values(tmp_path, capsys):
    from connectors.__main__ import main

    f = tmp_path / "c.csv"
    f.write_text(
        "source,source_id,recall_id,channel,direction,created_at,customer_email\n"
        "five9,1,R,fax,inbound,2026-03-02T10:00:00Z,pat.doe@example.com\n"
        "five9,2,R,phone,inbound,call me on 3125550142,\n"
    )
    assert main(["ingest", str(f), "--db", str(tmp_path / "s.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "quarantined=2" in out and "'fax'" in out
    assert "3125550142" not in out and "0142" in out  # the bad timestamp held a phone number


def test_two_keys_with_one_key_hash_stop_the_load(store, tmp_path, monkeypatch):
    """key_h must name one row (store/schema.py); a collision, forced here, loads nothing."""
    import store.upsert as writer

    monkeypatch.setattr(writer, "key_hash_sql", lambda table, alias=None: "42::UBIGINT")
    f = tmp_path / "c.csv"
    f.write_text(
        HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,,60\nfive9,2,R,phone,inbound,2026-03-02T10:00:00Z,,60\n"
    )
    before = snapshot(store)
    with pytest.raises(RuntimeError, match="share a key hash"):
        ingest_paths(store, [f])
    assert snapshot(store) == before and ledger(store) == []


def test_a_key_whose_hash_a_stored_key_holds_stops_the_load(store, tmp_path, monkeypatch):
    """The other half of the guarantee: a file's one key against a different stored key of the same
    key_h (each file alone has no collision; forced here)."""
    import store.upsert as writer

    monkeypatch.setattr(writer, "key_hash_sql", lambda table, alias=None: "42::UBIGINT")
    first, second = tmp_path / "c1.csv", tmp_path / "c2.csv"
    first.write_text(HEADER + "five9,1,R,phone,inbound,2026-03-02T10:00:00Z,,60\n")
    second.write_text(HEADER + "five9,2,R,phone,inbound,2026-03-02T11:00:00Z,,60\n")
    ingest_paths(store, [first])
    before = snapshot(store)
    with pytest.raises(RuntimeError, match="1 row\\(s\\) share a key hash"):
        ingest_paths(store, [second])
    assert snapshot(store) == before


def test_a_signed_out_cookie_is_remembered_until_it_would_have_expired(store):
    from store import signout

    store.execute("INSERT INTO signed_out VALUES ('old', now()::TIMESTAMP - INTERVAL 32 DAY)")
    store.execute("INSERT INTO signed_out VALUES ('recent', now()::TIMESTAMP - INTERVAL 30 DAY)")
    signout.record(store, "new")
    signout.record(store, "new")  # twice: still one row
    assert signout.digests(store) == {"recent", "new"}


def test_a_new_store_has_the_tables_an_old_store_is_brought_up_to(tmp_path):
    """A new file gets every table at once (store/db.py ``_create``); a store from an older version
    is upgraded statement by statement (``init``). Both end with the same tables and columns: a
    column added by an upgrade statement alone would be missing from new stores."""
    import duckdb

    import store.db

    connect(tmp_path / "new.duckdb").close()
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    old.execute("CREATE TABLE schema_state (version INTEGER NOT NULL)")  # an older store: no version
    store.db.init(old)
    old.close()
    columns = "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal ORDER BY ALL"
    found = {}
    for name in ("new", "old"):
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True)
        found[name] = (con.execute(columns).fetchall(), con.execute("SELECT * FROM derived_state").fetchall())
        con.close()
    assert len(found["new"][0]) > 400
    assert found["new"] == found["old"]
