"""XLSX through the shared reader (connectors/textfile.py), header detection for workbooks, and
rows with more cells than the header: quarantined, never silently truncated.

Expected values are worked out by hand: the recall (tests/fixtures/metrics/recall.toml) is in
America/Chicago, CST (UTC-6) until 2026-03-08, CDT (UTC-5) after.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from conftest import METRIC_FIXTURES, load

from connectors import freshdesk_csv, registry
from connectors.base import ReadContext, SourceFile
from connectors.load import Failure, detect, ingest_paths
from connectors.textfile import read_delimited, read_table, xlsx_text

RECALL = METRIC_FIXTURES / "recall.toml"
HEADER = ["Serial", "Customer ID", "Email", "Phone", "Region", "Remedy", "Completed at"]


def workbook(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def affected(con):
    return con.execute(
        "SELECT unit_id, customer_ref, customer_email, customer_phone, region, remedy, remedy_completed_at, "
        "source_row FROM affected ORDER BY source_row"
    ).fetchall()


@pytest.fixture
def registry_xlsx(tmp_path):
    return workbook(
        tmp_path / "registrations.xlsx",
        [
            HEADER,
            [100234, 5001, " Ann@Example.com ", "+1 312 555 0101", "IL", "Refund", dt.datetime(2026, 3, 4, 14, 30)],
            [100235, None, "bob@example.com", None, None, "replace", dt.date(2026, 3, 10)],
            [None] * 7,  # an empty row is not a record
            ["A-7", 5003.0, None, None, "TX", None, None],
        ],
    )


def test_registry_reads_xlsx_with_dates_integers_and_empty_cells(store, registry_xlsx):
    load(store, RECALL)
    (result,) = load(store, registry_xlsx)
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("registry", 3, 3, 0)
    assert affected(store) == [
        # 14:30 CST = 20:30 UTC; integers without ".0"; the email trimmed and lower-cased
        ("100234", "5001", "ann@example.com", "+13125550101", "IL", "refund", dt.datetime(2026, 3, 4, 20, 30), 2),
        # a date-only cell is local midnight: 00:00 CDT = 05:00 UTC; empty cells are null
        ("100235", None, "bob@example.com", None, None, "replace", dt.datetime(2026, 3, 10, 5, 0), 3),
        # row 4 is empty: the next record keeps its spreadsheet row number 5; 5003.0 is "5003"
        ("A-7", "5003", None, None, "TX", None, None, 5),
    ]
    again = load(store, registry_xlsx)[-1]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_read_xlsx_gives_text_cells_and_spreadsheet_rows(registry_xlsx):
    frame, warnings = read_table(SourceFile(registry_xlsx.name, registry_xlsx))
    assert warnings == []
    assert frame.columns == [*HEADER, "source_row"]
    assert frame.row(0) == ("100234", "5001", " Ann@Example.com ", "+1 312 555 0101", "IL", "Refund",
                            "2026-03-04T14:30:00", 2)  # fmt: skip
    assert frame.row(1) == ("100235", None, "bob@example.com", None, None, "replace", "2026-03-10", 3)
    assert frame["source_row"].to_list() == [2, 3, 5]


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (None, None, None),
        ("", None, None),
        (15555550123, "General", "15555550123"),
        (1.0, "General", "1"),
        (2.5, "General", "2.5"),
        (True, "General", "true"),
        (dt.datetime(2026, 3, 4, 14, 30), "yyyy-mm-dd h:mm:ss", "2026-03-04T14:30:00"),
        (dt.datetime(2026, 3, 4, 0, 0), "yyyy-mm-dd h:mm", "2026-03-04T00:00:00"),  # a time format: a time
        (dt.datetime(2026, 3, 10, 0, 0), "yyyy-mm-dd", "2026-03-10"),
        (dt.time(0, 12), "h:mm:ss", "00:12:00"),
        (dt.timedelta(hours=26, minutes=30), "[h]:mm:ss", "26:30:00"),
        ("Text as written ", "General", "Text as written "),
    ],
)
def test_xlsx_cell_text(value, number_format, text):
    assert xlsx_text(value, number_format) == text


def test_header_of_an_xlsx_is_its_first_row(tmp_path, registry_xlsx):
    f = SourceFile(registry_xlsx.name, registry_xlsx)
    assert f.header() == HEADER
    assert registry.detect(f)
    assert detect(f)[0] is registry
    padded = workbook(tmp_path / "padded.xlsx", [[" serial ", "email", None, None], ["S1", "a@example.com"]])
    assert SourceFile("padded.xlsx", padded).header() == ["serial", "email"]  # trimmed, no trailing blanks


def test_damaged_or_unknown_xlsx_gets_one_clear_message(store, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    other = workbook(tmp_path / "other.xlsx", [["Foo", "Bar"], [1, 2]])
    assert SourceFile("broken.xlsx", broken).header() == []
    results = ingest_paths(store, [broken, other])
    assert [type(r) for r in results] == [Failure, Failure]
    assert results[0].message == "broken.xlsx: not a readable Excel workbook (BadZipFile: File is not a zip file)"
    assert results[1].message == "other.xlsx: no connector recognises this file (header: Foo, Bar)"
    assert store.execute("SELECT count(*) FROM ingests").fetchall() == [(0,)]


def test_xlsx_cells_right_of_the_header_quarantine_the_row(store, tmp_path):
    load(store, RECALL)
    path = workbook(
        tmp_path / "units.xlsx",
        [["serial", "email"], ["S1", "a@example.com"], ["S2", "b@example.com", None, "note"], ["S3", "c@example.com"]],
    )
    (result,) = load(store, path)
    assert (result.read, result.inserted, result.quarantined) == (3, 2, 1)
    assert store.execute("SELECT source_row, column_name, reason, raw FROM quarantine").fetchall() == [
        (3, "_extra_cells", "row has 2 more cells than the header", json.dumps(["", "note"]))
    ]


RAGGED = (
    "serial,email,region\n"
    "S1,a@example.com,IL\n"
    'S2,b@example.com,TX,oops,"x,y"\n'  # two cells more than the header: quarantined
    "S3,c@example.com,CA,,\n"  # surplus cells all empty: a trailing delimiter, nothing lost
    "S4,d@example.com\n"  # fewer cells: the missing ones are empty
)


def test_ragged_csv_rows_are_quarantined_and_counted(store, tmp_path):
    load(store, RECALL)
    path = tmp_path / "registry.csv"
    path.write_text(RAGGED)
    (result,) = load(store, path)
    assert (result.read, result.inserted, result.updated, result.unchanged, result.quarantined) == (4, 3, 0, 0, 1)
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    assert store.execute("SELECT unit_id, region, source_row FROM affected ORDER BY unit_id").fetchall() == [
        ("S1", "IL", 2),
        ("S3", "CA", 4),
        ("S4", None, 5),
    ]
    assert store.execute("SELECT source_row, column_name, reason, raw FROM quarantine").fetchall() == [
        (3, "_extra_cells", "row has 2 more cells than the header", '["oops", "x,y"]')
    ]
    ledger = store.execute("SELECT rows_read, rows_inserted, rows_quarantined FROM ingests").fetchall()
    assert ledger == [(1, 1, 0), (4, 3, 1)]  # the recall, then the registry
    again = load(store, path)[-1]
    assert (again.read, again.inserted, again.updated, again.unchanged, again.quarantined) == (4, 0, 0, 3, 1)


def test_read_delimited_without_extra_cells_warns_instead_of_dropping_silently(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(RAGGED)
    frame, warnings = read_delimited(SourceFile(path.name, path))
    assert "_extra_cells" not in frame.columns
    assert frame.height == 4
    assert warnings == ["1 row(s) have more cells than the header; extra cells ignored (rows 3)"]
    frame, warnings = read_delimited(SourceFile(path.name, path), extra_cells=True)
    assert frame["_extra_cells"].to_list() == [None, '["oops", "x,y"]', None, None]
    assert frame.columns == ["source_row", "serial", "email", "region", "_extra_cells"]


def test_freshdesk_csv_quarantines_a_ragged_row(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("Ticket ID,Created time,Source\n1,2024-03-05 09:00:00,Email\n2,2024-03-05 10:00:00,Phone,extra\n")
    parsed = freshdesk_csv.read(SourceFile(path.name, path), ReadContext(tz="UTC"))
    assert parsed.tables["contacts"]["source_id"].to_list() == ["1"]
    assert parsed.rejects.rows() == [(3, "_extra_cells", "row has 1 more cell than the header", '["extra"]', "2")]
    assert parsed.rows_read == 2


# --- issue 13 item 2: a workbook is read by the cells it holds, within caps on its extent ----------


def stray(path, row: int, column: int, value="stray"):
    """The registry sheet plus one cell far away (a 5 KB file: openpyxl stores only that cell)."""
    book = openpyxl.Workbook()
    for r in [HEADER, ["S-1", 1, "a@example.com", None, "IL", None, None]]:
        book.active.append(r)
    book.active.cell(row=row, column=column, value=value)
    book.save(path)
    return path


def test_one_stray_cell_at_row_100000_column_1000_is_refused_naming_the_cell(store, tmp_path):
    path = stray(tmp_path / "bomb.xlsx", 100_000, 1_000)
    assert path.stat().st_size < 10_000
    load(store, RECALL)
    (failure,) = ingest_paths(store, [path])
    assert isinstance(failure, Failure)
    assert failure.message == (
        "bomb.xlsx: values reach row 100,000 and column 1,000 (Sheet!ALL100000): 100,000,000 cells; a sheet may "
        "span at most 20,000,000 (rows × columns). Delete the stray cells far from the data, or save the sheet as "
        "CSV; refused"
    )
    assert store.execute("SELECT count(*) FROM affected").fetchall() == [(0,)]


def test_a_value_at_the_sheets_last_cell_is_refused_without_filling_the_sheet(store, tmp_path):
    (failure,) = ingest_paths(store, [stray(tmp_path / "last.xlsx", 1_048_576, 16_384)])
    assert failure.message == (
        "last.xlsx: a value at Sheet!XFD1048576 is in column 16,384; a sheet may use at most 1,000 columns; refused"
    )


def test_a_stray_cell_within_the_caps_is_read_as_the_cell_it_is(store, tmp_path):
    """Row 5000, column 40: rows 3..4999 are not made up, and row 5000 (no serial, one cell right of
    the header) is quarantined for both, under its spreadsheet row number."""
    load(store, RECALL)
    (result,) = load(store, stray(tmp_path / "far.xlsx", 5_000, 40))
    assert (result.read, result.inserted, result.quarantined) == (2, 1, 1)
    assert store.execute(
        "SELECT source_row, column_name FROM quarantine WHERE ingest_id = ?", [result.ingest_id]
    ).fetchall() == [(5000, "unit_id"), (5000, "_extra_cells")]


def test_a_workbook_part_that_would_unpack_like_a_bomb_is_refused_before_it_is_opened(store, tmp_path):
    import zipfile

    path = workbook(tmp_path / "book.xlsx", [HEADER, ["S-1", 1, None, None, "IL", None, None]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (50 * 1024 * 1024))
    (failure,) = ingest_paths(store, [path])
    assert "workbook part xl/media/padding.bin expands more than 200×" in failure.message


def test_the_upload_preview_refuses_the_stray_cell_workbook(empty_db, tmp_path):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest
    from test_upload_page import PAGE

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["upload_seed"] = [("bomb.xlsx", stray(tmp_path / "bomb.xlsx", 100_000, 1_000).read_bytes())]
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert any("values reach row 100,000 and column 1,000" in e.value for e in at.error)
