"""The first sheet of an Excel workbook (``.xlsx``) as text cells, reading only what the sheet holds.

openpyxl's sheet iterators fill every empty cell up to the sheet's declared extent: one stray cell
at row 100,000, column 1,000 of a 5 KB workbook costs a gigabyte. Here the sheet's XML is parsed
row by row (openpyxl's own parser) and only the cells present are kept:

- a row appears only if the sheet holds a cell in it, numbered as in the spreadsheet;
- a row's cells run up to its last cell with a value (never to the sheet's width);
- refused, with a message naming the cell: a value right of column ``MAX_COLUMNS``, below
  Excel's last row, or a used extent (last row × last column holding a value, counted as the rows
  stream by) over ``MAX_CELLS``: reading stops at that row;
- refused before it is opened: a workbook (itself a zip) with a part that would expand more than
  ``MAX_RATIO`` times its packed size, or parts over ``MAX_UNPACKED_BYTES`` in all.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

MAX_COLUMNS = 1_000
MAX_ROW = 1_048_576  # Excel's last row
MAX_CELLS = 20_000_000
MAX_RATIO = 200
MAX_UNPACKED_BYTES = 4 * 1024**3


class SheetTooLarge(Exception):
    """The sheet's extent (or the workbook's unpacked size) is beyond the caps; the message says where."""


def sheet_rows(path: Path, max_row: int | None = None) -> Iterator[tuple[int, list[str | None]]]:
    """(spreadsheet row number, text cells up to the row's last value) for each row of the first
    sheet holding a cell, up to ``max_row``. Raises :class:`SheetTooLarge`; openpyxl's own errors
    for a damaged file pass through."""
    import openpyxl
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    _check_unpacked_size(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        widest = 0
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                if max_row is not None and number > max_row:
                    return
                filled = [c for c in cells if c["value"] is not None and c["value"] != ""]
                last = max((c["column"] for c in filled), default=0)
                where = f"{sheet.title}!{get_column_letter(min(last, 16_384) or 1)}{number}"
                if number > MAX_ROW:
                    raise SheetTooLarge(f"a cell at {where} is below Excel's last row ({MAX_ROW:,})")
                if last > MAX_COLUMNS:
                    raise SheetTooLarge(
                        f"a value at {where} is in column {last:,}; a sheet may use at most {MAX_COLUMNS:,} columns"
                    )
                widest = max(widest, last)
                if filled and number * widest > MAX_CELLS:
                    raise SheetTooLarge(
                        f"values reach row {number:,} and column {widest:,} ({where}): {number * widest:,} cells; "
                        f"a sheet may span at most {MAX_CELLS:,} (rows × columns). Delete the stray cells far "
                        "from the data, or save the sheet as CSV"
                    )
                if not cells:
                    continue
                row: list[str | None] = [None] * last
                for c in filled:
                    cell = ReadOnlyCell(sheet, **c)
                    row[c["column"] - 1] = xlsx_text(cell.value, cell.number_format)
                yield number, row
    finally:
        book.close()


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts would expand past the ratio or the total (a zip bomb)."""
    try:
        parts = zipfile.ZipFile(path).infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl names the damage itself
    for part in parts:
        if part.file_size > max(part.compress_size, 1) * MAX_RATIO + 1_048_576:
            raise SheetTooLarge(f"workbook part {part.filename} expands more than {MAX_RATIO}× (a zip bomb)")
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise SheetTooLarge(f"the workbook unpacks to more than {MAX_UNPACKED_BYTES / 1024**3:g} GiB")


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
