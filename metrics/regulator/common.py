"""What every regulator report starts from: the recall, the period, and its figures read once
(metrics/regulator/figures.py), with the rules for unknown values (docs/regulator-reports.md#unknown-values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from metrics.base import as_utc
from metrics.periods import Period, parse_period
from metrics.regulator import figures
from metrics.regulator.form import NA, UNKNOWN
from metrics.report import resolve_recall_id
from store.db import read_transaction

LEVEL_LABELS = {
    "manufacturer": "With manufacturer",
    "distributor": "With distributor",
    "retailer": "With retailers",
    "consumer": "With consumers",
}
DISPOSITION_LABELS = {
    "exported": "Exported",
    "stolen": "Stolen",
    "scrapped": "Scrapped or destroyed by the owner",
    "not_notified": "Not notified (no address)",
    "no_remedy_needed": "Inspected, no remedy needed",
    "other": "Other",
}
REMEDY_LABELS = {
    "repair": "Repaired",
    "replace": "Replaced",
    "refund": "Refunded (returned)",
    "destroy": "Destroyed or disposed of",
    "unknown": "Remedy type not recorded",
}
# Dispositions that account for a unit that was not remedied (not_notified and other do not).
ACCOUNTED = ("exported", "stolen", "scrapped", "no_remedy_needed")


@dataclass
class Facts:
    """A recall's figures for one period. ``people``, ``contacts`` and ``states`` are None when only
    the unit figures were read (:func:`read_facts` ``units_only``); ``groups``: the people figures
    by region or lot when asked for (``people_by``)."""

    recall: dict[str, Any]
    period: Period
    units: pl.DataFrame
    people: pl.DataFrame | None
    contacts: pl.DataFrame | None
    states: dict[str, int] | None
    groups: pl.DataFrame | None = None

    @property
    def recall_id(self) -> str:
        return self.recall["recall_id"]

    def unit(self, column: str, **where: Any) -> int:
        return figures.pick(self.units, column, **where)

    def person(self, kind: str, column: str, channel: str = "all") -> int:
        return figures.pick(self.people, column, grp="all", kind=kind, channel=channel)

    def moment(self, kind: str, column: str, channel: str = "all") -> datetime | None:
        rows = self.people.filter(grp="all", kind=kind, channel=channel)
        return rows[column][0] if rows.height else None

    def levels_known(self) -> bool:
        return bool(self.units.filter(pl.col("level") != "unknown").height)

    def dispositions_known(self) -> bool:
        return bool(self.units.filter(pl.col("disposition") != "none").height)

    def local(self, instant: datetime | None, with_time: bool = True) -> str:
        """A naive UTC instant as local text in the recall's zone (NA when None)."""
        if instant is None:
            return NA
        at = instant.replace(tzinfo=UTC).astimezone(ZoneInfo(self.recall["timezone"]))
        return at.strftime("%Y-%m-%d %H:%M %Z") if with_time else at.date().isoformat()

    def level_value(self, level: str, column: str) -> int | str:
        """A level's unit figure, or UNKNOWN when the registry records no level at all."""
        return self.unit(column, level=level) if self.levels_known() else UNKNOWN

    def disposition_value(self, disposition: str, column: str) -> int | str:
        return self.unit(column, disposition=disposition) if self.dispositions_known() else UNKNOWN

    def period_text(self) -> str:
        p = self.period
        return f"{p.first_day} to {p.last_day} ({p.timezone})"


def recall_row(con: duckdb.DuckDBPyConnection, recall_id: str | None) -> dict[str, Any]:
    rid = resolve_recall_id(con, recall_id)
    return con.sql("SELECT * FROM recalls WHERE recall_id = $r", params={"r": rid}).pl().row(0, named=True)


def read_facts(
    con: duckdb.DuckDBPyConnection,
    recall_id: str | None,
    period: str | Period,
    as_of: datetime | str | None = None,
    units_only: bool = False,
    people_by: str | None = None,
) -> Facts:
    """The recall and its figures for ``period`` (text is parsed in the recall's zone) reported at
    ``as_of`` (default now; ISO 8601 text allowed): as of min(period end, ``as_of``)
    (metrics/periods.py), read in one transaction. PeriodError when the period starts after ``as_of``.
    ``units_only``: the registry's unit figures alone (what a schedule of earlier reports shows);
    the people and contact figures, the costly reads of every event, are left out (None).
    ``people_by`` (``region`` or ``lot``): also the people figures by that group, in the same pass
    over the period's events (figures.people_and_groups)."""
    with read_transaction(con):
        recall = recall_row(con, recall_id)
        p = period if isinstance(period, Period) else parse_period(period, recall["timezone"])
        p = p.at(as_utc(as_of))
        rid = recall["recall_id"]
        units = figures.units(con, rid, p)
        if units_only:
            return Facts(recall, p, units, None, None, None)
        if people_by is None:
            people, groups = figures.people(con, rid, p), None
        else:
            people, groups = figures.people_and_groups(con, rid, p, people_by)
        return Facts(
            recall, p, units, people, figures.contacts(con, rid, p), figures.person_states(con, rid, p), groups
        )
