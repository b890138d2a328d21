"""The report object (docs/cli.md#json-report): every phase (``all`` included) and the coverage
funnel. Its field names are the catalog's (``Metric.report``, metrics/catalog.py) and are a contract.

Filters (channels, dates) narrow the per-phase metrics; coverage is always the whole recall's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from metrics.base import DEFAULT_OPTIONS, NO_FILTERS, Filters, Options, Scope
from metrics.catalog import report_field as field
from metrics.coverage import FUNNEL, coverage
from metrics.csat import csat
from metrics.fcr import fcr
from metrics.handling import handle_time
from metrics.scope import PHASES
from metrics.service import service_level
from metrics.volume import volume
from store.db import read_transaction


class UnknownRecall(LookupError):
    pass


def recall_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT recall_id FROM recalls ORDER BY announced_at, recall_id").fetchall()]


def resolve_recall_id(con: duckdb.DuckDBPyConnection, recall_id: str | None) -> str:
    """``recall_id`` when the store defines it; None names the only recall defined. Else
    :class:`UnknownRecall`, naming the recalls defined."""
    ids = recall_ids(con)
    if recall_id is None:
        if len(ids) != 1:
            raise UnknownRecall(f"name a recall with --recall (defined: {', '.join(ids) or 'none'})")
        return ids[0]
    if recall_id not in ids:
        raise UnknownRecall(f"no recall {recall_id!r} (defined: {', '.join(ids) or 'none'})")
    return recall_id


def _rows(frame: pl.DataFrame, key: str = "phase") -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in frame.iter_rows(named=True)}


def build_report(
    con: duckdb.DuckDBPyConnection,
    recall_id: str | None = None,
    as_of: datetime | str | None = None,
    options: Options = DEFAULT_OPTIONS,
    filters: Filters = NO_FILTERS,
) -> dict[str, Any]:
    """The JSON-ready report for ``recall_id`` (default: the only recall) at ``as_of``, every figure
    read in one transaction (a load committing meanwhile is in all of them or in none)."""
    with read_transaction(con):
        return _report(con, recall_id, as_of, options, filters)


def _report(
    con: duckdb.DuckDBPyConnection,
    recall_id: str | None,
    as_of: datetime | str | None,
    options: Options,
    filters: Filters,
) -> dict[str, Any]:
    scope = Scope(resolve_recall_id(con, recall_id), as_of, options, filters)
    vol = volume(con, scope)
    channels = sorted(set(vol["channel"]) - {"all"})
    handling = handle_time(con, scope, quantiles=False)
    aht = _rows(handling.filter(pl.col("channel") == "all"))
    aht_by = {(r["phase"], r["channel"]): r for r in handling.iter_rows(named=True)}
    sl, fc, cs = (
        _rows(service_level(con, scope)),
        _rows(fcr(con, scope)),
        _rows(csat(con, scope)),
    )
    phases: dict[str, Any] = {}
    for phase in (*PHASES, "all"):
        rows = {r["channel"]: r for r in vol.filter(pl.col("phase") == phase).iter_rows(named=True)}
        total = rows.get("all", {"contacts": 0, "handled": 0})
        phases[phase] = {
            field("contacts"): total["contacts"],
            field("contacts_by_channel"): {ch: rows[ch]["contacts"] if ch in rows else 0 for ch in channels},
            field("channel_mix"): {ch: rows[ch]["share"] if ch in rows else None for ch in channels},
            field("handled"): total["handled"],
            field("fcr"): {"rate": fc[phase]["rate"], "n": fc[phase]["n"], "pending": fc[phase]["pending"]},
            field("aht_s"): {
                "all": aht[phase]["mean_s"],
                **{ch: (aht_by.get((phase, ch)) or {}).get("mean_s") for ch in channels},
            },
            field("service_level"): {"rate": sl[phase]["sl_rate"], "n": sl[phase]["offered"]},
            field("abandon_rate"): {"rate": sl[phase]["abandon_rate"], "n": sl[phase]["offered"]},
            field("asa_s"): sl[phase]["asa_s"],
            field("csat"): {
                "rate": cs[phase]["rate"],
                "n": cs[phase]["n"],
                "ci95": [cs[phase]["ci_low"], cs[phase]["ci_high"]] if cs[phase]["n"] else None,
            },
        }
    cov = coverage(con, scope).row(0, named=True)
    return {
        "recall_id": scope.recall_id,
        "as_of": scope.as_of.isoformat() + "Z",
        "phases": phases,
        "coverage": {field(k): cov[k] for k in COVERAGE_FIELDS},
    }


# The report's coverage object, in this order (the funnel stages, then the unit ledger).
COVERAGE_FIELDS = (*FUNNEL, "affected_units", "remedied_units")
