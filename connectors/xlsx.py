"""Excel workbooks (``.xlsx``) as text cells: the first sheet, read with openpyxl in read-only mode.

Below every other connector module (connectors/base.py reads a workbook's header row through it,
connectors/textfile.py its rows), so it imports nothing from connectors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def xlsx_rows(path: Path, max_row: int | None = None) -> list[list[str | None]]:
    """Rows of the first sheet as text cells (:func:`xlsx_text`), up to ``max_row``."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            [xlsx_text(c.value, getattr(c, "number_format", None)) for c in row]
            for row in sheet.iter_rows(max_row=max_row)
        ]
    finally:
        book.close()


def xlsx_text(value: object, number_format: str | None = None) -> str | None:
    """One cell as text: empty → None; a date-time → ISO 8601 without offset (a date when the cell
    is formatted as a date only); a time → ``HH:MM:SS``; a duration → ``HH:MM:SS``; an integral
    number without ``.0``; booleans ``true``/``false``; text as written."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        fmt = (number_format or "").lower()
        if value.time() == dt.time(0) and "h" not in fmt and "s" not in fmt:
            return value.date().isoformat()
        return value.isoformat(sep="T")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        s = int(value.total_seconds())
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)
