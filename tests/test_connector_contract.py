"""One contract test over every registered connector (connectors/base.py).

For each connector NAME there is a composed sample at tests/fixtures/connectors/<NAME>.* (the
core connectors use the metrics fixture). Each connector must detect its own sample and no
other; read() must fit the canonical schema, account for every input record, and give one row
per key and version (exact re-deliveries aside); loading twice must not insert anything the second time.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import METRIC_FIXTURES, load

from connectors import CONNECTORS
from connectors.base import ReadContext, SourceFile
from connectors.batches import read_joined
from store.schema import TABLES, polars_schema

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"
CORE = {
    "recall_toml": METRIC_FIXTURES / "recall.toml",
    "canonical_csv": METRIC_FIXTURES / "contacts.csv",
    "registry": METRIC_FIXTURES / "registry.csv",
}


def sample_for(name: str) -> Path:
    if name in CORE:
        return CORE[name]
    matches = sorted(FIXTURES.glob(f"{name}.*"))
    assert len(matches) == 1, f"connector {name} needs exactly one sample in {FIXTURES}"
    return matches[0]


NAMES = [c.NAME for c in CONNECTORS if c.NAME != "mapped"]
BY_NAME = {c.NAME: c for c in CONNECTORS}


def test_names_are_unique():
    assert len(NAMES) == len(set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_detects_its_own_sample_and_no_other(name):
    connector = BY_NAME[name]
    own = sample_for(name)
    assert connector.detect(SourceFile(own.name, own)), f"{name} does not detect {own.name}"
    for other in NAMES:
        if other == name:
            continue
        path = sample_for(other)
        assert not connector.detect(SourceFile(path.name, path)), f"{name} claims {other}'s sample {path.name}"


@pytest.mark.parametrize("name", NAMES)
def test_read_fits_the_canonical_schema_and_accounts_for_every_record(name):
    path = sample_for(name)
    parsed = read_joined(
        lambda: BY_NAME[name].read(SourceFile(path.name, path), ReadContext(tz="America/Chicago", recall_id="R1"))
    )
    assert parsed.primary in parsed.tables
    for table, frame in parsed.tables.items():
        expected = {**polars_schema(table), "source_row": pl.Int64()}
        assert dict(frame.schema) == expected, f"{name}: {table} columns/dtypes differ from the schema"
        spec = TABLES[table]
        key = [*spec.key, *([spec.versioned_by] if spec.versioned_by else [])]
        # A key may repeat only as an exact re-delivery (at-least-once webhooks); the store keeps one.
        distinct = frame.drop("source_row").unique()
        assert distinct.select(key).is_duplicated().sum() == 0, f"{name}: conflicting rows for one {key} in {table}"
        required = [c.name for c in spec.columns if c.required and c.name != "recall_id"]
        assert frame.select(required).null_count().sum_horizontal().item() == 0, f"{name}: nulls in required"
    primary = parsed.tables[parsed.primary]
    rejected = parsed.rejects["source_row"].unique()
    rejected = rejected.filter(~rejected.is_in(primary["source_row"].implode()))
    assert primary.height + parsed.rows_folded + rejected.len() == parsed.rows_read


@pytest.mark.parametrize("name", NAMES)
def test_loading_its_sample_twice_inserts_nothing_the_second_time(store, name):
    if name != "recall_toml":
        load(store, CORE["recall_toml"])
    first = load(store, sample_for(name))[-1]
    second = load(store, sample_for(name))[-1]
    assert (
        first.connector == name and first.read == first.inserted + first.updated + first.unchanged + first.quarantined
    )
    assert second.inserted == 0 and second.updated == 0
