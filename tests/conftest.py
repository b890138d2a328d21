"""Shared fixtures: real DuckDB files in tmp_path, loaded through the real ingest path."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.load import Failure, ingest_paths
from store.db import connect

ROOT = Path(__file__).resolve().parent.parent
METRIC_FIXTURES = Path(__file__).parent / "fixtures" / "metrics"


def load(con, *paths, **kw):
    """Ingest ``paths``; fail the test on any unreadable file."""
    results = ingest_paths(con, [str(p) for p in paths], **kw)
    failures = [r.message for r in results if isinstance(r, Failure)]
    assert not failures, failures
    return results


@pytest.fixture
def store(tmp_path):
    con = connect(tmp_path / "store.duckdb")
    yield con
    con.close()


@pytest.fixture
def metrics_store(store):
    """The hand-computed metrics fixture (tests/fixtures/metrics, see its README)."""
    load(store, METRIC_FIXTURES)
    return store
