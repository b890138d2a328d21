"""Freshdesk connectors: ticket CSV/Excel export (freshdesk_csv) and API tickets (freshdesk_json).

Records are composed after docs/vendor-formats.md#freshdesk; expected values are worked out by hand.
Times: CSV times are local (America/Chicago, CST = UTC-6 before 2024-03-10); API times are UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from connectors import CONNECTORS, freshdesk_csv, freshdesk_json
from connectors.base import ReadContext, SourceFile, Unreadable
from connectors.load import Failure, ingest_paths
from store.db import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"
TZ = "America/Chicago"
HEADER = (
    "Ticket ID,Subject,Status,Source,Type,Agent,Group,Created time,Resolved time,Closed time,Last update time,"
    "Initial response time,Time tracked,First response time (in hrs),Agent interactions,Tags,Survey results,"
    "Email,Work phone,Mobile phone,Contact ID"
)
BASE = {
    "Ticket ID": "1",
    "Subject": "Recall kit",
    "Status": "Open",
    "Source": "Email",
    "Type": "Question",
    "Agent": "Sam Rivera",
    "Group": "Recall Desk",
    "Created time": "2024-03-05 09:00:00",
    "Resolved time": "",
    "Closed time": "",
    "Last update time": "2024-03-05 10:00:00",
    "Initial response time": "",
    "Time tracked": "",
    "First response time (in hrs)": "",
    "Agent interactions": "1",
    "Tags": "recall-r24-017",
    "Survey results": "",
    "Email": " Pat.Doe@Example.com ",
    "Work phone": "",
    "Mobile phone": "",
    "Contact ID": "77001",
}


def claimed_by(path: Path) -> list[str]:
    f = SourceFile(path.name, path)
    return [c.NAME for c in CONNECTORS if c.detect(f)]


def csv_cell(v: str) -> str:
    return f'"{v}"' if any(ch in v for ch in ',"\n') else v


def write_csv(path: Path, rows: list[dict], header: str = HEADER) -> Path:
    cols = header.split(",")
    lines = [header] + [",".join(csv_cell((BASE | r).get(c, "")) for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_csv(tmp_path: Path, rows: list[dict], **kw):
    path = write_csv(tmp_path / "tickets.csv", rows, **kw)
    assert claimed_by(path) == ["freshdesk_csv"]
    return freshdesk_csv.read(SourceFile(path.name, path), ReadContext(tz=TZ))


def one(parsed) -> dict:
    assert parsed.tables["contacts"].height == 1, parsed.rejects
    return parsed.tables["contacts"].row(0, named=True)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# --- freshdesk_csv -------------------------------------------------------------------------------

CSV_CASES = [
    # (override, expected subset) — status labels
    ({"Status": "Open"}, {"status": "open"}),
    ({"Status": "Pending"}, {"status": "pending"}),
    ({"Status": "Resolved"}, {"status": "solved"}),
    ({"Status": "closed"}, {"status": "closed"}),
    ({"Status": "Waiting on Third Party"}, {"status": "open", "reason": "Question"}),
    # Source labels → channel / direction
    ({"Source": "Email"}, {"channel": "email", "direction": "inbound"}),
    ({"Source": "Outbound Email"}, {"channel": "email", "direction": "outbound"}),
    ({"Source": "Portal"}, {"channel": "web", "direction": "inbound"}),
    ({"Source": "Feedback Widget"}, {"channel": "web"}),
    ({"Source": "Phone"}, {"channel": "phone"}),
    ({"Source": "Chat"}, {"channel": "chat"}),
    ({"Source": "Twitter"}, {"channel": "social"}),
    ({"Source": "Facebook"}, {"channel": "social"}),
    ({"Source": "WhatsApp"}, {"channel": "whatsapp"}),
    # a source that is none of our channels (newer sources, apps) is "other", never quarantined
    ({"Source": "Carrier Pigeon"}, {"channel": "other", "direction": "inbound"}),
    ({"Source": "Ecommerce"}, {"channel": "other"}),
    # Time tracked: HH:MM:SS and HH:MM; "-" is empty
    ({"Time tracked": "00:12:00"}, {"handle_s": 720.0}),
    ({"Time tracked": "01:02:03"}, {"handle_s": 3723.0}),
    ({"Time tracked": "00:05"}, {"handle_s": 300.0}),
    ({"Time tracked": "-"}, {"handle_s": None}),
    # local times in America/Chicago (CST, UTC-6)
    ({}, {"created_at": utc("2024-03-05 15:00:00"), "updated_at": utc("2024-03-05 16:00:00")}),
    # first reply: the Initial response time timestamp wins over the duration
    (
        {"Initial response time": "2024-03-05 09:48:51", "First response time (in hrs)": "00:01:00"},
        {"first_reply_at": utc("2024-03-05 15:48:51")},
    ),
    # ... and without it: Created time + First response time (09:00 + 00:26:41 local → 15:26:41 UTC)
    ({"First response time (in hrs)": "00:26:41"}, {"first_reply_at": utc("2024-03-05 15:26:41")}),
    # resolved: Resolved time, else Closed time
    (
        {"Resolved time": "2024-03-05 11:40:02", "Closed time": "2024-03-07 11:40:05"},
        {"resolved_at": utc("2024-03-05 17:40:02")},
    ),
    ({"Closed time": "2024-03-07 11:40:05"}, {"resolved_at": utc("2024-03-07 17:40:05")}),
    # tags: comma-separated in one cell, a tag may contain a space
    ({"Tags": "recall-r24-017, recall kit,shipping"}, {"tags": ["recall-r24-017", "recall kit", "shipping"]}),
    ({"Tags": ""}, {"tags": []}),
    ({}, {"subject": "Recall kit"}),
    # people and routing
    (
        {},
        {
            "source": "freshdesk",
            "source_id": "1",
            "agent": "Sam Rivera",
            "queue": "Recall Desk",
            "reason": "Question",
            "agent_replies": 1,
            "customer_email": "pat.doe@example.com",
            "customer_ref": "77001",
            "is_transferred": False,
            "recall_id": None,
        },
    ),
    ({"Work phone": "", "Mobile phone": "+1 312 555 0177"}, {"customer_phone": "+13125550177"}),
    ({"Work phone": "(312) 555-0142", "Mobile phone": "+1 312 555 0177"}, {"customer_phone_raw": "(312) 555-0142"}),
]


@pytest.mark.parametrize("override, expected", CSV_CASES)
def test_csv_mapping(tmp_path, override, expected):
    row = one(read_csv(tmp_path, [override]))
    assert {k: row[k] for k in expected} == expected


REJECT_CASES = [
    ({"Time tracked": "1.5"}, "Time tracked", "Time tracked must be HH:MM[:SS]"),
    ({"Time tracked": "25:00:00"}, "handle_s", "handle_s must be 0–86400 s"),
    ({"Created time": ""}, "created_at", "created_at is required"),
    ({"Created time": "yesterday"}, "created_at", "cannot read created_at value as ts"),
    ({"Source": ""}, "channel", "channel is required"),
]


@pytest.mark.parametrize("override, column, reason", REJECT_CASES)
def test_csv_rejects(tmp_path, override, column, reason):
    parsed = read_csv(tmp_path, [{"Ticket ID": "1"}, {"Ticket ID": "2", **override}])
    assert parsed.tables["contacts"]["source_id"].to_list() == ["1"]
    assert parsed.rejects.select("source_row", "column_name", "reason").rows() == [(3, column, reason)]
    assert parsed.rows_read == 2


def test_csv_custom_status_warning_and_business_hours_warning(tmp_path):
    parsed = read_csv(tmp_path, [{"Status": "Waiting on Customer", "First response time (in hrs)": "00:10:00"}])
    assert "Freshdesk custom statuses read as open: Waiting on Customer" in parsed.warnings
    assert any("business hours" in w for w in parsed.warnings)


def test_csv_last_updated_time_alias_bom_and_semicolons(tmp_path):
    header = "Ticket ID;Status;Source;Created time;Last updated time"
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeff".encode() + f"{header}\n5;Open;Phone;2024-03-05 09:00:00;2024-03-06 09:00:00\n".encode())
    assert claimed_by(path) == ["freshdesk_csv"]
    row = one(freshdesk_csv.read(SourceFile(path.name, path), ReadContext(tz=TZ)))
    assert (row["source_id"], row["channel"], row["updated_at"]) == ("5", "phone", utc("2024-03-06 15:00:00"))


SURVEY_CASES = [
    ("Awesome", 5.0, True),
    ("Extremely Happy", 5.0, True),
    ("Happy", 4.0, True),
    ("Just Okay", 3.0, False),
    ("Neutral", 3.0, False),
    ("Unhappy", 2.0, False),
    ("Not Good", 1.0, False),
]


@pytest.mark.parametrize("answer, score, satisfied", SURVEY_CASES)
def test_csv_survey_results_make_csat(tmp_path, answer, score, satisfied):
    parsed = read_csv(tmp_path, [{"Ticket ID": "9", "Survey results": answer}])
    csat = parsed.tables["csat"].row(0, named=True)
    assert csat | {"source_row": 0} == {
        "source": "freshdesk",
        "source_id": "ticket:9",
        "contact_source": "freshdesk",
        "contact_source_id": "9",
        "responded_at": utc("2024-03-05 16:00:00"),  # Last update time, the only stamp the export has
        "score": score,
        "scale": "1-5",
        "is_satisfied": satisfied,
        "source_row": 0,
    }


def test_csv_unknown_survey_answer_keeps_the_ticket(tmp_path):
    parsed = read_csv(tmp_path, [{"Survey results": "Meh"}])
    assert one(parsed)["source_id"] == "1"
    assert "csat" not in parsed.tables
    assert parsed.rejects.select("source_row", "column_name", "raw").rows() == [(2, "Survey results", "Meh")]


def test_csv_without_survey_answers_has_no_csat_table(tmp_path):
    assert list(read_csv(tmp_path, [{}]).tables) == ["contacts"]


def test_csv_translated_headers_are_refused_with_a_message(tmp_path):
    path = tmp_path / "es.csv"
    path.write_text("ID del ticket,Asunto,Estado de resolucion\n1,Hola,Dentro del SLA\n", encoding="utf-8")
    assert claimed_by(path) == ["freshdesk_csv"]
    with pytest.raises(Unreadable, match="translated headers"):
        freshdesk_csv.read(SourceFile(path.name, path), ReadContext())


def test_csv_without_source_column_is_unreadable(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Ticket ID,Created time,Time tracked\n1,2024-03-05 09:00:00,00:10\n", encoding="utf-8")
    with pytest.raises(Unreadable, match="without Source"):
        freshdesk_csv.read(SourceFile(path.name, path), ReadContext())


@pytest.mark.parametrize(
    "header",
    [
        "Ticket ID,Subject,Via,Requester email,Created at",  # Zendesk
        "Ticket Id,Subject,Status,Created Time,Requester Email,First Response Time (in Hrs)",  # Freshservice
        "source,source_id,channel,direction,created_at",  # canonical contacts
        "serial,email,region",  # registry
    ],
)
def test_csv_detect_leaves_other_layouts_alone(tmp_path, header):
    path = tmp_path / "other.csv"
    path.write_text(header + "\n" + ",".join("x" for _ in header.split(",")) + "\n", encoding="utf-8")
    assert "freshdesk_csv" not in claimed_by(path)


def test_xlsx_export(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ticket ID", "Status", "Source", "Created time", "Time tracked", "Tags", "Agent interactions"])
    sheet.append([1042, "Closed", "Phone", dt.datetime(2024, 3, 5, 9, 22, 10), dt.time(0, 12), "a,b", 1])
    sheet.append([None] * 7)  # an empty row is not a record
    sheet.append([1043, "Open", "Email", "2024-03-05 10:05:33", "26:30:00", None, 0])
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    assert claimed_by(path) == ["freshdesk_csv"]
    parsed = freshdesk_csv.read(SourceFile(path.name, path), ReadContext(tz=TZ))
    rows = parsed.tables["contacts"].select("source_id", "created_at", "handle_s", "tags", "source_row").rows()
    assert rows == [("1042", utc("2024-03-05 15:22:10"), 720.0, ["a", "b"], 2)]
    # 26:30:00 is 95 400 s, above the one-day limit of conform: quarantined at spreadsheet row 4
    assert parsed.rejects.select("source_row", "column_name").rows() == [(4, "handle_s")]
    assert parsed.rows_read == 2


# --- freshdesk_json -------------------------------------------------------------------------------

TICKET = {
    "id": 1042,
    "status": 2,
    "priority": 3,
    "source": 3,
    "type": "Question",
    "requester_id": 67042960001,
    "responder_id": 67013460002,
    "group_id": 67000020003,
    "created_at": "2024-03-05T14:22:10Z",
    "updated_at": "2024-03-05T15:01:07Z",
    "fr_due_by": "2024-03-05T18:22:10Z",
    "is_escalated": False,
    "fr_escalated": False,
    "tags": ["recall-r24-017"],
    "spam": False,
    "stats": {"first_responded_at": "2024-03-05T14:48:51Z", "resolved_at": None, "closed_at": None},
}


def write_json(path: Path, records: list, layout: str = "array") -> Path:
    if layout == "array":
        text = json.dumps(records, indent=1)
    elif layout == "ndjson":
        text = "\n".join(json.dumps(r) for r in records) + "\n"
    elif layout == "pages":
        text = "".join(json.dumps(records[i : i + 1]) for i in range(len(records)))
    else:  # search API wrapper
        text = json.dumps({"results": records, "total": len(records)})
    path.write_text(text, encoding="utf-8")
    return path


def read_json(tmp_path: Path, records: list, layout: str = "array"):
    path = write_json(tmp_path / "tickets.json", records, layout)
    assert claimed_by(path) == ["freshdesk_json"]
    return freshdesk_json.read(SourceFile(path.name, path), ReadContext(tz=TZ))


JSON_CASES = [
    ({"source": 99}, {"channel": "other", "direction": "inbound"}),  # a newer source code: other
    ({}, {"source": "freshdesk", "source_id": "1042", "channel": "phone", "direction": "inbound", "status": "open"}),
    (
        {},
        {
            "created_at": utc("2024-03-05 14:22:10"),
            "updated_at": utc("2024-03-05 15:01:07"),
            "first_reply_at": utc("2024-03-05 14:48:51"),
            "resolved_at": None,
            "agent": "67013460002",
            "queue": "67000020003",
            "reason": "Question",
            "customer_ref": "67042960001",
            "tags": ["recall-r24-017"],
            "is_transferred": False,
        },
    ),
    ({"status": 3}, {"status": "pending"}),
    ({"status": 4}, {"status": "solved"}),
    ({"status": 5}, {"status": "closed"}),
    ({"status": 6}, {"status": "open"}),
    ({"source": 1}, {"channel": "email", "direction": "inbound"}),
    ({"source": 2}, {"channel": "web"}),
    ({"source": 4}, {"channel": "web"}),
    ({"source": 5}, {"channel": "social"}),
    ({"source": 6}, {"channel": "social"}),
    ({"source": 7}, {"channel": "chat"}),
    ({"source": 8}, {"channel": "web"}),
    ({"source": 9}, {"channel": "web"}),
    ({"source": 10}, {"channel": "email", "direction": "outbound"}),
    ({"is_escalated": True}, {"is_transferred": True}),
    (
        {
            "stats": {
                "first_responded_at": None,
                "resolved_at": "2024-03-06T09:55:00Z",
                "closed_at": "2024-03-08T09:55:00Z",
            }
        },
        {"first_reply_at": None, "resolved_at": utc("2024-03-06 09:55:00")},
    ),
    (
        {"stats": {"resolved_at": None, "closed_at": "2024-03-08T09:55:00Z"}},
        {"resolved_at": utc("2024-03-08 09:55:00")},
    ),
    ({"stats": None}, {"first_reply_at": None, "resolved_at": None}),
    (
        {"requester": {"email": "Pat.Doe@Example.com", "phone": None, "mobile": "+1 312 555 0142"}},
        {"customer_email": "pat.doe@example.com", "customer_phone": "+13125550142"},
    ),
    ({"email": "lee@example.net", "phone": "+13125550143"}, {"customer_email": "lee@example.net"}),
    ({"tags": []}, {"tags": []}),
    ({"subject": "Buckle stuck"}, {"subject": "Buckle stuck"}),
]


@pytest.mark.parametrize("override, expected", JSON_CASES)
def test_json_mapping(tmp_path, override, expected):
    row = one(read_json(tmp_path, [TICKET | override]))
    assert {k: row[k] for k in expected} == expected


JSON_REJECTS = [
    ({"spam": True}, "spam", "spam ticket, not a customer contact"),
    ({"deleted": True}, "deleted", "deleted ticket, not a customer contact"),
    ({"status": 1}, "status", "unknown Freshdesk status code 1"),
    ({"id": None}, "id", "not a Freshdesk ticket (no id)"),
    ({"created_at": None}, "created_at", "created_at is required"),
]


@pytest.mark.parametrize("override, column, reason", JSON_REJECTS)
def test_json_rejects(tmp_path, override, column, reason):
    parsed = read_json(tmp_path, [TICKET, TICKET | {"id": 2000} | override])
    assert parsed.tables["contacts"]["source_id"].to_list() == ["1042"]
    assert parsed.rejects.select("source_row", "column_name", "reason").rows() == [(2, column, reason)]
    assert parsed.rows_read == 2


@pytest.mark.parametrize("layout", ["array", "ndjson", "pages", "results"])
def test_json_layouts(tmp_path, layout):
    parsed = read_json(tmp_path, [TICKET, TICKET | {"id": 1043}, TICKET | {"id": 1044}], layout)
    assert parsed.tables["contacts"].select("source_id", "source_row").rows() == [("1042", 1), ("1043", 2), ("1044", 3)]


def test_json_custom_status_warning(tmp_path):
    parsed = read_json(tmp_path, [TICKET | {"status": 7}, TICKET | {"id": 5, "status": 6}])
    assert parsed.warnings == ["Freshdesk custom status codes read as open: 6, 7"]


def test_json_broken_line_is_named(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TICKET) + "\n" + json.dumps(TICKET)[:-5] + "\n", encoding="utf-8")
    with pytest.raises(Unreadable, match="line 2"):
        freshdesk_json.read(SourceFile(path.name, path), ReadContext())


@pytest.mark.parametrize(
    "record",
    [
        {"id": 35436, "via": {"channel": "web"}, "requester_id": 1, "assignee_id": 2},  # Zendesk ticket
        {"id": 1, "survey_id": 2, "ticket_id": 1042, "ratings": {"default_question": 103}},  # Freshdesk survey
    ],
)
def test_json_detect_leaves_other_layouts_alone(tmp_path, record):
    path = write_json(tmp_path / "other.json", [record])
    assert "freshdesk_json" not in claimed_by(path)


# --- end to end through the store ------------------------------------------------------------------


@pytest.mark.parametrize("fixture, contacts, quarantined", [("freshdesk_csv.csv", 6, 0), ("freshdesk_json.json", 4, 1)])
def test_store_load_twice(tmp_path, fixture, contacts, quarantined):
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / fixture
    first = ingest_paths(con, [path], recall_id=None, tz=TZ)[0]
    assert not isinstance(first, Failure), first
    assert (first.read, first.inserted, first.quarantined) == (contacts + quarantined, contacts, quarantined)
    table = "SELECT * EXCLUDE (ingest_id) FROM contacts ORDER BY source_id"
    before = con.execute(table).fetchall()
    second = ingest_paths(con, [path], recall_id=None, tz=TZ)[0]
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, contacts)
    assert second.read == second.inserted + second.updated + second.unchanged + second.quarantined
    assert con.execute(table).fetchall() == before
    assert con.execute("SELECT count(*) FROM contacts WHERE source = 'freshdesk'").fetchone()[0] == contacts


def test_store_csv_contacts_and_csat(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    ingest_paths(con, [FIXTURES / "freshdesk_csv.csv"], tz=TZ)
    row = con.execute(
        "SELECT channel, status, created_at, first_reply_at, resolved_at, handle_s, tags FROM contacts "
        "WHERE source_id = '1042'"
    ).fetchone()
    assert row == (
        "phone",
        "closed",
        utc("2024-03-05 15:22:10"),
        utc("2024-03-05 15:48:51"),
        utc("2024-03-05 17:40:02"),
        720.0,
        ["recall-r24-017"],
    )
    assert con.execute("SELECT source_id, score, is_satisfied FROM csat ORDER BY source_id").fetchall() == [
        ("ticket:1042", 5.0, True),
        ("ticket:1045", 1.0, False),
    ]


def test_store_json_then_newer_version_updates(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    ingest_paths(con, [write_json(tmp_path / "a.json", [TICKET])], tz=TZ)
    newer = TICKET | {"status": 4, "updated_at": "2024-03-06T10:00:00Z"}
    result = ingest_paths(con, [write_json(tmp_path / "b.json", [newer])], tz=TZ)[0]
    assert (result.inserted, result.updated) == (0, 1)
    assert con.execute("SELECT status FROM contacts").fetchall() == [("solved",)]
    older = TICKET | {"status": 3, "updated_at": "2024-03-05T14:30:00Z"}
    result = ingest_paths(con, [write_json(tmp_path / "c.json", [older])], tz=TZ)[0]
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    assert con.execute("SELECT status FROM contacts").fetchall() == [("solved",)]
