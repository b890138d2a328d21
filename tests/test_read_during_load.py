"""The dashboard keeps serving while a large file loads, and what it reads is the store before or after
that load, never a state in between (one transaction per file: canonical rows, ledger and derived
tables commit together).

A real 150,000-row contacts file (a load transaction of a few seconds) is loaded into a real DuckDB
file on one thread while another thread, like a page of the running server (its own short-lived
connection each time), keeps asking for the report's contact count, the derived table's row count and the ledger.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import polars as pl
import pytest
from conftest import METRIC_FIXTURES, load

import metrics.report
import store.write
from metrics import build_report
from store.db import open_store, read_transaction

ROWS = 150_000
AS_OF = "2026-06-30T00:00:00Z"


def _big_contacts(path, rows: int) -> None:
    rng = np.random.default_rng(5)
    start = np.datetime64("2026-03-02T15:00:00")
    created = start + rng.integers(0, 30 * 86_400, rows).astype("timedelta64[s]")
    pl.DataFrame(
        {
            "source": "bulk",
            "source_id": [f"b{i}" for i in range(rows)],
            "recall_id": "R1",
            "channel": rng.choice(["phone", "email", "chat"], rows),
            "direction": "inbound",
            "created_at": [f"{t}Z" for t in created.astype(str)],
            "handle_s": rng.integers(30, 900, rows),
            "customer_email": [f"c{i}@example.com" for i in rng.integers(0, rows // 3, rows)],
        }
    ).write_csv(path)


def _observe(path) -> tuple[tuple, tuple[int, int]]:
    """(report figures, (contact_facts rows, ledger rows)) from one short-lived connection: the
    report as the pages ask for it (its own read transaction), the counts in another."""
    with open_store(path) as con:
        everything = build_report(con, "R1", AS_OF)["phases"]["all"]
        report = (everything["contacts"], everything["handled"], everything["fcr"]["n"], everything["aht_s"]["all"])
        with read_transaction(con):
            facts = con.execute("SELECT count(*) FROM contact_facts").fetchall()[0][0]
            ledger = con.execute("SELECT count(*) FROM ingests").fetchall()[0][0]
    return report, (facts, ledger)


@pytest.mark.slow
def test_readers_see_before_or_after_a_big_load_never_between(tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    big = tmp_path / "bulk_contacts.csv"
    _big_contacts(big, ROWS)
    with open_store(path) as con:
        load(con, METRIC_FIXTURES)
    before = _observe(path)

    seen: list[tuple[float, float, tuple]] = []  # (asked at, answered at, state)
    window: list[float] = []  # when the load's transaction started and ended
    done = threading.Event()
    errors: list[BaseException] = []

    # The transaction opens before the first table is written and commits just after the derived
    # refresh: record when the first upsert starts and when the refresh ends.
    real_upsert, real_refresh = store.write.upsert, store.write.derived.refresh

    def timed_upsert(*args, **kwargs):
        if not window:
            window.append(time.monotonic())
        return real_upsert(*args, **kwargs)

    def timed_refresh(*args, **kwargs):
        try:
            return real_refresh(*args, **kwargs)
        finally:
            window.append(time.monotonic())

    monkeypatch.setattr(store.write, "upsert", timed_upsert)
    monkeypatch.setattr(store.write.derived, "refresh", timed_refresh)

    def page() -> None:
        try:
            while not done.is_set():
                asked = time.monotonic()
                state = _observe(path)
                seen.append((asked, time.monotonic(), state))
                time.sleep(0.05)
        except BaseException as e:  # reported below: a reader must never fail
            errors.append(e)

    reader = threading.Thread(target=page)
    with open_store(path) as con:
        reader.start()
        (result,) = load(con, big)
    done.set()
    reader.join()
    after = _observe(path)

    assert not errors, errors
    assert result.inserted == ROWS
    assert after[0][0] == before[0][0] + ROWS and after[1] == (before[1][0] + ROWS, before[1][1] + 1)
    for part in (0, 1):  # each read on its own is wholly before or wholly after the load
        states = {state[part] for _, _, state in seen}
        assert states <= {before[part], after[part]}, f"a reader saw a state between: {states}"
    # While the transaction was open the reader kept getting answers (not blocked until the commit),
    # and they were the store before the load.
    begin, end = window
    inside = [state for asked, answered, state in seen if begin < asked and answered < end]
    assert len(inside) >= 2, f"{len(inside)} answers inside a {end - begin:.1f} s load transaction"
    assert set(inside) == {before}


def test_a_report_asked_for_while_a_load_commits_is_wholly_before_it(tmp_path, monkeypatch):
    """Deterministic form of the above: the load commits on another connection after the report's
    first query and before its FCR query; every figure of that report is still the store before."""
    path = tmp_path / "store.duckdb"
    small = tmp_path / "bulk_contacts.csv"
    _big_contacts(small, 30)
    with open_store(path) as con:
        load(con, METRIC_FIXTURES)
        before = build_report(con, "R1", AS_OF)
    real_fcr = metrics.report.fcr

    def fcr_after_a_commit(*args, **kwargs):
        with open_store(path) as writer:
            load(writer, small)
        return real_fcr(*args, **kwargs)

    monkeypatch.setattr(metrics.report, "fcr", fcr_after_a_commit)
    with open_store(path) as con:
        during = build_report(con, "R1", AS_OF)
    monkeypatch.setattr(metrics.report, "fcr", real_fcr)
    with open_store(path) as con:
        after = build_report(con, "R1", AS_OF)
    assert during == before
    assert after["phases"]["all"]["contacts"] == before["phases"]["all"]["contacts"] + 30
    assert after["phases"]["all"]["fcr"] != before["phases"]["all"]["fcr"]


def test_a_read_transaction_sees_one_moment_and_writes_nothing(tmp_path):
    path = tmp_path / "store.duckdb"
    with open_store(path) as reader, open_store(path) as writer:
        with read_transaction(reader):
            assert reader.execute("SELECT count(*) FROM ingests").fetchall() == [(0,)]
            load(writer, METRIC_FIXTURES)
            assert reader.execute("SELECT count(*) FROM ingests").fetchall() == [(0,)]
            with read_transaction(reader):  # nested: joins the open one
                assert reader.execute("SELECT count(*) FROM ingests").fetchall() == [(0,)]
        loaded = reader.execute("SELECT count(*) FROM ingests").fetchall()[0][0]
        assert loaded > 0
