"""The benchmark harness at a tiny scale: the generator's files load cleanly, one measure runs,
and the pandas baseline computes the same numbers as metrics.build_report. No timing is asserted."""

from __future__ import annotations

import duckdb
import pytest

from bench import measure
from bench.baseline_pandas import PHASES, compare, compute
from bench.generate import AS_OF, generate
from metrics import build_report


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return generate(2_000, tmp_path_factory.mktemp("bench"))


@pytest.fixture(scope="module")
def store(dataset):
    return measure.base_store(dataset)


def test_generator_files_are_recognised_and_load_without_quarantine(dataset, tmp_path):
    stats = measure.ingest(dataset, 1, tmp_path)
    assert [s.measure for s in stats] == [*measure.FAMILIES, *measure.CEILINGS]
    assert stats[0].rows == 2_000
    assert all(s.rows > 0 and len(s.values) == 1 for s in stats)


def test_pandas_baseline_equals_the_report(dataset, store):
    ours = build_report(duckdb.connect(str(store), read_only=True), as_of=AS_OF)
    theirs = compute(dataset.folder, AS_OF)
    assert ours["phases"]["all"]["contacts"] > 1_000
    for phase in (*PHASES, "all"):
        assert compare(ours, theirs, phase) == [], phase


def test_compare_reports_a_difference(dataset, store):
    ours = build_report(duckdb.connect(str(store), read_only=True), as_of=AS_OF)
    theirs = compute(dataset.folder, AS_OF)
    theirs["phases"]["all"]["handled"] += 1
    assert compare(ours, theirs) == [
        f"phases.all.handled: {ours['phases']['all']['handled']} != {ours['phases']['all']['handled'] + 1}"
    ]


def test_postgresql_rows_are_measured_beside_duckdbs(dataset, pg_server, tmp_path):
    """bench/postgres.py at 2k contacts (pages aside): every row named for its DuckDB peer, the
    store it loads holds what DuckDB's holds, and the markdown gives the ratio."""
    from bench import postgres
    from bench.report import markdown
    from store.db import connect

    stats = postgres._measures(dataset, 1, pg_server, pages=False)
    names = [s.measure.removeprefix(postgres.PREFIX) for s in stats]
    assert names == [
        *postgres.CSV_FAMILIES,
        postgres.LOAD,
        "10k-row export into the store of N",
        "report (metrics.build_report)",
    ]
    assert all(s.measure.startswith(postgres.PREFIX) and s.median > 0 for s in stats)
    duck = postgres.duckdb_load(dataset, tmp_path)
    count = "SELECT count(*), count(DISTINCT customer_id) FROM contact_facts"
    pg = connect(pg_server.url("bench_base"))
    assert pg.execute(count).fetchall() == duckdb.connect(str(tmp_path / "load-all.duckdb")).execute(count).fetchall()
    pg.close()
    text = markdown([duck, *stats], measure.machine(), {2_000: "python -m bench --postgres"}, {2_000: 1}, [])
    load_row = next(line for line in text.splitlines() if f"| postgresql: {postgres.LOAD} |" in line)
    assert f"{stats[2].median / duck.median:.2f}× DuckDB's time" in load_row
