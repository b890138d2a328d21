"""Salesforce Service Cloud Case connectors: report CSV (salesforce_report) and Data Loader CSV
(salesforce_dataloader). Records composed after docs/vendor-formats.md#salesforce-service-cloud; expected by hand.
Report times are local (America/Chicago, CST = UTC-6 before 2024-03-10); Data Loader times are UTC.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors import CONNECTORS, salesforce_dataloader, salesforce_report
from connectors.base import ReadContext, SourceFile, Unreadable
from connectors.load import Failure, ingest_paths
from store.db import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"
TZ = "America/Chicago"
REPORT_HEADER = [
    "Case Number",
    "Subject",
    "Status",
    "Case Origin",
    "Date/Time Opened",
    "Date/Time Closed",
    "Case Owner",
]
FOOTER = '\n"Acme Recall Cases"\n"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
DL_HEADER = ["ID", "CASENUMBER", "STATUS", "ORIGIN", "ISCLOSED", "ISESCALATED", "CREATEDDATE", "CLOSEDDATE", "OWNERID"]
DL_BASE = {
    "ID": "5003x00002AbCdEAAV",
    "CASENUMBER": "00001027",
    "STATUS": "Working",
    "ORIGIN": "Phone",
    "ISCLOSED": "false",
    "ISESCALATED": "false",
    "CREATEDDATE": "2024-03-05T14:14:02.000Z",
    "CLOSEDDATE": "",
    "OWNERID": "0053x00000AgNtAAAV",
}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def claimed_by(path: Path) -> list[str]:
    f = SourceFile(path.name, path)
    return [c.NAME for c in CONNECTORS if c.detect(f)]


def quoted(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def write_report(path: Path, rows: list[list[str]], header: list[str] = REPORT_HEADER, footer: str = FOOTER) -> Path:
    path.write_text("\n".join([quoted(header)] + [quoted(r) for r in rows]) + "\n" + footer, encoding="utf-8")
    return path


def read_report(tmp_path: Path, rows: list[list[str]], **kw):
    path = write_report(tmp_path / "report.csv", rows, **kw)
    assert claimed_by(path) == ["salesforce_report"]
    return salesforce_report.read(SourceFile(path.name, path), ReadContext(tz=TZ))


def read_dl(tmp_path: Path, rows: list[dict], header: list[str] = DL_HEADER):
    path = tmp_path / "extract.csv"
    lines = [quoted(header)] + [quoted([(DL_BASE | r).get(h, "") for h in header]) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert claimed_by(path) == ["salesforce_dataloader"]
    return salesforce_dataloader.read(SourceFile(path.name, path), ReadContext(tz=TZ))


def one(parsed) -> dict:
    assert parsed.tables["contacts"].height == 1, parsed.rejects
    return parsed.tables["contacts"].row(0, named=True)


# --- report export ---------------------------------------------------------------------------------


def test_report_fixture_footer_is_neither_data_nor_reject():
    path = FIXTURES / "salesforce_report.csv"
    parsed = salesforce_report.read(SourceFile(path.name, path), ReadContext(tz=TZ))
    assert parsed.rows_read == 5
    assert parsed.rejects.height == 0
    assert parsed.tables["contacts"]["source_id"].to_list() == [
        "00001027",
        "00001028",
        "00001029",
        "00001030",
        "00001031",
    ]


@pytest.mark.parametrize(
    "footer",
    [
        FOOTER,
        '"Acme Recall Cases"\n"Copyright (c) 2000-2024 salesforce.com, inc."\n',  # no blank line before it
        "\n\n",
        "",
    ],
)
def test_report_footer_variants(tmp_path, footer):
    parsed = read_report(
        tmp_path, [["00001027", "Lot check", "New", "Phone", "3/5/2024, 6:14 AM", "", "Sam"]], footer=footer
    )
    assert (parsed.rows_read, parsed.rejects.height, one(parsed)["source_id"]) == (1, 0, "00001027")


def test_report_multiline_description_with_blank_line_is_one_record(tmp_path):
    header = [*REPORT_HEADER, "Description"]
    rows = [
        ["00001027", "Lot check", "New", "Phone", "3/5/2024, 6:14 AM", "", "Sam", "line one\n\nline three"],
        ["00001028", "Refund", "New", "Web", "3/5/2024, 7:03 AM", "", "Sam", "x"],
    ]
    parsed = read_report(tmp_path, rows, header=header)
    assert parsed.tables["contacts"].select("source_id", "source_row").rows() == [("00001027", 2), ("00001028", 3)]


DATE_CASES = [
    ("3/5/2024, 6:14 AM", utc("2024-03-05 12:14:00")),
    ("3/5/2024, 12:05 AM", utc("2024-03-05 06:05:00")),
    ("3/5/2024, 12:30 PM", utc("2024-03-05 18:30:00")),
    ("3/5/2024, 9:22 PM", utc("2024-03-06 03:22:00")),
    ("03/05/2024 14:22", utc("2024-03-05 20:22:00")),
    ("2024/03/05 6:14", utc("2024-03-05 12:14:00")),
    ("05.03.2024, 06:14", utc("2024-03-05 12:14:00")),  # dotted: day first
    ("3/5/24, 6:14 AM", utc("2024-03-05 12:14:00")),
]


@pytest.mark.parametrize("opened, expected", DATE_CASES)
def test_report_locale_dates(tmp_path, opened, expected):
    row = one(read_report(tmp_path, [["00001027", "s", "New", "Phone", opened, "", "Sam"]]))
    assert row["created_at"] == expected


def test_report_day_first_file(tmp_path):
    rows = [
        ["00001027", "s", "Closed", "Phone", "05/03/2024 06:14", "13/03/2024 08:00", "Sam"],
        ["00001028", "s", "New", "Phone", "06/03/2024 09:00", "", "Sam"],
    ]
    parsed = read_report(tmp_path, rows)
    got = parsed.tables["contacts"].select("created_at", "resolved_at").rows()
    assert got == [
        (utc("2024-03-05 12:14:00"), utc("2024-03-13 13:00:00")),  # 13 March is after the DST switch: CDT
        (utc("2024-03-06 15:00:00"), None),
    ]
    assert any("day-first" in w for w in parsed.warnings)


def test_report_owner_queue_escalated_and_contact_fields(tmp_path):
    header = [*REPORT_HEADER, "Escalated", "Case Reason", "Case Type", "Web Email", "Web Phone", "Contact Email"]
    opened = "3/5/2024, 7:03 AM"
    rows = [
        ["1", "Stuck", "Working", "Web", opened, "", "Recall Queue", "0", "", "Problem", "a@example.com", "", ""],
        [
            "2",
            "s",
            "Working",
            "Email",
            opened,
            "",
            "Ana Ortiz",
            "1",
            "Recall",
            "Problem",
            "",
            "+1 312 555 0101",
            "B@Example.com",
        ],
    ]
    got = (
        read_report(tmp_path, rows, header=header)
        .tables["contacts"]
        .select("agent", "queue", "is_transferred", "reason", "customer_email", "customer_phone", "subject")
    )
    assert got.rows() == [
        (None, "Recall Queue", False, "Problem", "a@example.com", None, "Stuck"),
        ("Ana Ortiz", None, True, "Recall", "b@example.com", "+13125550101", "s"),
    ]


def test_report_without_opened_date_is_unreadable(tmp_path):
    path = write_report(
        tmp_path / "r.csv", [["1", "Phone", "Sam"]], header=["Case Number", "Case Origin", "Case Owner"]
    )
    with pytest.raises(Unreadable, match="Date/Time Opened"):
        salesforce_report.read(SourceFile(path.name, path), ReadContext())


# --- shared Case mapping (via Data Loader) ---------------------------------------------------------

ORIGIN_CASES = [
    ("Phone", "phone", "inbound"),
    ("Email", "email", "inbound"),
    ("Email-to-Case", "email", "inbound"),
    ("E-mail", "email", "inbound"),
    ("Web", "web", "inbound"),
    ("Web Chat", "chat", "inbound"),
    ("Chat", "chat", "inbound"),
    ("Customer Portal", "web", "inbound"),
    ("Community", "web", "inbound"),
    ("Facebook", "social", "inbound"),
    ("Twitter", "social", "inbound"),
    ("WhatsApp", "whatsapp", "inbound"),
    ("SMS", "sms", "inbound"),
    ("Callback", "phone", "inbound"),
    ("Outbound Call", "phone", "outbound"),
    ("Outbound Email", "email", "outbound"),
]


@pytest.mark.parametrize("origin, channel, direction", ORIGIN_CASES)
def test_origin_to_channel(tmp_path, origin, channel, direction):
    row = one(read_dl(tmp_path, [{"ORIGIN": origin}]))
    assert (row["channel"], row["direction"]) == (channel, direction)


@pytest.mark.parametrize("origin", ["Recall Desk", "Walk-in", "Letter", "Outbound Letter"])
def test_origin_that_is_none_of_our_channels_is_other(tmp_path, origin):
    parsed = read_dl(tmp_path, [{"CASENUMBER": "1"}, {"CASENUMBER": "2", "ORIGIN": origin}])
    assert parsed.tables["contacts"]["source_id"].to_list() == ["1", "2"]
    row = parsed.tables["contacts"].row(1, named=True)
    assert (row["channel"], row["direction"]) == ("other", "outbound" if "Outbound" in origin else "inbound")
    assert parsed.rejects.height == 0


def test_blank_origin_is_quarantined_as_missing_channel(tmp_path):
    parsed = read_dl(tmp_path, [{"ORIGIN": ""}])
    assert parsed.rejects.select("column_name", "reason").rows() == [("channel", "channel is required")]


STATUS_CASES = [
    # (Status, IsClosed, ClosedDate, expected)
    ("New", "false", "", "new"),
    ("Working", "false", "", "open"),
    ("Escalated", "false", "", "open"),
    ("On Hold", "false", "", "hold"),
    ("Waiting on Customer", "false", "", "pending"),
    ("Closed", "true", "2024-03-05T15:00:00.000Z", "closed"),
    ("Resolved", "true", "2024-03-05T15:00:00.000Z", "solved"),
    ("Done - Replaced", "true", "2024-03-05T15:00:00.000Z", "closed"),  # custom closed label: IsClosed decides
    ("Closed", "false", "", "open"),  # label says closed, the status' IsClosed flag says not
    ("Awaiting Parts", "false", "", "open"),
    ("Awaiting Parts", "", "", "open"),  # no IsClosed, no ClosedDate
    ("Done - Replaced", "", "2024-03-05T15:00:00.000Z", "closed"),  # no IsClosed, ClosedDate set
    ("", "true", "2024-03-05T15:00:00.000Z", "closed"),
]


@pytest.mark.parametrize("status, is_closed, closed_date, expected", STATUS_CASES)
def test_status(tmp_path, status, is_closed, closed_date, expected):
    row = one(read_dl(tmp_path, [{"STATUS": status, "ISCLOSED": is_closed, "CLOSEDDATE": closed_date}]))
    assert row["status"] == expected


def test_unknown_status_warning(tmp_path):
    parsed = read_dl(tmp_path, [{"STATUS": "Awaiting Parts"}])
    assert parsed.warnings == ["Salesforce case statuses not recognised (read by IsClosed/ClosedDate): Awaiting Parts"]


DL_CASES = [
    (
        {},
        {
            "source": "salesforce",
            "source_id": "00001027",  # CaseNumber, leading zeros kept
            "created_at": utc("2024-03-05 14:14:02"),
            "resolved_at": None,
            "agent": "0053x00000AgNtAAAV",
            "queue": None,
            "is_transferred": False,
            "first_reply_at": None,
            "tags": [],
        },
    ),
    ({"CLOSEDDATE": "2024-03-05T14:52:40.000Z", "ISCLOSED": "true"}, {"resolved_at": utc("2024-03-05 14:52:40")}),
    ({"OWNERID": "00G3x000004QuEuEAK"}, {"agent": None, "queue": "00G3x000004QuEuEAK"}),
    ({"ISESCALATED": "true"}, {"is_transferred": True}),
    ({"STATUS": "Escalated"}, {"is_transferred": True, "status": "open"}),
]


@pytest.mark.parametrize("override, expected", DL_CASES)
def test_dataloader_mapping(tmp_path, override, expected):
    row = one(read_dl(tmp_path, [override]))
    assert {k: row[k] for k in expected} == expected


def test_dataloader_mixed_case_headers_and_relationship_columns(tmp_path):
    row = {
        "Id": "5003x00002AbCdEAAV",
        "CaseNumber": "00001040",
        "Status": "New",
        "Origin": "Web",
        "IsClosed": "false",
        "CreatedDate": "2024-03-05T14:14:02.000+0000",
        "LastModifiedDate": "2024-03-06T08:00:00.000Z",
        "OwnerId": "00G3x000004QuEuEAK",
        "Owner.Name": "Recall Hotline",
        "ContactId": "0033x00001XyZabAAB",
        "ContactEmail": "",
        "SuppliedEmail": "Web@Example.com",
        "SuppliedPhone": "+1 312 555 0102",
        "Reason": "",
        "Type": "Problem",
    }
    header = list(row)
    path = tmp_path / "extract.csv"
    path.write_text(quoted(header) + "\n" + quoted([row[h] for h in header]) + "\n", encoding="utf-8")
    assert claimed_by(path) == ["salesforce_dataloader"]
    got = one(salesforce_dataloader.read(SourceFile(path.name, path), ReadContext()))
    expected = {
        "source_id": "00001040",
        "queue": "Recall Hotline",
        "agent": None,
        "updated_at": utc("2024-03-06 08:00:00"),
        "customer_email": "web@example.com",
        "customer_phone": "+13125550102",
        "customer_ref": "0033x00001XyZabAAB",
        "reason": "Problem",
        "created_at": utc("2024-03-05 14:14:02"),
    }
    assert {k: got[k] for k in expected} == expected


def test_dataloader_without_casenumber_uses_id_with_a_warning(tmp_path):
    header = ["Id", "Origin", "CreatedDate"]
    record = {"Id": "5003x00002AbCdEAAV", "Origin": "Phone", "CreatedDate": DL_BASE["CREATEDDATE"]}
    parsed = read_dl(tmp_path, [record], header=header)
    assert one(parsed)["source_id"] == "5003x00002AbCdEAAV"
    assert any("keyed by Id" in w for w in parsed.warnings)


def test_dataloader_without_any_key_is_unreadable(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"ORIGIN","CREATEDDATE"\n"Phone","2024-03-05T14:14:02.000Z"\n', encoding="utf-8")
    with pytest.raises(Unreadable, match="CaseNumber"):
        salesforce_dataloader.read(SourceFile(path.name, path), ReadContext())


@pytest.mark.parametrize(
    "header",
    [
        "Id,Name,CreatedDate,AccountNumber",  # another Salesforce object
        "source,source_id,channel,direction,created_at",  # canonical contacts
        "Ticket ID,Subject,Via,Requester email,Created at",  # Zendesk
        "serial,email,region",  # registry
    ],
)
def test_detect_leaves_other_layouts_alone(tmp_path, header):
    path = tmp_path / "other.csv"
    path.write_text(header + "\n" + ",".join("x" for _ in header.split(",")) + "\n", encoding="utf-8")
    assert not {"salesforce_report", "salesforce_dataloader"} & set(claimed_by(path))


# --- end to end through the store ------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["salesforce_report.csv", "salesforce_dataloader.csv"])
def test_store_load_twice(tmp_path, fixture):
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / fixture
    first = ingest_paths(con, [path], recall_id=None, tz=TZ)[0]
    assert not isinstance(first, Failure), first
    assert (first.read, first.inserted, first.quarantined) == (5, 5, 0)
    table = "SELECT * EXCLUDE (ingest_id) FROM contacts ORDER BY source_id"
    before = con.execute(table).fetchall()
    second = ingest_paths(con, [path], recall_id=None, tz=TZ)[0]
    assert (second.inserted, second.updated, second.unchanged, second.quarantined) == (0, 0, 5, 0)
    assert con.execute(table).fetchall() == before
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_store_report_and_dataloader_of_the_same_cases_do_not_double_count(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    dl = ingest_paths(con, [FIXTURES / "salesforce_dataloader.csv"], tz=TZ)[0]
    report = ingest_paths(con, [FIXTURES / "salesforce_report.csv"], tz=TZ)[0]
    assert (dl.inserted, report.inserted) == (5, 0)
    assert report.read == report.inserted + report.updated + report.unchanged + report.quarantined
    assert con.execute("SELECT count(*) FROM contacts WHERE source = 'salesforce'").fetchone()[0] == 5
    # Same case, both formats: the report carries no LastModifiedDate, so it cannot prove it is newer
    # than the Data Loader row (which has one); the stored, versioned row stays (report: unchanged).
    assert (report.updated, report.unchanged) == (0, 5)
    assert con.execute("SELECT created_at FROM contacts WHERE source_id = '00001027'").fetchall()[0][0] == utc(
        "2024-03-05 14:14:02"
    )
