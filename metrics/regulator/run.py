"""How every regulator figure's query runs (metrics/regulator/figures.py, people.py)."""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, run
from metrics.periods import Period


def run_period(con: duckdb.DuckDBPyConnection, body: str, recall_id: str, period: Period) -> pl.DataFrame:
    """``body`` after the scope CTEs with the moments by regulator channel (metrics/base.py ``run``)
    for ``recall_id`` as of the period's ``status_at``, with ``$period_start`` its ``start_at``."""
    scope = Scope(recall_id, period.status_at)
    return run(con, body, scope, extra={"period_start": period.start_at}, by_channel=True)
