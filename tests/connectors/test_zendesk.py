"""Zendesk connectors (docs/vendor-formats.md#zendesk-support): detection, mapping of every documented quirk, and
end-to-end loads through the store. Records are composed; expected values are worked out by hand
(America/Chicago is UTC-6 until 2024-03-10 02:00, UTC-5 after)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from connectors import CONNECTORS, _zendesk
from connectors.base import SourceFile
from connectors.load import Failure, ingest_paths
from store.db import connect
from store.write import IngestResult

FIXTURES = Path(__file__).parent.parent / "fixtures" / "connectors"
TZ = "America/Chicago"
ZENDESK = ("zendesk_csv", "zendesk_json", "zendesk_incremental", "zendesk_satisfaction")
FIXTURE_FILES = {
    "zendesk_csv": "zendesk_csv.csv",
    "zendesk_json": "zendesk_json.json",
    "zendesk_incremental": "zendesk_incremental.json",
    "zendesk_satisfaction": "zendesk_satisfaction.json",
}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def ingest(con, path: Path) -> IngestResult:
    (result,) = ingest_paths(con, [path], recall_id=None, tz=TZ)
    assert isinstance(result, IngestResult), result
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def contacts(con) -> dict[str, dict]:
    frame = con.sql("SELECT * EXCLUDE (ingest_id, source_row) FROM contacts ORDER BY source_id").pl()
    return {r["source_id"]: r for r in frame.iter_rows(named=True)}


def csat(con) -> list[tuple]:
    sql = (
        "SELECT source, source_id, contact_source, contact_source_id, responded_at, score, scale, is_satisfied "
        "FROM csat ORDER BY source_id"
    )
    return con.execute(sql).fetchall()


def quarantine(con) -> list[tuple]:
    return con.execute(
        "SELECT source_row, column_name, reason FROM quarantine ORDER BY ingest_id, source_row"
    ).fetchall()


# --- channel and direction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("via", "channel"),
    [
        ("email", "email"),
        ("web", "web"),
        ("web_widget", "web"),
        ("mobile_sdk", "web"),
        ("api", "other"),  # created by an integration: never counted as web
        ("chat", "chat"),
        ("native_messaging", "chat"),
        ("voice", "phone"),
        ("sms", "sms"),
        ("whatsapp", "whatsapp"),
        ("twitter", "social"),
        ("facebook", "social"),
        (0, "web"),  # web_form
        ("0", "web"),
        (4, "email"),  # mail
        (5, "other"),  # web_service (API)
        (17, "web"),  # dropbox: the feedback tab
        (27, "email"),  # closed ticket follow-up
        (29, "chat"),
        (34, "phone"),
        (35, "phone"),
        (57, "sms"),
        ("Mail", "email"),
        ("Web form", "web"),
        ("Web Widget", "web"),
        ("Web service (API)", "other"),
        ("Help Center post", "web"),
        ("Native Messaging", "chat"),
        ("Instagram DM", "social"),
        ("Facebook private message", "social"),
        ("Twitter DM", "social"),
        ("Closed Ticket", "email"),
        ("Phone call (incoming)", "phone"),
        ("Phone call (outbound)", "phone"),
        ("CTI phone call (inbound)", "phone"),
        ("Voicemail", "phone"),
        ("Text", "sms"),
        ("WhatsApp", "whatsapp"),
        ("rule", "other"),
        (8, "other"),
        (99, "other"),  # a via id we do not know
        ("sample_ticket", "other"),
        ("Sample ticket", "other"),
        ("any_channel", "other"),
        ("ticket_sharing", "other"),
        ("api_phone_call_inbound", "phone"),
        (None, None),
        ("", None),
        (True, None),
    ],
)
def test_channel_of(via: object, channel: str | None) -> None:
    assert _zendesk.channel_of(via) == channel


@pytest.mark.parametrize(
    ("values", "outbound"),
    [
        (("Phone call (outbound)",), True),
        (("CTI phone call (outbound)",), True),
        (("voice", "outbound"), True),
        ((35,), True),
        ((46,), True),
        (("46",), True),
        (("voice", "inbound"), False),
        (("Phone call (incoming)",), False),
        (("Mail",), False),
        ((34,), False),
        ((None, None), False),
    ],
)
def test_says_outbound(values: tuple, outbound: bool) -> None:
    assert _zendesk.says_outbound(*values) is outbound


# --- detection ---------------------------------------------------------------------------------

CANONICAL_CONTACTS = "source,source_id,channel,direction,created_at\ncanonical,1,email,inbound,2024-03-05T14:22:10Z\n"
REGISTRY = "serial,email,lot\nSN-1,owner@example.com,L1\n"
RECALL_TOML = '[recall]\nid = "R1"\nname = "x"\ntimezone = "UTC"\nannounced_at = "2024-03-01T00:00:00Z"\n'
FRESHDESK_LIKE = json.dumps([{"id": 1, "status": 2, "source": 1, "created_at": "2024-03-05T14:22:10Z"}])
USERS_ONLY = json.dumps({"users": [{"id": 1, "email": "a@example.com"}], "next_page": None})


@pytest.mark.parametrize("name", ZENDESK)
def test_each_fixture_is_claimed_by_its_connector_only(name: str) -> None:
    path = FIXTURES / FIXTURE_FILES[name]
    f = SourceFile(path.name, path)
    assert [c.NAME for c in CONNECTORS if c.detect(f)] == [name]


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        ("contacts.csv", CANONICAL_CONTACTS),
        ("registry.csv", REGISTRY),
        ("recall.toml", RECALL_TOML),
        ("freshdesk.json", FRESHDESK_LIKE),
        ("users.json", USERS_ONLY),
        ("view.csv", "Id,Subject,Status\n1,Help,Open\n"),  # a view export without Via: not the admin export
    ],
)
def test_other_files_are_not_zendesk(tmp_path: Path, file_name: str, text: str) -> None:
    f = SourceFile(file_name, write(tmp_path, file_name, text))
    assert [c.NAME for c in CONNECTORS if c.NAME in ZENDESK and c.detect(f)] == []


# --- admin CSV export ------------------------------------------------------------------------

CSV_EXPECTED = {
    # id: channel, direction, status, created, first reply, resolved (UTC, 2024-), handle_s, replies, transferred
    "48213": ("email", "inbound", "solved", "03-05 12:22:10", "03-05 13:05:10", "03-05 13:05:47", 420.0, 1, False),
    "48214": ("web", "inbound", "open", "03-05 13:01:55", None, None, None, 0, False),
    "48215": ("chat", "inbound", "pending", "03-06 16:00:00", "03-06 16:05:00", None, 600.0, 2, True),
    # Solved without "Solved at": created + full resolution (90 min); outbound call from the Via label.
    "48216": ("phone", "outbound", "solved", "03-07 15:00:00", "03-07 15:00:00", "03-07 16:30:00", 300.0, 1, False),
    "48217": ("phone", "inbound", "new", "03-10 07:30:00", None, None, None, None, False),
    # after the DST change (CDT, UTC-5); Solved at 09:15 local
    "48218": ("email", "inbound", "closed", "03-12 13:00:00", "03-12 13:30:00", "03-12 14:15:00", None, 1, False),
    "48219": ("social", "inbound", "hold", "03-12 17:00:00", "03-12 17:12:00", None, None, 1, False),
    # Zendesk's sample ticket: a channel that is none of ours, loaded as "other" (not quarantined)
    "48220": ("other", "inbound", "open", "03-01 14:00:00", None, None, None, None, False),
}


def _opt(v: str | None) -> datetime | None:
    return ts(f"2024-{v}") if v else None


def test_csv_export_end_to_end(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / "zendesk_csv.csv"
    first = ingest(con, path)
    assert (first.connector, first.read, first.inserted, first.updated, first.unchanged, first.quarantined) == (
        "zendesk_csv",
        9,
        8,
        0,
        0,
        1,
    )
    rows = contacts(con)
    assert set(rows) == set(CSV_EXPECTED)
    for sid, expected in CSV_EXPECTED.items():
        channel, direction, status, created, reply, resolved, handle, replies, transferred = expected
        r = rows[sid]
        assert r["source"] == "zendesk"
        got = (r["channel"], r["direction"], r["status"], r["created_at"], r["first_reply_at"], r["resolved_at"])
        assert got == (channel, direction, status, _opt(created), _opt(reply), _opt(resolved)), sid
        assert (r["handle_s"], r["agent_replies"], r["is_transferred"]) == (handle, replies, transferred), sid
    r = rows["48213"]
    assert r["customer_email"] == "pat.doe@example.com"  # "Pat.Doe@Example.com " trimmed, lower-cased
    assert (r["agent"], r["queue"], r["customer_ref"]) == ("Sam Rivera", "Recall Tier 1", "39120044871")
    assert r["tags"] == ["recall_r24_017", "lot_lookup"]  # space-separated
    assert r["subject"] == "Is my heater part of the recall?"
    assert r["updated_at"] == ts("2024-03-06 07:02:41")
    assert r["recall_id"] is None  # decided by match rules (tags, queue)
    assert rows["48214"]["agent"] is None and rows["48217"]["tags"] == []
    assert csat(con) == [
        # the export has no rating time: the ticket's solve time stands in (a lower bound, so the
        # satisfaction-ratings export, with the exact time, wins as the newer version)
        ("zendesk", "ticket-48213", "zendesk", "48213", ts("2024-03-05 13:05:47"), 1.0, "good_bad", True),
        ("zendesk", "ticket-48216", "zendesk", "48216", ts("2024-03-07 16:30:00"), 0.0, "good_bad", False),
    ]  # "Offered" and "Not Offered" are not responses
    assert quarantine(con) == [(10, "created_at", "cannot read created_at value as ts")]
    before = (contacts(con), csat(con))
    second = ingest(con, path)
    assert (second.inserted, second.updated, second.unchanged, second.quarantined) == (0, 0, 8, 1)
    assert (contacts(con), csat(con)) == before


CSV_HEAD = "Id,Requester email,Via,Status,Created at,Updated at,Tags"


@pytest.mark.parametrize(
    ("header_extra", "row_extra", "column", "expected"),
    [
        ("Total time spent (sec)", "75", "handle_s", 75.0),  # Time Tracking field without a type suffix
        ("Total time spent (sec) [int]", "-", "handle_s", None),  # empty custom value is "-"
        ("Replies", "3", "agent_replies", 3),
        ("Group stations", "3", "is_transferred", True),
        ("First reply time in minutes", "-", "first_reply_at", None),
        ("First reply time in minutes", "90", "first_reply_at", ts("2024-03-05 13:30:00")),
        ("Group", "Recall Hotline", "queue", "Recall Hotline"),
        ("Assignee", "Sam Rivera", "agent", "Sam Rivera"),
    ],
)
def test_csv_columns(tmp_path: Path, header_extra: str, row_extra: str, column: str, expected: object) -> None:
    row = f"501,a@example.com,Mail,Open,2024-03-05 06:00:00,2024-03-05 06:00:00,x y,{row_extra}"
    text = f"{CSV_HEAD},{header_extra}\n{row}\n"
    con = connect(tmp_path / "t.duckdb")
    result = ingest(con, write(tmp_path, "export.csv", text))
    assert (result.connector, result.inserted) == ("zendesk_csv", 1)
    assert contacts(con)["501"][column] == expected


def test_csv_header_variants_bom_and_semicolons(tmp_path: Path) -> None:
    # "ID" (help article spelling), UTF-8 BOM, ";" delimiter (decimal-comma locales)
    text = "\ufeffID;Requester email;Via;Status;Created at;Updated at\n"
    text += "7;b@example.com;Web form;Solved;2024-03-05 06:00:00;\n"
    con = connect(tmp_path / "t.duckdb")
    result = ingest(con, write(tmp_path, "export.csv", text))
    assert (result.connector, result.inserted) == ("zendesk_csv", 1)
    r = contacts(con)["7"]
    # solved, but neither "Solved at" nor "Full resolution time" is in the file: resolution unknown
    assert (r["channel"], r["status"], r["created_at"], r["resolved_at"]) == (
        "web",
        "solved",
        ts("2024-03-05 12:00"),
        None,
    )


def test_csv_bad_numbers_are_quarantined(tmp_path: Path) -> None:
    text = (
        f"{CSV_HEAD},First reply time in minutes,Total time spent (sec) [int]\n"
        "1,a@example.com,Mail,Open,2024-03-05 06:00:00,,,soon,\n"
        "2,a@example.com,Mail,Open,2024-03-05 06:00:00,,,,lots\n"
        "3,a@example.com,Mail,Open,2024-03-05 06:00:00,,,,-5\n"
        "4,a@example.com,,Open,2024-03-05 06:00:00,,,,\n"
        "5,a@example.com,Mail,Open,2024-03-05 06:00:00,,,,\n"
    )
    con = connect(tmp_path / "t.duckdb")
    result = ingest(con, write(tmp_path, "export.csv", text))
    assert (result.read, result.inserted, result.quarantined) == (5, 1, 4)
    assert quarantine(con) == [
        (2, "first_reply_at", "cannot read first reply time in minutes as a number"),
        (3, "handle_s", "cannot read handle_s value as float"),
        (4, "handle_s", "handle_s must be 0–86400 s"),
        (5, "channel", "Via is empty"),
    ]


# --- admin JSON export (NDJSON) --------------------------------------------------------------


def test_admin_json_export_end_to_end(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / "zendesk_json.json"
    first = ingest(con, path)
    assert (first.connector, first.read, first.inserted, first.quarantined) == ("zendesk_json", 9, 8, 1)
    rows = contacts(con)
    got = {sid: (r["channel"], r["direction"], r["status"]) for sid, r in rows.items()}
    assert got == {
        "48213": ("email", "inbound", "solved"),
        "48214": ("web", "inbound", "open"),  # via.channel given as the integer id 0 (web form)
        "48222": ("phone", "inbound", "solved"),
        "48223": ("phone", "outbound", "pending"),  # via.source.rel "outbound"
        "48224": ("chat", "inbound", "open"),
        "48225": ("whatsapp", "inbound", "new"),
        "48226": ("social", "inbound", "hold"),
        "48228": ("other", "inbound", "open"),  # via.channel "rule": created by a trigger, none of ours
    }
    r = rows["48213"]
    assert (r["created_at"], r["updated_at"]) == (ts("2024-03-05 14:22:10"), ts("2024-03-06 09:02:41"))
    # embedded metric_set: 14:22:10 + 43 min; solved_at; replies
    assert (r["first_reply_at"], r["resolved_at"], r["agent_replies"]) == (
        ts("2024-03-05 15:05:10"),
        ts("2024-03-05 15:05:47"),
        1,
    )
    assert (r["customer_email"], r["agent"], r["queue"]) == ("pat.doe@example.com", "39120011230", "26000001111")
    assert rows["48222"]["dialled_number"] == "+18005550199"  # the number the caller dialled
    assert rows["48222"]["customer_phone"] == "+13125550143"
    assert rows["48223"]["dialled_number"] is None  # outbound: "to" is the customer
    assert rows["48222"]["resolved_at"] is None  # solved, but no metrics in this record
    assert [(c[1], c[5]) for c in csat(con)] == [("ticket-48213", 1.0), ("ticket-48226", 0.0)]
    assert quarantine(con) == [(8, "status", "deleted ticket: not a contact")]
    second = ingest(con, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 8)


def test_broken_ndjson_names_the_line(tmp_path: Path) -> None:
    good = json.dumps({"id": 1, "via": {"channel": "email"}, "requester_id": 2, "created_at": "2024-03-05T14:22:10Z"})
    con = connect(tmp_path / "t.duckdb")
    broken = '{"id": 2 "via": {}}'  # line 2: a comma is missing
    (result,) = ingest_paths(con, [write(tmp_path, "export.json", f"{good}\n{broken}\n{good}\n")], tz=TZ)
    assert isinstance(result, Failure)
    assert "export.json" in result.message and "line 2" in result.message
    assert con.execute("SELECT count(*) FROM ingests").fetchone() == (0,)


# --- incremental export ----------------------------------------------------------------------

CURSOR_PAGE = {  # docs/vendor-formats.md#zendesk-incremental-ticket-export, metric record sideloaded
    "tickets": [
        {
            "id": 48213,
            "url": "https://acme-recall.zendesk.com/api/v2/tickets/48213.json",
            "created_at": "2024-03-05T14:22:10Z",
            "updated_at": "2024-03-06T09:02:41Z",
            "generated_timestamp": 1709715761,
            "type": "question",
            "subject": "Is my heater part of the recall?",
            "status": "solved",
            "priority": "high",
            "requester_id": 39120044871,
            "assignee_id": 39120011230,
            "group_id": 26000001111,
            "tags": ["recall_r24_017", "lot_lookup"],
            "via": {
                "channel": "email",
                "source": {
                    "from": {"address": "pat.doe@example.com", "name": "Pat Doe"},
                    "to": {"address": "recall@acme-example.com", "name": "Acme Recall"},
                    "rel": None,
                },
            },
            "satisfaction_rating": {"score": "good", "id": 9120031, "comment": "Quick answer"},
            "custom_fields": [{"id": 360001112223, "value": "lot_2023_11_b"}],
            "from_messaging_channel": False,
        }
    ],
    "metric_sets": [
        {
            "id": 771002,
            "ticket_id": 48213,
            "group_stations": 1,
            "assignee_stations": 1,
            "reopens": 0,
            "replies": 1,
            "solved_at": "2024-03-05T15:05:47Z",
            "reply_time_in_minutes": {"calendar": 43, "business": 43},
            "full_resolution_time_in_minutes": {"calendar": 44, "business": 44},
        }
    ],
    "after_url": "https://acme-recall.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTcw",
    "after_cursor": "MTcwOTcxNTc2MS4wfHw0ODIxM3w=",
    "before_url": None,
    "before_cursor": None,
    "end_of_stream": True,
}


def test_cursor_page_from_the_reference_note(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    result = ingest(con, write(tmp_path, "page.json", json.dumps(CURSOR_PAGE, indent=2)))
    assert (result.connector, result.read, result.inserted, result.warnings) == ("zendesk_incremental", 1, 1, [])
    r = contacts(con)["48213"]
    assert (r["channel"], r["direction"], r["status"], r["tags"]) == (
        "email",
        "inbound",
        "solved",
        ["recall_r24_017", "lot_lookup"],
    )
    assert (r["created_at"], r["first_reply_at"], r["resolved_at"]) == (
        ts("2024-03-05 14:22:10"),
        ts("2024-03-05 15:05:10"),
        ts("2024-03-05 15:05:47"),
    )
    assert (r["agent_replies"], r["customer_email"], r["customer_ref"]) == (1, "pat.doe@example.com", "39120044871")
    assert r["subject"] == "Is my heater part of the recall?"
    assert csat(con) == [
        # no rating time in a ticket: the solve time stands in (a lower bound; the ratings export wins)
        ("zendesk", "ticket-48213", "zendesk", "48213", ts("2024-03-05 15:05:47"), 1.0, "good_bad", True)
    ]


def test_time_based_pages_with_sideloads_repeats_and_deletions(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / "zendesk_incremental.json"
    first = ingest(con, path)
    # 5 ticket records: 3 contacts, 1 older copy of 48213 folded, 1 deleted ticket quarantined
    assert (first.read, first.inserted, first.updated, first.unchanged, first.quarantined) == (5, 3, 0, 1, 1)
    assert any("not the end of the stream" in w for w in first.warnings)
    rows = contacts(con)
    assert set(rows) == {"48213", "48214", "48216"}
    r = rows["48213"]  # the newer copy (page 2) wins: solved, with its metric set
    assert (r["status"], r["updated_at"], r["resolved_at"]) == (
        "solved",
        ts("2024-03-06 09:02:41"),
        ts("2024-03-05 15:05:47"),
    )
    assert (r["agent"], r["queue"], r["customer_email"]) == ("Sam Rivera", "Recall Tier 1", "pat.doe@example.com")
    r = rows["48214"]  # sideloaded user: email and phone; metric set: 2 groups, 0 replies
    assert (r["customer_email"], r["customer_phone"], r["is_transferred"], r["agent_replies"]) == (
        "lee.chan@example.net",
        "+13125550146",
        True,
        0,
    )
    r = rows["48216"]  # submitted by an agent for a customer through the agent interface
    assert (r["channel"], r["direction"], r["queue"]) == ("web", "outbound", "Recall Outreach")
    assert quarantine(con) == [(5, "status", "deleted ticket: not a contact")]
    assert con.execute("SELECT count(*) FROM contacts WHERE source_id = '48227'").fetchone() == (0,)
    second = ingest(con, path)
    assert (second.inserted, second.updated, second.unchanged, second.quarantined) == (0, 0, 4, 1)


def test_page_without_tickets_is_unreadable(tmp_path: Path) -> None:
    text = json.dumps(CURSOR_PAGE) + "\n" + json.dumps({"count": 0}) + "\n"
    con = connect(tmp_path / "t.duckdb")
    (result,) = ingest_paths(con, [write(tmp_path, "pages.json", text)], tz=TZ)
    assert isinstance(result, Failure) and "record 2" in result.message and "pages.json" in result.message


# --- satisfaction ratings --------------------------------------------------------------------


def test_satisfaction_ratings_end_to_end(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    path = FIXTURES / "zendesk_satisfaction.json"
    first = ingest(con, path)
    # 7 ratings: 3 responses, 2 offered/unoffered (folded), 2 quarantined
    assert (first.connector, first.read, first.inserted, first.unchanged, first.quarantined) == (
        "zendesk_satisfaction",
        7,
        3,
        2,
        2,
    )
    assert csat(con) == [
        ("zendesk", "ticket-48213", "zendesk", "48213", ts("2024-03-06 09:02:40"), 1.0, "good_bad", True),
        ("zendesk", "ticket-48216", "zendesk", "48216", ts("2024-03-08 12:00:00"), 0.0, "good_bad", False),
        ("zendesk", "ticket-48226", "zendesk", "48226", ts("2024-03-08 10:05:00"), 0.0, "good_bad", False),
    ]
    assert quarantine(con) == [
        (6, "contact_source_id", "rating has no ticket_id"),
        (7, "score", "score must be good, bad, offered or unoffered"),
    ]
    second = ingest(con, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)


def test_repeated_rating_keeps_the_newest(tmp_path: Path) -> None:
    older = {"id": 1, "ticket_id": 9, "score": "good", "updated_at": "2024-03-08T10:00:00Z"}
    newer = {"id": 1, "ticket_id": 9, "score": "bad", "updated_at": "2024-03-09T10:00:00Z"}
    text = json.dumps({"satisfaction_ratings": [newer]}) + "\n" + json.dumps({"satisfaction_ratings": [older]})
    con = connect(tmp_path / "t.duckdb")
    result = ingest(con, write(tmp_path, "ratings.json", text))
    assert (result.read, result.inserted, result.unchanged) == (2, 1, 1)
    assert [(c[1], c[5]) for c in csat(con)] == [("ticket-9", 0.0)]


def test_one_rating_and_one_ticket_across_formats(tmp_path: Path) -> None:
    """Nothing is counted twice: the CSV, the JSON export, the incremental pages and the ratings
    all describe ticket 48213 and its one rating."""
    con = connect(tmp_path / "t.duckdb")
    for name in ZENDESK:
        ingest(con, FIXTURES / FIXTURE_FILES[name])
    assert con.execute("SELECT count(*) FROM contacts WHERE source_id = '48213'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM csat WHERE contact_source_id = '48213'").fetchone() == (1,)
    keys = con.execute("SELECT count(*), count(DISTINCT (source, source_id)) FROM contacts").fetchone()
    assert keys[0] == keys[1]


@pytest.mark.parametrize("name", ZENDESK)
def test_fixture_loads_from_a_zip_twice(tmp_path: Path, name: str) -> None:
    """Admin exports come zipped (export_YYYY_MM_DD_uniqueID_X); the second load inserts nothing."""
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(FIXTURES / FIXTURE_FILES[name], folder / FIXTURE_FILES[name])
    archive = Path(shutil.make_archive(str(tmp_path / "export_2024_03_08_abc"), "zip", folder))
    con = connect(tmp_path / "t.duckdb")
    first, second = ingest(con, archive), ingest(con, archive)
    assert first.connector == name and first.inserted > 0
    assert (second.inserted, second.updated) == (0, 0)


@pytest.mark.parametrize("ratings_first", [True, False])
def test_exact_rating_time_wins_over_the_csv_stand_in_in_either_order(tmp_path: Path, ratings_first: bool) -> None:
    con = connect(tmp_path / "t.duckdb")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "Id,Via,Requester email,Created at,Updated at,Solved at,Status,Satisfaction Score\n"
        "1,Mail,a@example.com,2026-03-02 10:00:00,2026-03-10 10:00:00,2026-03-02 12:00:00,Closed,Good\n"
    )
    ratings = tmp_path / "ratings.json"
    ratings.write_text(
        '{"satisfaction_ratings":[{"id":9,"ticket_id":1,"score":"good",'
        '"created_at":"2026-03-03T16:00:00Z","updated_at":"2026-03-03T16:00:00Z"}]}'
    )
    for path in (ratings, tickets) if ratings_first else (tickets, ratings):
        ingest(con, path)
    assert con.execute("SELECT responded_at FROM csat").fetchall() == [(ts("2026-03-03 16:00:00"),)]
