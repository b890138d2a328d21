"""Salesforce Service Cloud case report, "Details Only" CSV export → contacts.

Headers are report column labels (``Case Number``, ``Date/Time Opened``, ``Case Origin``…),
matched case-insensitively; detected by ``Case Number`` with an opened/closed date, ``Case Origin``
or ``Case Owner``. Every value is quoted. A footer block (report name, "Copyright … salesforce.com",
filter lines) follows the rows: the text is cut at the first blank line outside quotes, and
trailing one-cell lines are dropped too, so the footer is neither data nor quarantined.

Dates are user-locale text in the user's zone (read in the upload's zone): US ``3/5/2024, 9:22 AM``
by default. When a value shows a day above 12 in the first place (``13/03/2024 09:22``), the file
is read day-first (warning), as are dotted dates (``05.03.2024``, always day-first); ``2024/03/05``
is year-month-day. Both orders in one file: left as written, so unreadable values are quarantined.

Labels → API names, then the Case mapping of salesforce_dataloader (:func:`to_contacts`):
``Case Number`` → CaseNumber (the key shared with Data Loader exports), ``Case ID`` → Id,
``Status``, ``Closed`` → IsClosed, ``Date/Time Opened`` / ``Opened Date`` / ``Created Date`` →
CreatedDate, ``Date/Time Closed`` / ``Closed Date`` → ClosedDate, ``Last Modified Date`` →
LastModifiedDate, ``Case Origin`` → Origin, ``Case Type`` → Type, ``Case Reason`` → Reason,
``Escalated`` → IsEscalated, ``Case Owner`` → owner name (a queue when it contains "queue"),
``Contact ID`` → ContactId, ``Web Email`` / ``Web Phone`` → SuppliedEmail / SuppliedPhone,
``Contact Email`` / ``Email`` → ContactEmail, ``Contact Phone`` / ``Phone`` → ContactPhone,
``Contact Mobile`` / ``Mobile`` → ContactMobile, ``Subject`` → Subject.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, Unreadable, norm_header, sniff_delimiter
from connectors.salesforce_dataloader import to_contacts
from connectors.textfile import decode, read_delimited

NAME = "salesforce_report"
LABELS = {
    "case_number": "casenumber",
    "case_id": "id",
    "status": "status",
    "closed": "isclosed",
    "date/time_opened": "createddate",
    "opened_date": "createddate",
    "created_date": "createddate",
    "date/time_closed": "closeddate",
    "closed_date": "closeddate",
    "last_modified_date": "lastmodifieddate",
    "date/time_last_modified": "lastmodifieddate",
    "case_origin": "origin",
    "case_type": "type",
    "case_reason": "reason",
    "subject": "subject",
    "escalated": "isescalated",
    "case_owner": "owner.name",
    "contact_id": "contactid",
    "web_email": "suppliedemail",
    "web_phone": "suppliedphone",
    "contact_email": "contactemail",
    "email": "contactemail",
    "contact_phone": "contactphone",
    "phone": "contactphone",
    "contact_mobile": "contactmobile",
    "mobile": "contactmobile",
}
_REPORT = {"date/time_opened", "opened_date", "created_date", "date/time_closed", "case_origin", "case_owner"}
_DATES = ("createddate", "closeddate", "lastmodifieddate")
_LOCAL = re.compile(
    r"^(\d{1,4})([./-])(\d{1,2})[./-](\d{2,4})\.?(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$"
)


def detect(f: SourceFile) -> str | None:
    heads = {norm_header(h) for h in f.header()}
    if "case_number" in heads and heads & _REPORT:
        return f"Salesforce case report header (Case Number, {', '.join(sorted(heads & _REPORT))})"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    frame, more = read_delimited(f, text=_without_footer(text))
    renames: dict[str, str] = {}
    for c in frame.columns:
        api = LABELS.get(norm_header(c))
        if api and api not in renames.values():
            renames[c] = api
    frame = frame.select([pl.col(c).alias(a) for c, a in renames.items()] + ["source_row"])
    if "createddate" not in frame.columns:
        raise Unreadable(f"{f.name}: Salesforce case report without a Date/Time Opened (Created Date) column")
    frame = _iso_dates(frame, warnings, ctx)
    return to_contacts(frame, f, ctx, warnings + more)


def _without_footer(text: str) -> str:
    """The header and data rows: up to the first blank line outside quotes, minus trailing
    one-cell records (report name, copyright) when the header has several columns."""
    records: list[str] = []
    current, in_quote = "", False
    for line in text.lstrip("\ufeff").splitlines(keepends=True):
        current += line
        in_quote ^= line.count('"') % 2 == 1
        if in_quote:
            continue
        if not current.strip():
            if records:
                break
            current = ""
            continue
        records.append(current)
        current = ""
    if current.strip():
        records.append(current)
    if not records:
        return text
    delim = sniff_delimiter(records[0])
    width = len(_cells(records[0], delim))
    while len(records) > 1 and width > 1 and len(_cells(records[-1], delim)) <= 1:
        records.pop()
    return "".join(records)


def _cells(record: str, delim: str) -> list[str]:
    return next(csv.reader(io.StringIO(record), delimiter=delim), [])


def _iso_dates(frame: pl.DataFrame, warnings: list[str], ctx: ReadContext) -> pl.DataFrame:
    """Locale dates → ``YYYY-MM-DD HH:MM:SS`` (still local): month-first unless a value proves
    day-first, or — values that do not decide (no day above 12) — the upload says day first
    (``ctx.date_format``; the file is noted as ambiguous for the Upload page and the warnings).
    Values that do not look like dates pass through for conform to judge."""
    cols = [c for c in _DATES if c in frame.columns]
    found = [m for c in cols for v in frame[c].drop_nulls() if (m := _LOCAL.match(v.strip()))]
    day_first = any(len(m[1]) < 4 and (int(m[1]) > 12 or m[2] == ".") for m in found)
    month_first = any(len(m[1]) < 4 and int(m[3]) > 12 for m in found)
    numeric = [m for m in found if len(m[1]) < 4]
    if numeric and not day_first and not month_first:
        ctx.findings.ambiguous_dates["created_at"] = numeric[0].group(0)
        ctx.findings.date_orders["created_at"] = (ctx.date_format or "month_first", False)
        day_first = ctx.date_format == "day_first"
    if day_first and month_first:
        warnings.append("Salesforce report dates are both day-first and month-first; unreadable ones are quarantined")
        return frame
    if day_first:
        warnings.append("Salesforce report dates read day-first (day.month or a day above 12 first)")

    def iso(v: str | None) -> str | None:
        m = _LOCAL.match(v.strip()) if v else None
        if not m:
            return v
        a, _sep, b, c, hh, mm, ss, ampm = m.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            year = int(c) + (2000 if len(c) == 2 else 0)
            day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return v
        if hh is None:
            return f"{year:04d}-{month:02d}-{day:02d}"
        hour = int(hh) % 12 + (12 if ampm and ampm.lower() == "p" else 0) if ampm else int(hh)
        return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{mm}:{ss or '00'}"

    return frame.with_columns(pl.col(c).map_elements(iso, return_dtype=pl.String, skip_nulls=True) for c in cols)
