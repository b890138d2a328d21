"""Twilio Programmable Messaging: Message resource JSON and Console messaging-log CSV."""

from __future__ import annotations

import pytest
from outreach_support import (
    FIXTURES,
    claimed_by,
    failure,
    ingest,
    ingest_twice,
    read,
    store,
    write_json,
)

from connectors import twilio_messaging_csv, twilio_messaging_json

MG = "MG00112233445566778899aabbccddeeff"
SID = "SM5f2e8a7c9b1d4e6f8a0b2c4d6e8f0a1b"
RFC = {
    "date_created": "Tue, 05 Mar 2024 14:22:09 +0000",
    "date_sent": "Tue, 05 Mar 2024 14:22:10 +0000",
    "date_updated": "Tue, 05 Mar 2024 14:22:14 +0000",
}


def message(**over: object) -> dict:
    base = {
        "sid": SID,
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "messaging_service_sid": MG,
        "from": "+18005550188",
        "to": "+12025550143",
        "body": "Acme recall notice",
        "status": "delivered",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        **RFC,
    }
    return {**base, **over}


# (case, message overrides, expected (source_id, channel, phone, status, status_at, campaign list) or "folded")
CASES = [
    ("delivered sms", {}, (f"{SID}:delivered", "sms", "+12025550143", "delivered", "2024-03-05 14:22:14", [MG])),
    (
        "sent uses date_sent",
        {"status": "sent"},
        (f"{SID}:sent", "sms", "+12025550143", "sent", "2024-03-05 14:22:10", [MG]),
    ),
    (
        "sent without date_sent",
        {"status": "sent", "date_sent": None},
        (f"{SID}:sent", "sms", "+12025550143", "sent", "2024-03-05 14:22:14", [MG]),
    ),
    (
        "undelivered is failed",
        {"status": "undelivered", "error_code": 30003},
        (f"{SID}:failed", "sms", "+12025550143", "failed", "2024-03-05 14:22:14", [MG]),
    ),
    ("failed", {"status": "failed"}, (f"{SID}:failed", "sms", "+12025550143", "failed", "2024-03-05 14:22:14", [MG])),
    (
        "partially delivered",
        {"status": "partially_delivered"},
        (f"{SID}:delivered", "sms", "+12025550143", "delivered", "2024-03-05 14:22:14", [MG]),
    ),
    (
        "whatsapp prefix stripped",
        {"status": "read", "from": "whatsapp:+14155550100", "to": "whatsapp:+13125550167"},
        (f"{SID}:read", "whatsapp", "+13125550167", "read", "2024-03-05 14:22:14", [MG]),
    ),
    (  # issue 12 item 2: a channel that is not SMS is never folded into sms
        "messenger address is social, and no phone",
        {"status": "read", "from": "messenger:104012345678901", "to": "messenger:2411234567890123"},
        (f"{SID}:read", "social", None, "read", "2024-03-05 14:22:14", [MG]),
    ),
    (
        "rcs address is other, its phone kept",
        {"status": "delivered", "from": "rcs:acme_recall_agent", "to": "rcs:+13125550167"},
        (f"{SID}:delivered", "other", "+13125550167", "delivered", "2024-03-05 14:22:14", [MG]),
    ),
    (
        "inbound sms reply: customer is from",
        {"status": "received", "direction": "inbound", "from": "+12025550143", "to": "+18005550188"},
        (f"{SID}:replied", "sms", "+12025550143", "replied", "2024-03-05 14:22:10", [MG]),
    ),
    (
        "inbound whatsapp reply",
        {"status": "receiving", "direction": "inbound", "from": "whatsapp:+12025550199", "to": "whatsapp:+14155550100"},
        (f"{SID}:replied", "whatsapp", "+12025550199", "replied", "2024-03-05 14:22:10", [MG]),
    ),
    (
        "outbound-reply is outbound",
        {"direction": "outbound-reply"},
        (f"{SID}:delivered", "sms", "+12025550143", "delivered", "2024-03-05 14:22:14", [MG]),
    ),
    (
        "custom campaign wins over messaging service",
        {"campaign": "cs2026014-notice"},
        (f"{SID}:delivered", "sms", "+12025550143", "delivered", "2024-03-05 14:22:14", ["cs2026014-notice"]),
    ),
    (
        "BulkExport ISO dates, no messaging service",
        {
            "messaging_service_sid": None,
            "date_created": "2024-03-05T14:22:09Z",
            "date_sent": "2024-03-05T14:22:10Z",
            "date_updated": "2024-03-05T14:22:14Z",
        },
        (f"{SID}:delivered", "sms", "+12025550143", "delivered", "2024-03-05 14:22:14", None),
    ),
    ("queued folded", {"status": "queued"}, "folded"),
    ("accepted folded", {"status": "accepted"}, "folded"),
    ("sending folded", {"status": "sending"}, "folded"),
    ("scheduled folded", {"status": "scheduled"}, "folded"),
    ("canceled folded", {"status": "canceled"}, "folded"),
]


