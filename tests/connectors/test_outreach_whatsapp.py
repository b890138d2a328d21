"""Meta WhatsApp Cloud API status webhooks (and inbound messages) → notifications."""

from __future__ import annotations

import pytest
from outreach_support import (
    FIXTURES,
    claimed_by,
    failure,
    ingest,
    ingest_twice,
    notifications,
    read,
    store,
    write_json,
)

from connectors import whatsapp_cloud

PAT = "wamid.HBgLMTIwMjU1NTAxNDMVAgARGBI5QTNCRDFFQTg0RkQwQTA4MjQA"  # to +1 202 555 0143
LEE = "wamid.HBgLMTMxMjU1NTAxNjcVAgARGBIzQzQ1RDZFN0Y4OTBBMUIyQzMA"  # to +1 312 555 0167
REPLY = "wamid.HBgLMTIwMjU1NTAxNDMVAgASGBQzQUJDREVGMDEyMzQ1Njc4OUFCAA"
TAG = "recall_r24_017"


def envelope(statuses: list | None = None, messages: list | None = None, field: str = "messages") -> dict:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "14155550100", "phone_number_id": "109870000000002"},
    }
    if statuses is not None:
        value["statuses"] = statuses
    if messages is not None:
        value["messages"] = messages
    change = {"field": field, "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290000000001", "changes": [change]}]}


def status(wamid: str, st: str, ts: str, recipient: str = "12025550143", tag: str | None = None, **extra) -> dict:
    out = {"id": wamid, "status": st, "timestamp": ts, "recipient_id": recipient, **extra}
    if tag:
        out["biz_opaque_callback_data"] = tag
    return out


# 1709648531 = 2024-03-05 14:22:11 UTC; +14 s → delivered, +71 s → read.
SENT = status(PAT, "sent", "1709648531", tag="recall_r24_017")
DELIVERED = status(PAT, "delivered", "1709648545")  # no tag: takes the tag of the message's other events
READ = status(PAT, "read", "1709648602", tag="recall_r24_017")
EXPECTED_PAT = [
    ("whatsapp", f"{PAT}:delivered", "whatsapp", None, "+12025550143", "delivered", "2024-03-05 14:22:25", [TAG]),
    ("whatsapp", f"{PAT}:read", "whatsapp", None, "+12025550143", "read", "2024-03-05 14:23:22", [TAG]),
    ("whatsapp", f"{PAT}:sent", "whatsapp", None, "+12025550143", "sent", "2024-03-05 14:22:11", [TAG]),
]  # fmt: skip


@pytest.mark.parametrize(
    "order",
    [
        [[SENT], [DELIVERED], [READ]],  # in order, one envelope each
        [[READ], [DELIVERED], [SENT]],  # reversed
        [[DELIVERED, READ, SENT]],  # shuffled inside one envelope
        [[READ, SENT], [DELIVERED], [READ]],  # with a webhook retry of read
    ],
    ids=["in-order", "reversed", "one-envelope", "retry"],
)
def test_out_of_order_statuses_give_the_same_rows(tmp_path, order):
    path = write_json(tmp_path / "webhooks.json", [envelope(statuses=s) for s in order], "ndjson")
    con = store(tmp_path)
    result = ingest(con, path)
    events = sum(len(s) for s in order)
    assert (result.read, result.inserted, result.unchanged) == (events, 3, events - 3)
    assert notifications(con) == EXPECTED_PAT


@pytest.mark.parametrize("layout", ["array", "ndjson", "concatenated"])
def test_layouts(tmp_path, layout):
    path = write_json(tmp_path / "webhooks.json", [envelope(statuses=[SENT]), envelope(statuses=[READ])], layout)
    parsed = read(whatsapp_cloud, path)
    assert parsed.rows_read == 2
    assert parsed.tables["notifications"]["source_id"].to_list() == [f"{PAT}:sent", f"{PAT}:read"]
    assert parsed.tables["notifications"]["source_row"].to_list() == [1, 2]


# (case, status record, expected (source_id, status, phone, status_at) or (column, reason))
CASES = [
    ("failed after delivered", status(LEE, "failed", "1709648551", "13125550167"),
     (f"{LEE}:failed", "failed", "+13125550167", "2024-03-05 14:22:31")),
    ("voice message played is read", status(LEE, "played", "1709648551", "13125550167"),
     (f"{LEE}:read", "read", "+13125550167", "2024-03-05 14:22:31")),
    ("international id gets a plus", status(LEE, "sent", "1709648551", "447700900123"),
     (f"{LEE}:sent", "sent", "+447700900123", "2024-03-05 14:22:31")),
    ("unknown status", status(LEE, "deleted", "1709648551"), ("status", "unknown WhatsApp status 'deleted'")),
    ("no message id", {"status": "sent", "timestamp": "1709648551"}, ("id", "status event without a message id")),
]  # fmt: skip


