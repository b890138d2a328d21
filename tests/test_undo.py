"""Undo of a whole upload (store/undo.py), on real DuckDB files and real PostgreSQL databases
(every test runs on both engines), loaded through the real ingest path.

Hand-checked files (canonical contacts CSV; ``updated_at`` is the version stamp):

- A: k1 (talk 10), k2 (talk 20), k3 (talk 30), k4 (talk 40), and row 6 quarantined (channel fax).
- B: k1 newer (talk 11: updated), k2 identical to A (unchanged: B holds A's row), k5 new
  (inserted), and row 5 quarantined (created_at "never").
"""

from __future__ import annotations

import pytest
from conftest import METRIC_FIXTURES, load, plain

from connectors.load import ingest_paths
from metrics import build_report
from store.schema import TABLES
from store.undo import UndoError, undo_ingest

HEADER = "source,source_id,recall_id,channel,direction,created_at,updated_at,talk_s\n"
T0 = "2026-03-02T10:00:00Z"
A = HEADER + (
    f"five9,k1,R1,phone,inbound,{T0},2026-03-02T11:00:00Z,10\n"
    f"five9,k2,R1,phone,inbound,{T0},2026-03-02T11:00:00Z,20\n"
    f"five9,k3,R1,phone,inbound,{T0},2026-03-02T11:00:00Z,30\n"
    f"five9,k4,R1,phone,inbound,{T0},2026-03-02T11:00:00Z,40\n"
    f"five9,k9,R1,fax,inbound,{T0},2026-03-02T11:00:00Z,90\n"
)
B = HEADER + (
    f"five9,k1,R1,phone,inbound,{T0},2026-03-02T12:00:00Z,11\n"
    f"five9,k2,R1,phone,inbound,{T0},2026-03-02T11:00:00Z,20\n"
    f"five9,k5,R1,phone,inbound,{T0},2026-03-02T12:00:00Z,50\n"
    "five9,k8,R1,phone,inbound,never,2026-03-02T12:00:00Z,80\n"
)


@pytest.fixture
def store(both_store):
    """An empty store on each engine (tests/conftest.py)."""
    return both_store


@pytest.fixture(params=["duckdb", "postgresql"])
def metrics_store(request):
    """The hand-computed metrics fixture on each engine (tests/conftest.py)."""
    return request.getfixturevalue("metrics_store" if request.param == "duckdb" else "pg_metrics_store")


def full_snapshot(con) -> dict:
    """Every canonical table and its history (lineage included), the quarantine, sorted."""
    names = [*TABLES, *(f"{t}_history" for t in TABLES), "quarantine"]
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in names}


def talk(con) -> dict[str, tuple[float, int]]:
    """source_id → (talk_s, ingest_id) of the current contacts."""
    return {r[0]: (r[1], r[2]) for r in con.execute("SELECT source_id, talk_s, ingest_id FROM contacts").fetchall()}


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_undo_of_the_newest_load_gives_back_exactly_the_state_before(store, tmp_path):
    (a,) = load(store, write(tmp_path, "a.csv", A))
    assert (a.read, a.inserted, a.quarantined) == (5, 4, 1)
    after_a = full_snapshot(store)
    (b,) = load(store, write(tmp_path, "b.csv", B))
    assert (b.read, b.inserted, b.updated, b.unchanged, b.quarantined) == (4, 1, 1, 1, 1)
    assert talk(store)["k1"] == (11.0, b.ingest_id) and talk(store)["k5"] == (50.0, b.ingest_id)

    result = undo_ingest(store, b.ingest_id, by="ana@example.com")

    assert full_snapshot(store) == after_a  # rows, lineage, history and quarantine
    assert talk(store) == {k: (v, a.ingest_id) for k, v in {"k1": 10.0, "k2": 20.0, "k3": 30.0, "k4": 40.0}.items()}
    assert result.deleted["contacts"] == 2 and result.restored["contacts"] == 1 and result.quarantine_deleted == 1
    ledger = store.execute("SELECT ingest_id, undone_at IS NOT NULL, warnings FROM ingests ORDER BY 1").fetchall()
    assert ledger == [(a.ingest_id, False, []), (b.ingest_id, True, ["undone by ana@example.com"])]