@pytest.mark.parametrize("case, over, expected", CASES, ids=[c[0] for c in CASES])
def test_message_mapping(tmp_path, case, over, expected):
    path = write_json(tmp_path / "messages.json", [message(**over)])
    parsed = read(twilio_messaging_json, path)
    rows = parsed.tables["notifications"]
    assert parsed.rows_read == 1
    assert parsed.rejects.height == 0
    if expected == "folded":
        assert (rows.height, parsed.rows_folded) == (0, 1)
        return
    assert parsed.rows_folded == 0
    got = rows.select("source", "source_id", "channel", "customer_phone", "status", "status_at", "campaign").row(0)
    assert got[0] == "twilio"
    assert (*got[1:5], str(got[5]), got[6]) == expected


@pytest.mark.parametrize(
    "over, column, reason",
    [
        ({"status": "bogus"}, "status", "unknown Twilio message status 'bogus'"),
        ({"status": "received"}, "status", "unknown Twilio message status 'received'"),
        ({"direction": "sideways"}, "direction", "unknown Twilio message direction 'sideways'"),
        ({"sid": None, "num_segments": "1"}, "sid", "Twilio message has no sid"),
    ],
)
def test_message_rejects(tmp_path, over, column, reason):
    good = message(sid="SM" + "a" * 32)
    path = write_json(tmp_path / "messages.json", [good, message(**over)])
    parsed = read(twilio_messaging_json, path)
    assert parsed.rows_read == 2
    assert parsed.tables["notifications"].height == 1
    assert parsed.rejects.select("source_row", "column_name", "reason").rows() == [(2, column, reason)]


def test_unreadable_date_is_quarantined(tmp_path):
    path = write_json(
        tmp_path / "messages.json", [message(date_updated="yesterday", date_sent=None, date_created=None)]
    )
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.read, result.inserted, result.quarantined) == (1, 0, 1)
    assert result.rejects["column_name"].to_list() == ["status_at"]


@pytest.mark.parametrize("layout", ["array", "ndjson", "concatenated", "pages"])
def test_layouts_give_the_same_rows(tmp_path, layout):
    records = [message(), message(sid="SM" + "b" * 32, status="sent"), message(sid="MM" + "c" * 32, status="queued")]
    if layout == "pages":  # two API list pages, NDJSON
        pages = [
            {"messages": records[:2], "page": 0, "next_page_uri": "/2010-04-01/Accounts/AC0/Messages.json?Page=1"},
            {"messages": records[2:], "page": 1, "next_page_uri": None},
        ]
        path = write_json(tmp_path / "messages.json", pages, "ndjson")
    else:
        path = write_json(tmp_path / "messages.json", records, layout)
    parsed = read(twilio_messaging_json, path)
    assert (parsed.rows_read, parsed.rows_folded) == (3, 1)
    assert parsed.tables["notifications"]["source_id"].to_list() == [f"{SID}:delivered", "SM" + "b" * 32 + ":sent"]
    assert parsed.tables["notifications"]["source_row"].to_list() == [1, 2]


def test_same_message_twice_in_one_file_collapses(tmp_path):
    path = write_json(tmp_path / "messages.json", [message(), message()], "ndjson")
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.read, result.inserted, result.unchanged) == (2, 1, 1)


# The JSON fixture, worked out by hand (status_at: date_sent for sent/replied, date_updated otherwise).
JSON_FIXTURE_ROWS = [
    ("twilio", "MM3333cccc4444dddd5555eeee6666ffff:read", "whatsapp", None, "+12025550199", "read",
     "2024-03-05 15:07:30", [MG]),
    ("twilio", "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9:failed", "whatsapp", None, "+13125550167", "failed",
     "2024-03-05 14:22:40", [MG]),
    ("twilio", "SM2222bbbb3333cccc4444dddd5555eeee:sent", "sms", None, "+12125550111", "sent",
     "2024-03-05 14:51:01", [MG]),
    ("twilio", "SM5f2e8a7c9b1d4e6f8a0b2c4d6e8f0a1b:delivered", "sms", None, "+12025550143", "delivered",
     "2024-03-05 14:22:14", [MG]),
    ("twilio", "SM9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41:replied", "sms", None, "+12025550143", "replied",
     "2024-03-05 14:40:02", [MG]),
]  # fmt: skip


def test_json_fixture_end_to_end(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "twilio_messaging_json.json")
    assert (first.read, first.inserted, first.unchanged, first.quarantined) == (6, 5, 1, 0)  # 1 queued, folded
    assert rows == JSON_FIXTURE_ROWS
    assert any("1 queued" in w for w in first.warnings)


