"""A large file read in batches (connectors/batches.py) loads exactly as the same file read whole:
same stored rows, same history, same ledger counts, same quarantine; undo and re-load alike.

Pieces are made small here (``MIN_BYTES`` 0, ``CHUNK_BYTES`` 120) so rows of one key cross them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import METRIC_FIXTURES, load
from test_store import HEADER, ledger, snapshot

from connectors import batches
from connectors.base import SourceFile
from connectors.load import Failure, ingest_paths
from metrics import build_report
from store.db import connect
from store.undo import undo_ingest

# Rows of one key across batches of two: s1 twice (later one newer), s2 twice (later one older,
# different), s3 twice (identical), s4 once, a bad row, s5 with no version stamp twice (later wins).
ROWS = [
    "five9,s1,R1,phone,inbound,2026-03-02T16:00:00Z,2026-03-02T16:10:00Z,60",
    "five9,s2,R1,phone,inbound,2026-03-02T16:00:00Z,2026-03-05T00:00:00Z,70",
    "five9,s1,R1,phone,inbound,2026-03-02T16:00:00Z,2026-03-02T17:00:00Z,61",
    "five9,s3,R1,email,inbound,2026-03-03T16:00:00Z,2026-03-03T16:10:00Z,",
    "five9,s2,R1,phone,inbound,2026-03-02T16:00:00Z,2026-03-04T00:00:00Z,71",
    "five9,s3,R1,email,inbound,2026-03-03T16:00:00Z,2026-03-03T16:10:00Z,",
    "five9,s4,R1,chat,inbound,not a time,,",
    "five9,s5,R1,chat,inbound,2026-03-04T16:00:00Z,,10",
    "five9,s5,R1,chat,inbound,2026-03-04T16:00:00Z,,11",
    "five9,s6,R1,web,inbound,2026-03-05T16:00:00Z,,",
]


def _store(tmp_path, name):
    con = connect(tmp_path / f"{name}.duckdb")
    load(con, METRIC_FIXTURES)
    return con


def _outcome(con):
    """Everything a load decides, lineage aside (a file read again whole after a batched attempt
    gets the next ingest id: the attempt's id is not reused)."""
    history = con.execute(
        "SELECT * EXCLUDE (source_row, ingest_id, replaced_by) FROM contacts_history ORDER BY ALL"
    ).fetchall()
    quarantine = con.execute("SELECT * EXCLUDE (ingest_id) FROM quarantine ORDER BY ALL").fetchall()
    facts = con.execute("SELECT * FROM contact_facts ORDER BY ALL").fetchall()
    return snapshot(con), history, quarantine, ledger(con), facts


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(batches, "MIN_BYTES", 0)
    monkeypatch.setattr(batches, "CHUNK_BYTES", 120)


def _write(tmp_path, rows, name="bulk.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_a_file_read_in_batches_loads_as_if_read_whole(tmp_path, monkeypatch):
    path = _write(tmp_path, ROWS)
    whole = _store(tmp_path, "whole")
    (w,) = load(whole, path)
    monkeypatch.setattr(batches, "MIN_BYTES", 0)
    monkeypatch.setattr(batches, "CHUNK_BYTES", 120)
    assert batches.batched(SourceFile(path.name, path))
    assert len(list(batches.delimited_batches(SourceFile(path.name, path)))) >= 5
    parts = _store(tmp_path, "parts")
    (p,) = load(parts, path)
    # s1, s2, s3, s5 collapse (one counted updated each but s3, identical: unchanged); s4 quarantined.
    assert (w.read, w.inserted, w.updated, w.unchanged, w.quarantined) == (10, 5, 3, 1, 1)
    assert (p.read, p.inserted, p.updated, p.unchanged, p.quarantined) == (10, 5, 3, 1, 1)
    assert _outcome(parts) == _outcome(whole)
    assert parts.execute(
        "SELECT talk_s FROM contacts WHERE source_id IN ('s1', 's2', 's5') ORDER BY source_id"
    ).fetchall() == [
        (61.0,),
        (70.0,),
        (11.0,),
    ]
    at = "2026-04-01T00:00:00Z"
    assert build_report(parts, "R1", at) == build_report(whole, "R1", at)
    # Undo, then load again: the same in both stores, and as before the file.
    for con, result in ((whole, w), (parts, p)):
        undo_ingest(con, result.ingest_id)
    assert _outcome(parts) == _outcome(whole)
    (again,) = load(parts, path)
    assert (again.inserted, again.updated) == (5, 3)


def test_a_file_loaded_over_older_versions_keeps_one_history_row_per_key(tmp_path, small_batches):
    con = _store(tmp_path, "s")
    load(con, _write(tmp_path, ["five9,s1,R1,phone,inbound,2026-03-02T16:00:00Z,2026-03-02T16:00:00Z,50"], "old.csv"))
    (r,) = load(con, _write(tmp_path, ROWS))
    # s1 was stored (ingest before), then written twice by this file: history holds the old one only.
    history = con.execute(
        "SELECT talk_s, replaced_by FROM contacts_history WHERE source_id = 's1' ORDER BY ALL"
    ).fetchall()
    assert history == [(50.0, r.ingest_id)]
    undo_ingest(con, r.ingest_id)
    assert con.execute("SELECT talk_s FROM contacts WHERE source_id = 's1'").fetchall() == [(50.0,)]


def test_a_ragged_row_in_a_batched_file_reads_it_again_whole(tmp_path, monkeypatch):
    path = _write(tmp_path, [*ROWS[:5], ROWS[5] + ",surplus", *ROWS[6:]])
    whole = _store(tmp_path, "whole")
    (w,) = load(whole, path)
    monkeypatch.setattr(batches, "MIN_BYTES", 0)
    monkeypatch.setattr(batches, "CHUNK_BYTES", 120)
    parts = _store(tmp_path, "parts")
    (p,) = load(parts, path)
    assert p.read == 10 and p.warnings == w.warnings and any("more cells than the header" in x for x in p.warnings)
    assert _outcome(parts) == _outcome(whole)


def test_staged_parts_leave_no_files_behind(tmp_path, small_batches, monkeypatch):
    """Parts are staged on disk beside the store (store/write.py): their folder goes once the file is
    written, and also when a batched attempt is rolled back to be read whole (a ragged row)."""
    import tempfile

    made = []
    mkdtemp = tempfile.mkdtemp

    def recorded(*args, **kw):
        made.append(mkdtemp(*args, **kw))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)
    con = _store(tmp_path, "s")
    (r,) = load(con, _write(tmp_path, ROWS))
    (ragged,) = load(con, _write(tmp_path, [*ROWS[:5], ROWS[5] + ",surplus"], name="ragged.csv"))
    assert (r.read, r.inserted, ragged.read) == (10, 5, 6)
    staged = [Path(d) for d in made if Path(d).name.startswith("recall-ops-staging-")]
    assert len(staged) >= 2 and {d.parent for d in staged} == {tmp_path}
    assert not [d for d in staged if d.exists()]


def test_a_disk_full_while_staging_fails_the_file_and_leaves_the_store_as_it_was(tmp_path, small_batches, monkeypatch):
    con = _store(tmp_path, "s")
    before = (snapshot(con), con.execute("SELECT count(*) FROM ingests").fetchall())

    def full(self, path, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    (failure,) = ingest_paths(con, [str(_write(tmp_path, ROWS))])
    assert isinstance(failure, Failure)
    assert failure.message.startswith("bulk.csv: not loaded, the store could not be read or written (staging a part")
    assert "No space left on device" in failure.message and "rolled back" in failure.message
    assert (snapshot(con), con.execute("SELECT count(*) FROM ingests").fetchall()) == before


def test_invalid_utf8_late_in_a_batched_file_reads_it_whole_as_windows_1252(tmp_path, small_batches):
    path = tmp_path / "bulk.csv"
    path.write_bytes(
        (HEADER + "\n".join(ROWS[:7])).encode() + b"\nfive9,s9,R1,chat,inbound,2026-03-04T16:00:00Z,,\xe9\n"
    )
    con = _store(tmp_path, "s")
    (r,) = load(con, path)
    assert r.read == 8 and any("Windows-1252" in w for w in r.warnings)


def test_pieces_end_outside_quoted_line_breaks(tmp_path, small_batches):
    """A quoted field holding line breaks (and doubled quotes) is never cut between pieces."""
    reason = '"Buckle ""clicks""\nthen\nslips"'
    rows = [f"five9,q{i},R1,chat,inbound,2026-03-0{1 + i % 5}T16:00:00Z,{reason}" for i in range(12)]
    path = tmp_path / "quoted.csv"
    path.write_text("source,source_id,recall_id,channel,direction,created_at,reason\n" + "\n".join(rows) + "\n")
    f = SourceFile(path.name, path)
    frames = list(batches.delimited_batches(f))
    assert len(frames) > 3
    whole = pl.concat(frames)
    assert whole["reason"].to_list() == ['Buckle "clicks"\nthen\nslips'] * 12
    assert whole["source_row"].to_list() == list(range(2, 14))