def test_undo_of_an_older_load_keeps_what_a_later_load_replaced_or_still_holds(store, tmp_path):
    """Issue 13 item 9: B loaded k2 unchanged (identical to A's row), so B still holds it: undoing A
    re-points k2 to B (B's row number 3) instead of deleting it; B's ledger counts stay true."""
    (a,) = load(store, write(tmp_path, "a.csv", A))
    (b,) = load(store, write(tmp_path, "b.csv", B))
    undo_ingest(store, a.ingest_id)
    # k1: B's version stays (B replaced A's); k2: A's row, held by B, is now B's; k3, k4 were A's only.
    assert talk(store) == {"k1": (11.0, b.ingest_id), "k2": (20.0, b.ingest_id), "k5": (50.0, b.ingest_id)}
    assert store.execute("SELECT source_row FROM contacts WHERE source_id = 'k2'").fetchall() == [(3,)]
    assert store.execute("SELECT count(*) FROM contacts_history").fetchall() == [(0,)]
    assert store.execute("SELECT ingest_id FROM quarantine").fetchall() == [(b.ingest_id,)]
    # B's ledger row (1 inserted, 1 updated, 1 unchanged) matches the 3 rows B now holds.
    assert store.execute("SELECT count(*) FROM contacts WHERE ingest_id = ?", [b.ingest_id]).fetchall() == [(3,)]
    # Undoing B now leaves nothing: A's version of k1 must not come back, k2 goes with B.
    undo_ingest(store, b.ingest_id)
    assert talk(store) == {} and store.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    assert store.execute("SELECT count(*) FROM holds").fetchall() == [(0,)]


def test_several_later_loads_holding_a_row_each_keep_it_in_turn(store, tmp_path):
    (a,) = load(store, write(tmp_path, "a.csv", A))
    (b,) = load(store, write(tmp_path, "b.csv", A))  # the same file twice more: everything unchanged
    (c,) = load(store, write(tmp_path, "c.csv", A))
    undo_ingest(store, a.ingest_id)
    assert {v[1] for v in talk(store).values()} == {c.ingest_id}  # the latest holder
    undo_ingest(store, c.ingest_id)
    assert {v[1] for v in talk(store).values()} == {b.ingest_id} and len(talk(store)) == 4
    undo_ingest(store, b.ingest_id)
    assert talk(store) == {}


def test_a_held_version_in_history_comes_back_as_the_holders(store, tmp_path):
    """A writes k2 (talk 20); B holds it unchanged; C replaces it (talk 21). Undo A: A's version in
    history becomes B's. Undo C: k2 is back at 20, as B's, not gone."""
    (a,) = load(store, write(tmp_path, "a.csv", A))
    (b,) = load(store, write(tmp_path, "b.csv", B))
    newer = HEADER + f"five9,k2,R1,phone,inbound,{T0},2026-03-02T13:00:00Z,21\n"
    (c,) = load(store, write(tmp_path, "c.csv", newer))
    undo_ingest(store, a.ingest_id)
    assert talk(store)["k2"] == (21.0, c.ingest_id)
    undo_ingest(store, c.ingest_id)
    assert talk(store)["k2"] == (20.0, b.ingest_id)


OLDER_K2 = HEADER + f"five9,k2,R1,phone,inbound,{T0},2026-03-02T10:30:00Z,19\n"


def test_undo_is_refused_when_a_later_load_holds_a_row_as_an_older_version(store, tmp_path):
    """B's k2 is older than A's (earlier version stamp): the store kept A's and never stored B's.
    Undoing A would lose the row B holds: refused, naming B, nothing changed."""
    (a,) = load(store, write(tmp_path, "a.csv", A))
    (b,) = load(store, write(tmp_path, "b.csv", OLDER_K2))
    assert (b.inserted, b.updated, b.unchanged) == (0, 0, 1)
    before = full_snapshot(store)
    expected = rf"later loads hold contacts rows it wrote as older versions.*#{b.ingest_id} \(b.csv: 1 row\)"
    with pytest.raises(UndoError, match=expected):
        undo_ingest(store, a.ingest_id)
    assert full_snapshot(store) == before
    undo_ingest(store, b.ingest_id)  # the way out the message names
    undo_ingest(store, a.ingest_id)
    assert talk(store) == {}


def test_undo_refusal_is_shown_on_the_upload_page(empty_db, tmp_path):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    from store.db import connect

    con = connect(empty_db)
    (a,) = load(con, write(tmp_path, "a.csv", A))
    load(con, write(tmp_path, "b.csv", OLDER_K2))
    con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/upload.py").run()
    at.selectbox(key="undo_pick").set_value(a.ingest_id).run()
    at.button(key="undo_ask").click().run()  # refused when asked: no "Yes, undo" to press
    assert not [b for b in at.button if b.key == "undo_confirm"]
    assert not at.exception, at.exception
    assert any(
        plain(e.value).startswith(f"Cannot undo: cannot undo ingest {a.ingest_id}: later loads hold") for e in at.error
    )