CSV_FIXTURE_ROWS = [
    ("twilio", "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9:failed", "whatsapp", None, "+13125550167", "failed",
     "2024-03-05 14:22:12", None),
    ("twilio", "SM2222bbbb3333cccc4444dddd5555eeee:sent", "sms", None, "+12125550111", "sent",
     "2024-03-05 14:51:01", None),  # "2024-03-05 14:51:01 UTC"
    ("twilio", "SM4444dddd5555eeee6666ffff7777aaaa:replied", "whatsapp", None, "+12025550199", "replied",
     "2024-03-05 15:09:00", None),  # inbound: From, prefix stripped
    ("twilio", "SM5f2e8a7c9b1d4e6f8a0b2c4d6e8f0a1b:delivered", "sms", None, "+12025550143", "delivered",
     "2024-03-05 14:22:10", None),
    ("twilio", "SM9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41:replied", "sms", None, "+12025550143", "replied",
     "2024-03-05 14:40:02", None),
]  # fmt: skip


def test_csv_fixture_end_to_end(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "twilio_messaging_csv.csv")
    assert (first.read, first.inserted, first.unchanged, first.quarantined) == (6, 5, 1, 0)  # 1 sending, folded
    assert rows == CSV_FIXTURE_ROWS
    lineage = con.execute("SELECT source_row FROM notifications ORDER BY source_row").fetchall()
    assert [r[0] for r in lineage] == [2, 3, 4, 6, 7]  # spreadsheet rows; row 5 was folded


def test_json_then_csv_of_the_same_messages_never_double_counts(tmp_path):
    con = store(tmp_path)
    ingest(con, FIXTURES / "twilio_messaging_json.json")
    result = ingest(con, FIXTURES / "twilio_messaging_csv.csv")
    # SM4444 (inbound WhatsApp) is new; the 4 others already loaded from JSON are updated (time/campaign
    # differ: the CSV has SentDate only and no messaging service); 'sending' is folded.
    assert (result.read, result.inserted, result.updated, result.unchanged) == (6, 1, 4, 1)
    assert con.execute("SELECT count(*) FROM notifications").fetchone()[0] == 6


def test_csv_header_variants_and_local_times(tmp_path):
    path = tmp_path / "messaging-log.csv"
    path.write_text(
        "sid,date_created,sent_date,from,to,status,direction,num_segments\n"
        "SM5f2e8a7c9b1d4e6f8a0b2c4d6e8f0a1b,,2024-03-05 08:22:10,+18005550188,+12025550143,delivered,outbound-api,1\n"
        "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9,,2024-03-05 08:22:12,+18005550188,+13125550167,Undelivered,outbound-api,1\n"
        "SM9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41,,2024-03-05 08:40:02,+12025550143,+18005550188,received,bogus,1\n",
        encoding="utf-8",
    )
    parsed = read(twilio_messaging_csv, path, tz="America/Chicago")  # CST, UTC-6 before 10 March
    rows = parsed.tables["notifications"]
    assert rows.select("source_id", "status").rows() == [
        ("SM5f2e8a7c9b1d4e6f8a0b2c4d6e8f0a1b:delivered", "delivered"),
        ("SM0a1b2c3d4e5f60718293a4b5c6d7e8f9:failed", "failed"),
    ]
    assert [str(t) for t in rows["status_at"]] == ["2024-03-05 14:22:10", "2024-03-05 14:22:12"]
    assert parsed.rejects.select("source_row", "column_name").rows() == [(4, "direction")]


def test_detection_is_specific(tmp_path):
    for name in ("twilio_messaging_json.json", "twilio_messaging_csv.csv"):
        assert claimed_by(FIXTURES / name) == [name.rsplit(".", 1)[0]]
    call = {
        "sid": "CAa1b2c3d4e5f60718293a4b5c6d7e8f90",
        "parent_call_sid": None,
        "from": "+12025550143",
        "to": "+18005550188",
        "status": "completed",
        "direction": "inbound",
        "duration": "452",
        "start_time": "Tue, 05 Mar 2024 14:22:10 +0000",
    }
    assert "twilio_messaging_json" not in claimed_by(write_json(tmp_path / "calls.json", [call]))
    calls_csv = tmp_path / "calls.csv"
    calls_csv.write_text(
        "Sid,DateCreated,DateUpdated,ParentCallSid,AccountSid,To,ToFormatted,From,FromFormatted,PhoneNumberSid,"
        "Status,StartTime,EndTime,Duration,Price,PriceUnit,Direction,AnsweredBy,Annotation,ApiVersion\n"
        "CAa1b2c3d4e5f60718293a4b5c6d7e8f90,2024-03-05T14:22:09Z,2024-03-05T14:29:42Z,,AC0,+18005550188,,"
        "+12025550143,,PN0,completed,2024-03-05T14:22:10Z,2024-03-05T14:29:42Z,452,-0.017,USD,inbound,,,2010-04-01\n",
        encoding="utf-8",
    )
    assert "twilio_messaging_csv" not in claimed_by(calls_csv)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "messages.json"
    path.write_text('{"sid": "SM' + "a" * 32 + '", "num_segments": "1", "status": "sent"}\n{"sid": }\n', "utf-8")
    message_text = failure(store(tmp_path), path)
    assert "messages.json" in message_text and "line 2" in message_text
