"""A regulator report as an XLSX laid out like the form (docs/regulator-reports.md#documents): title,
"Status as of …" (the moment of its figures), header fields, then each section's table with the
form's labels in the form's order, and its notes.

Numbers are numbers (rates formatted as percentages); markers (``unknown``, ``not recorded``) are
text; text that a spreadsheet would run as a formula is written with a leading apostrophe.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from metrics.regulator.form import Report

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="E8EDF3")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLES = {"cpsc": "Monthly Progress Report", "fda": "Status report 7.53", "nhtsa": "Quarterly report 573.7"}


def to_xlsx(report: Report) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLES.get(report.form, "Effectiveness summary")
    widest = max((len(s.columns) for s in report.sections), default=2)
    ws.column_dimensions["A"].width = 62
    for i in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(i)].width = 20
    ws.append([_safe(report.title)])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=14)
    ws.append([_safe(report.subtitle)])
    ws.cell(ws.max_row, 1).font = Font(italic=True, color="555555")
    ws.append([_safe(report.period["status"])])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    for label, value in report.header:
        ws.append([label, _safe(value)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    for section in report.sections:
        ws.append([])
        ws.append([section.title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.append([label for _, label in section.columns])
        for col in range(1, len(section.columns) + 1):
            c = ws.cell(ws.max_row, col)
            c.font, c.fill, c.border = Font(bold=True), _HEAD, _BOX
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for row in section.rows:
            ws.append([row.label, *(_safe(v) for v in row.values)])
            for col in range(1, len(section.columns) + 1):
                c = ws.cell(ws.max_row, col)
                c.border = _BOX
                if row.total:
                    c.font = Font(bold=True)
                if isinstance(c.value, float):
                    c.number_format = "0.0%"
                elif isinstance(c.value, int):
                    c.number_format = "#,##0"
        for note in section.notes + [r.note for r in section.rows if r.note]:
            ws.append([_safe(note)])
            ws.cell(ws.max_row, 1).font = Font(italic=True, color="555555")
    if report.notes:
        ws.append([])
        for note in report.notes:
            ws.append([_safe(note)])
    wb.properties.creator = "Recall Ops"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
