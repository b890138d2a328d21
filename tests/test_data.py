"""ui/data.py's one cached call: any metric or store function, keyed on the ledger version and its
arguments; nothing else may be called through it."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import pytest

import metrics
from metrics import Options, Scope
from store import ledger
from ui import data


def test_read_caches_by_version_and_arguments_and_a_load_refreshes(db, tmp_path, monkeypatch):
    calls = []
    module = sys.modules["metrics.fcr"]
    real = module.fcr

    def counted(*args, **kwargs):
        calls.append(args[2:])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "fcr", counted)  # what the cached call looks up by name
    version = data.ledger_version()
    scope = Scope("R1", datetime(2026, 4, 1))
    first = data.read(version, metrics.fcr, scope, "phase")
    assert data.read(version, metrics.fcr, scope, "phase").equals(first) and calls == [("phase",)]  # cached
    data.read(version, metrics.fcr, scope, "day")
    assert calls == [("phase",), ("day",)]  # other arguments, another entry

    def contacts(v):
        return data.read(v, metrics.volume, scope).filter(phase="all", channel="all")["contacts"][0]

    before, ledger_rows = contacts(version), data.read(version, ledger.ingests).height
    extra = tmp_path / "late.csv"
    extra.write_text(
        "source,source_id,recall_id,channel,direction,created_at\nzendesk,late1,R1,email,inbound,2026-03-31T20:00:00Z\n"
    )
    with data.store() as con:
        from conftest import load

        load(con, extra)
    newer = data.ledger_version()
    assert newer != version
    assert contacts(version) == before  # still the cached result of that version
    assert contacts(newer) == before + 1 and data.read(newer, ledger.ingests).height == ledger_rows + 1


def test_a_nested_option_is_part_of_the_cached_key(db, monkeypatch):
    """The key is the pickled call: two scopes differing only in a field of their options (one
    level down) are two entries, and an equal scope built again is the same entry."""
    calls = []
    module = sys.modules["metrics.fcr"]
    real = module.fcr

    def counted(con, scope, *args, **kwargs):
        calls.append(scope.options.fcr_window_h)
        return real(con, scope, *args, **kwargs)

    monkeypatch.setattr(module, "fcr", counted)
    version = data.ledger_version()
    week = Scope("R1", datetime(2026, 4, 1))
    month = Scope("R1", datetime(2026, 4, 1), options=Options(fcr_window_h=720))
    data.read(version, metrics.fcr, week, "phase")
    data.read(version, metrics.fcr, month, "phase")
    data.read(version, metrics.fcr, Scope("R1", datetime(2026, 4, 1), options=Options(fcr_window_h=720)), "phase")
    assert calls == [168, 720]


@pytest.mark.parametrize("function", [os.getcwd, Scope.at, data.store])
def test_read_calls_only_module_level_functions_of_metrics_and_store(db, function):
    with pytest.raises(ValueError, match="module-level functions"):
        data.read(data.ledger_version(), function)
