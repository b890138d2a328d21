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
