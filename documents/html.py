"""Printable, self-contained HTML: the page shell shared by the regulator reports and the review, and
a regulator report laid out like its form (docs/regulator-reports.md#documents).

Every text from the store (recall names, regions, file names) is escaped; the page loads nothing
from anywhere (no scripts, fonts or images outside the file).
"""

from __future__ import annotations

from html import escape
from typing import Any

from documents.formats import cell_text
from metrics.regulator.form import NOT_RECORDED, UNKNOWN, Report, Section

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1a1a1a; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 2pt; } h2 { font-size: 12.5pt; margin: 16pt 0 4pt; break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
.sub { color: #555; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border: 1px solid #9aa3ad; padding: 3pt 5pt; vertical-align: top; }
th { background: #e8edf3; text-align: left; font-weight: 600; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.unknown, td.unrecorded { color: #8a5a00; font-style: italic; text-align: right; }
tr.total td { font-weight: 700; background: #f5f7fa; }
table.head td { border: none; padding: 1pt 6pt 1pt 0; } table.head td:first-child { font-weight: 600; width: 38%; }
table:not(.head) td:first-child { width: 42%; }
.note { color: #555; font-size: 8.5pt; margin: 2pt 0; }
figure { margin: 6pt 0 10pt; break-inside: avoid; } figcaption { color: #555; font-size: 8.5pt; }
svg { max-width: 100%; height: auto; }
.grid { display: flex; gap: 10pt; } .grid > * { flex: 1; }
table.small { font-size: 8pt; } table.small td:first-child { width: auto; }
"""


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def table(columns: list[str], rows: list[list[Any]], totals: set[int] = frozenset(), css: str = "") -> str:
    """A table of ``rows`` (first cell a label, the rest values) under ``columns``; ``css``: its class."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        cells = [f"<td>{escape(str(row[0]))}</td>"] + [_td(v) for v in row[1:]]
        body.append(f"<tr{' class=total' if i in totals else ''}>{''.join(cells)}</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _td(value: Any) -> str:
    text = escape(cell_text(value))
    if value == UNKNOWN:
        return f'<td class="unknown">{text}</td>'
    if value == NOT_RECORDED:
        return f'<td class="unrecorded">{text}</td>'
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>"


def section_html(section: Section) -> str:
    rows = [[r.label, *r.values] for r in section.rows]
    totals = {i for i, r in enumerate(section.rows) if r.total}
    notes = section.notes + [f"{r.label}: {r.note}" for r in section.rows if r.note]
    return (
        f"<h2>{escape(section.title)}</h2>"
        + table([label for _, label in section.columns], rows, totals)
        + "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    )


def report_html(report: Report) -> str:
    head = "".join(f"<tr><td>{escape(k)}</td><td>{escape(cell_text(v))}</td></tr>" for k, v in report.header)
    body = (
        f"<h1>{escape(report.title)}</h1><p class=sub>{escape(report.subtitle)}</p>"
        f'<p class="status"><strong>{escape(report.period["status"])}</strong></p>'
        f'<table class="head">{head}</table>'
        + "".join(section_html(s) for s in report.sections)
        + "".join(f'<p class="note">{escape(n)}</p>' for n in report.notes)
        + f'<p class="note">Made by Recall Ops from the store as of {escape(report.period["status_at"])} '
        "(the period's end, or the report time when earlier). Blank: does not apply; “unknown”: the registry "
        "does not record it; “not recorded”: Recall Ops holds no such data.</p>"
    )
    return page(f"{report.title} — {report.recall_id} — {report.period['label']}", body)