@pytest.mark.parametrize("order", ["middle_then_newest", "newest_then_middle"])
def test_a_chain_of_three_versions_falls_back_to_the_oldest(store, tmp_path, order):
    def version(name, stamp, talk_s):
        return write(tmp_path, name, HEADER + f"five9,k1,R1,phone,inbound,{T0},{stamp},{talk_s}\n")

    (p,) = load(store, version("p.csv", "2026-03-02T10:00:00Z", 1))
    after_p = full_snapshot(store)
    (a,) = load(store, version("a.csv", "2026-03-02T11:00:00Z", 2))
    (b,) = load(store, version("b.csv", "2026-03-02T12:00:00Z", 3))
    history = store.execute("SELECT talk_s, ingest_id, replaced_by FROM contacts_history ORDER BY 1").fetchall()
    assert history == [(1.0, p.ingest_id, a.ingest_id), (2.0, a.ingest_id, b.ingest_id)]
    first, second = (a, b) if order == "middle_then_newest" else (b, a)
    undo_ingest(store, first.ingest_id)
    assert talk(store) == ({"k1": (3.0, b.ingest_id)} if first is a else {"k1": (2.0, a.ingest_id)})
    undo_ingest(store, second.ingest_id)
    assert full_snapshot(store) == after_p


def test_undo_twice_or_an_unknown_ingest_is_refused_and_changes_nothing(store, tmp_path):
    (a,) = load(store, write(tmp_path, "a.csv", A))
    undo_ingest(store, a.ingest_id)
    before = full_snapshot(store)
    with pytest.raises(UndoError, match=rf"ingest {a.ingest_id} \(a.csv\) was already undone at"):
        undo_ingest(store, a.ingest_id)
    with pytest.raises(UndoError, match="there is no ingest 999"):
        undo_ingest(store, 999)
    assert full_snapshot(store) == before
    assert store.execute("SELECT count(*) FROM ingests").fetchall() == [(1,)]  # ledger rows are kept


ROWS_BUT_INGEST = f"SELECT {', '.join(TABLES['contacts'].names)}, source_row, key_h FROM contacts"


def test_undo_then_reload_the_same_file_loads_it_again_once(store, tmp_path):
    path = write(tmp_path, "a.csv", A)
    (first,) = load(store, path)
    rows_after_first = sorted(store.execute(ROWS_BUT_INGEST).fetchall())
    undo_ingest(store, first.ingest_id)
    assert store.execute("SELECT count(*) FROM contacts").fetchall() == [(0,)]
    (again,) = load(store, path)
    assert (again.read, again.inserted, again.updated, again.unchanged, again.quarantined) == (5, 4, 0, 0, 1)
    assert sorted(store.execute(ROWS_BUT_INGEST).fetchall()) == rows_after_first
    (third,) = load(store, path)  # and a third load counts nothing twice
    assert (third.inserted, third.updated, third.unchanged) == (0, 0, 4)


def test_metrics_are_the_same_after_load_and_undo(metrics_store, tmp_path):
    as_of = "2026-04-01T00:00:00Z"
    before = build_report(metrics_store, "R1", as_of)
    snapshot = full_snapshot(metrics_store)
    extra = write(
        tmp_path,
        "late.csv",
        "source,source_id,recall_id,channel,direction,created_at,answered_at,is_abandoned,wait_s,talk_s\n"
        "five9,c1,R1,phone,inbound,2026-03-03T10:00:00Z,2026-03-03T10:01:00Z,false,60,400\n"  # replaces c1
        "five9,c99,R1,phone,inbound,2026-03-04T10:00:00Z,,true,40,\n",  # a new abandoned call
    )
    (late,) = load(metrics_store, extra)
    assert (late.inserted, late.updated) == (1, 1)
    assert build_report(metrics_store, "R1", as_of) != before
    undo_ingest(metrics_store, late.ingest_id)
    assert build_report(metrics_store, "R1", as_of) == before
    assert full_snapshot(metrics_store) == snapshot


def test_undo_of_a_recall_definition_removes_the_recall(store):
    results = ingest_paths(store, [METRIC_FIXTURES / "recall.toml"])
    undo_ingest(store, results[0].ingest_id)
    assert store.execute("SELECT count(*) FROM recalls").fetchall() == [(0,)]
