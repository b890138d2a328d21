"""Regulator progress reports, computed from the store (docs/regulator-reports.md).

``build(con, form, recall_id, period, as_of=None)`` returns a :class:`~metrics.regulator.form.Report`
for ``form`` in FORMS, its figures as of min(period end, ``as_of``) — ``as_of`` is the report time
(default now), as in ``metrics report --as-of``; ``.as_dict()`` is the JSON of
``python -m metrics regulator --json``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb

from metrics.periods import Period, PeriodError, parse_period
from metrics.regulator import cpsc, eu, fda, nhtsa
from metrics.regulator.form import NA, NOT_RECORDED, UNKNOWN, Report, figure

FORMS: dict[str, tuple[str, Callable[..., Report]]] = {
    "cpsc": ("US CPSC Monthly Progress Report", cpsc.build),
    "fda": ("US FDA recall status report (21 CFR 7.53)", fda.build),
    "nhtsa": ("US NHTSA quarterly report (49 CFR 573.7)", nhtsa.build),
    "eu": ("EU / UK effectiveness summary (GPSR, PAS 7100)", eu.build),
}


def build(
    con: duckdb.DuckDBPyConnection,
    form: str,
    recall_id: str | None,
    period: str | Period,
    as_of: datetime | str | None = None,
) -> Report:
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}")
    return FORMS[form][1](con, recall_id, period, as_of)


__all__ = [
    "FORMS",
    "NA",
    "NOT_RECORDED",
    "UNKNOWN",
    "Period",
    "PeriodError",
    "Report",
    "build",
    "figure",
    "parse_period",
]
