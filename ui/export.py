"""Tables people download: personal data masked, and safe to open in a spreadsheet.

- Emails become ``a***@example.com`` and phones ``+1******0142`` (last four digits kept) unless
  the viewer may see personal data (admins; README.md#sign-in-roles-and-privacy): the personal
  columns by name, and email and phone patterns inside every other text column (a Mailchimp
  ``source_id`` holds an address; connectors/redact.py).
- Excel downloads drop the control characters a workbook cannot hold (:func:`to_xlsx`).
- Any text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with
  ``'`` so a spreadsheet shows it as text instead of running it as a formula (CSV injection).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import polars as pl
import streamlit as st

from documents.privacy import PII_COLUMNS, mask_email, mask_phone, masked  # noqa: F401 (re-exported)

_FORMULA_START = r"^[=+\-@\t\r]"


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix formula-like text cells with an apostrophe."""
    text = [n for n, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(n).str.contains(_FORMULA_START)).then("'" + pl.col(n)).otherwise(pl.col(n)).alias(n)
        for n in text
    )


def to_xlsx(frame: pl.DataFrame) -> bytes:
    """The frame as a workbook; text cells lose the control characters a workbook cannot hold
    (all below U+0020 but tab, line feed and carriage return: a ``\x0b`` from an export made
    openpyxl refuse the whole file)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(v: object) -> object:
        if isinstance(v, str):
            return ILLEGAL_CHARACTERS_RE.sub("", v)
        return v if isinstance(v, (int, float)) or v is None else ILLEGAL_CHARACTERS_RE.sub("", str(v))

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append([cell(c) for c in frame.columns])
    for row in frame.iter_rows():
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def download_buttons(
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    name: str,
    key: str,
    show_pii: bool = False,
    headers: Mapping[str, str] | None = None,
) -> None:
    """CSV and XLSX download buttons for the numbers behind a chart or table (``frame``, or a
    function returning it), columns renamed to ``headers`` (ui/tables.py). The files are made when
    a button is clicked (Streamlit calls ``data`` then, on another thread), not on every run."""

    def safe() -> pl.DataFrame:
        rows = masked(frame() if callable(frame) else frame, show_pii)
        return spreadsheet_safe(rows.rename(dict(headers), strict=False) if headers else rows)

    left, right = st.columns(2)
    left.download_button("CSV", lambda: safe().write_csv(), f"{name}.csv", "text/csv", key=f"{key}_csv")
    right.download_button(
        "Excel",
        lambda: to_xlsx(safe()),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
    )