@pytest.mark.parametrize("case, record, expected", CASES, ids=[c[0] for c in CASES])
def test_status_mapping(tmp_path, case, record, expected):
    path = write_json(tmp_path / "webhooks.json", [envelope(statuses=[SENT, record])], "ndjson")
    parsed = read(whatsapp_cloud, path)
    assert parsed.rows_read == 2
    rows = parsed.tables["notifications"]
    if len(expected) == 2:
        column, reason = expected
        assert rows.height == 1
        assert parsed.rejects["source_row"].to_list() == [2]
        assert parsed.rejects["column_name"].to_list() == [column]
        assert parsed.rejects["reason"][0].startswith(reason)
        assert "record 1, statuses[1]" in parsed.rejects["reason"][0]
        return
    got = rows.filter(rows["source_row"] == 2).select("source_id", "status", "customer_phone", "status_at").row(0)
    assert (*got[:3], str(got[3])) == expected


def test_inbound_reply_takes_the_tag_of_the_message_it_answers(tmp_path):
    reply = {
        "from": "12025550143",
        "id": REPLY,
        "timestamp": "1709648700",
        "type": "text",
        "text": {"body": "Is my heater affected?"},
        "context": {"from": "14155550100", "id": PAT},
    }
    unrelated = {**reply, "id": REPLY + "X", "from": "13125550167", "context": None}
    path = write_json(tmp_path / "w.json", [envelope(messages=[reply, unrelated]), envelope(statuses=[SENT])], "ndjson")
    rows = read(whatsapp_cloud, path).tables["notifications"]
    got = rows.select("source_id", "status", "customer_phone", "campaign").rows()
    assert got == [
        (f"{REPLY}:replied", "replied", "+12025550143", [TAG]),
        (f"{REPLY}X:replied", "replied", "+13125550167", None),
        (f"{PAT}:sent", "sent", "+12025550143", [TAG]),
    ]


def test_non_messages_changes_are_skipped_and_foreign_records_rejected(tmp_path):
    template = envelope(field="message_template_status_update")
    template["entry"][0]["changes"][0]["value"] = {"event": "APPROVED", "message_template_id": 1}
    records = [template, envelope(statuses=[SENT]), {"object": "page", "entry": []}]
    path = write_json(tmp_path / "w.json", records, "ndjson")
    parsed = read(whatsapp_cloud, path)
    assert parsed.rows_read == 2  # the status event and the foreign record
    assert parsed.tables["notifications"].height == 1
    assert parsed.rejects.select("source_row", "column_name").rows() == [(2, "object")]
    assert any("message_template_status_update" in w for w in parsed.warnings)


def test_file_without_events_is_unreadable(tmp_path):
    template = envelope(field="message_template_status_update")
    path = write_json(tmp_path / "templates.json", [template], "ndjson")
    assert "no WhatsApp event records" in failure(store(tmp_path), path)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(
        '{"object": "whatsapp_business_account", "entry": []}\n{"object": "whatsapp_business_account", "entry": [}\n',
        encoding="utf-8",
    )
    message = failure(store(tmp_path), path)
    assert "w.json" in message and "line 2" in message


FIXTURE_ROWS = [
    ("whatsapp", f"{PAT}:delivered", "whatsapp", None, "+12025550143", "delivered", "2024-03-05 14:22:25", [TAG]),
    ("whatsapp", f"{PAT}:read", "whatsapp", None, "+12025550143", "read", "2024-03-05 14:23:22", [TAG]),
    ("whatsapp", f"{PAT}:sent", "whatsapp", None, "+12025550143", "sent", "2024-03-05 14:22:11", [TAG]),
    ("whatsapp", f"{REPLY}:replied", "whatsapp", None, "+12025550143", "replied", "2024-03-05 14:25:00", [TAG]),
    ("whatsapp", f"{LEE}:failed", "whatsapp", None, "+13125550167", "failed", "2024-03-05 14:22:31", [TAG]),
    ("whatsapp", f"{LEE}:sent", "whatsapp", None, "+13125550167", "sent", "2024-03-05 14:22:12", [TAG]),
]  # fmt: skip


def test_fixture_end_to_end(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "whatsapp_cloud.json")
    assert (first.read, first.inserted, first.unchanged, first.quarantined) == (6, 6, 0, 0)
    assert rows == FIXTURE_ROWS
    assert claimed_by(FIXTURES / "whatsapp_cloud.json") == ["whatsapp_cloud"]


@pytest.mark.parametrize(
    "tagged, recall_named, expected",
    [(False, None, "R1"), (True, None, None), (True, "R1", "R1")],
    ids=["no campaign: the only recall", "campaign: decided by match rules", "named at upload"],
)
def test_recall_assignment(tmp_path, tagged, recall_named, expected):
    con = store(tmp_path)
    toml = tmp_path / "recall.toml"
    toml.write_text('[recall]\nid = "R1"\nname = "Test"\ntimezone = "UTC"\nannounced_at = "2024-03-01T00:00:00Z"\n')
    ingest(con, toml)
    sent = SENT if tagged else status(PAT, "sent", "1709648531")
    ingest(con, write_json(tmp_path / "w.json", [envelope(statuses=[sent])], "ndjson"), recall_id=recall_named)
    assert con.execute("SELECT recall_id FROM notifications").fetchall() == [(expected,)]
