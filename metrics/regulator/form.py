"""A regulator report as data: header fields, then sections of labelled rows under labelled
columns, in the form's order (docs/regulator-reports.md). The JSON of ``--json``, the XLSX and the
HTML are all made from this one structure, so they cannot disagree.

Cell values: a number; ``UNKNOWN`` (the registry does not record it: a supply-chain level or a
disposition); ``NOT_RECORDED`` (Recall Ops holds no such data: incidents, website hits); ``NA`` (the
column does not apply to the row: "this period" of a state such as units involved); a date or
text. Never 0 for something unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

UNKNOWN = "unknown"
NOT_RECORDED = "not recorded"
NA = ""
PERIOD_COLUMNS = (("period", "This period"), ("cumulative", "Cumulative to the period's end"))


@dataclass
class Row:
    key: str
    label: str
    values: list[Any]
    total: bool = False
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label); the first labels the row labels
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, *values: Any, total: bool = False, note: str = "") -> Row:
        if len(values) != len(self.columns) - 1:
            raise ValueError(f"{self.key}.{key}: {len(values)} values for {len(self.columns) - 1} columns")
        row = Row(key, label, [_cell(v) for v in values], total, note)
        self.rows.append(row)
        return row


@dataclass
class Report:
    form: str
    title: str
    subtitle: str
    recall_id: str
    period: dict[str, str]
    header: list[tuple[str, Any]]
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def section(self, key: str, title: str, columns: list[tuple[str, str]]) -> Section:
        s = Section(key, title, columns)
        self.sections.append(s)
        return s

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``--json``: figures under ``sections.<section>.rows.<row>.<column>``."""
        return {
            "form": self.form,
            "title": self.title,
            "subtitle": self.subtitle,
            "recall_id": self.recall_id,
            "period": self.period,
            "header": {label: _cell(value) for label, value in self.header},
            "sections": {
                s.key: {
                    "title": s.title,
                    "columns": {k: label for k, label in s.columns},
                    "rows": {
                        r.key: {"label": r.label, **dict(zip([k for k, _ in s.columns[1:]], r.values, strict=True))}
                        | ({"note": r.note} if r.note else {})
                        for r in s.rows
                    },
                    "notes": s.notes,
                }
                for s in self.sections
            },
            "notes": self.notes,
        }


def figure(report: dict[str, Any], section: str, row: str, column: str) -> Any:
    """One figure of a report's JSON."""
    return report["sections"][section]["rows"][row][column]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return NA
    return value
