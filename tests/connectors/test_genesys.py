"""Genesys Cloud analytics conversation detail records (docs/vendor-formats.md#genesys-cloud): one contact per
conversationId, metrics in milliseconds."""

from __future__ import annotations

import copy
import json

import pytest
from telephony_support import FIXTURES, contacts, failure, ingest, ingest_twice, read, store, write_json

from connectors import genesys_cloud
from connectors.base import SourceFile

FIXTURE = json.loads((FIXTURES / "genesys_cloud.json").read_text(encoding="utf-8"))["conversations"]
ANSWERED, ABANDONED, TRANSFERRED, WHATSAPP = (copy.deepcopy(c) for c in FIXTURE)


@pytest.mark.parametrize("shape", ["page", "array", "ndjson", "pages_ndjson"])
def test_every_json_shape_loads_the_same_contacts(tmp_path, shape):
    convs = [ANSWERED, ABANDONED, TRANSFERRED]
    path = tmp_path / "conv.json"
    if shape == "page":
        write_json(path, {"conversations": convs, "totalHits": 3}, "array")
    elif shape == "pages_ndjson":  # async job pages, one per line
        write_json(path, [{"conversations": convs[:2], "cursor": "abc"}, {"conversations": convs[2:]}], "ndjson")
    else:
        write_json(path, convs, shape)
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("genesys_cloud", 3, 3, 0)
    rows = {r["source_id"]: r for r in contacts(con)}
    assert rows[ANSWERED["conversationId"]] == {
        "source": "genesys",
        "source_id": "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
        "channel": "phone",
        "direction": "inbound",
        "created_at": "2024-03-05 14:22:10.104",
        "answered_at": "2024-03-05 14:23:37.402",  # first agent interact segment
        "updated_at": "2024-03-05 14:33:05.87",  # latest stamp: conversationEnd / tAcw emitDate
        "status": "endpoint",
        "is_abandoned": False,
        "is_transferred": False,  # the acd segment's "transfer" is routing to the agent
        "wait_s": 56.392,  # tAcd 56392 ms
        "talk_s": 358.148,
        "hold_s": 87.0,
        "wrap_s": 123.32,
        "handle_s": 568.468,  # tHandle as given
        "agent": "Sam Rivera",
        "queue": "RecallHotline",
        "dialled_number": "+18005550188",  # dnis, tel: stripped
        "customer_phone_raw": "+12025550143",
        "customer_phone": "+12025550143",
    }
    abandoned = rows[ABANDONED["conversationId"]]
    assert (abandoned["is_abandoned"], abandoned["answered_at"], abandoned["wait_s"], abandoned["talk_s"]) == (
        True,
        None,
        224.18,  # tAbandon 224180 ms
        None,
    )
    transferred = rows[TRANSFERRED["conversationId"]]
    assert (transferred["is_transferred"], transferred["agent"], transferred["wait_s"]) == (True, "Bo Tier2", 30.5)
    # two agents: talk 120 + 325, hold 45, ACW 20 + 90, handle 140 + 460
    assert (transferred["talk_s"], transferred["hold_s"], transferred["wrap_s"], transferred["handle_s"]) == (
        445.0,
        45.0,
        110.0,
        600.0,
    )


def test_media_types_and_outbound_numbers(tmp_path):
    email = copy.deepcopy(ANSWERED)
    email["conversationId"] = "e-1"
    cust = email["participants"][0]["sessions"][0]
    cust.update(mediaType="email", addressFrom="Pat@Example.com", addressTo="recall@example.com", ani=None, dnis=None)
    outbound = copy.deepcopy(ANSWERED)
    outbound["conversationId"] = "o-1"
    outbound["originatingDirection"] = "outbound"
    outbound["participants"][0]["sessions"][0].update(ani="tel:+18005550188", dnis="tel:+16175550122")
    chat = copy.deepcopy(WHATSAPP)
    chat["conversationId"] = "c-1"
    chat["participants"][0]["sessions"][0].pop("messageType")
    sms = copy.deepcopy(WHATSAPP)
    sms["conversationId"] = "s-1"
    sms["participants"][0]["sessions"][0]["messageType"] = "sms"
    parsed = read(genesys_cloud, write_json(tmp_path / "m.json", [email, outbound, chat, sms, WHATSAPP], "ndjson"))
    rows = {r["source_id"]: r for r in parsed.tables["contacts"].iter_rows(named=True)}
    got = {
        k: (r["channel"], r["direction"], r["customer_phone_raw"], r["dialled_number"], r["customer_email"])
        for k, r in rows.items()
    }
    assert got == {
        "e-1": ("email", "inbound", None, None, "pat@example.com"),
        "o-1": ("phone", "outbound", "+16175550122", "+18005550188", None),
        "c-1": ("chat", "inbound", None, None, None),
        "s-1": ("sms", "inbound", "+12025550143", None, None),
        WHATSAPP["conversationId"]: ("whatsapp", "inbound", "+12025550143", None, None),
    }
    assert rows["c-1"]["handle_s"] == 859.0  # tHandle is given for every media type


def test_one_digit_day_is_read_not_crashed_on(tmp_path):
    conv = copy.deepcopy(ANSWERED)
    conv["conversationStart"] = "2024-03-5T14:22:10.104Z"
    conv["participants"][2]["sessions"][0]["segments"][1]["segmentStart"] = "2024-3-05T14:23:37.402Z"
    (row,) = read(genesys_cloud, write_json(tmp_path / "d.json", [conv])).tables["contacts"].iter_rows(named=True)
    assert (str(row["created_at"]), str(row["answered_at"])) == (
        "2024-03-05 14:22:10.104000",
        "2024-03-05 14:23:37.402000",
    )


def test_unusable_values_are_quarantined(tmp_path):
    no_start = {**copy.deepcopy(ANSWERED), "conversationId": "x-1"}
    del no_start["conversationStart"]
    bad_metric = copy.deepcopy(TRANSFERRED)
    bad_metric["conversationId"] = "x-2"
    bad_metric["participants"][2]["sessions"][0]["metrics"][0]["value"] = "lots"
    unknown_media = copy.deepcopy(ANSWERED)
    unknown_media["conversationId"] = "x-3"
    for p in unknown_media["participants"]:
        p["sessions"][0]["mediaType"] = "unknown"
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "bad.json", [ANSWERED, no_start, bad_metric, unknown_media, 42]))
    assert (result.read, result.inserted, result.quarantined) == (5, 1, 4)
    got = con.execute("SELECT source_row, column_name FROM quarantine ORDER BY source_row").fetchall()
    assert got == [(2, "created_at"), (3, "talk_s"), (4, "channel"), (5, None)]


def test_a_later_export_of_a_conversation_replaces_the_earlier(tmp_path):
    active = copy.deepcopy(ANSWERED)  # exported mid-call: no end, no wrap-up yet
    del active["conversationEnd"]
    agent = active["participants"][2]["sessions"][0]
    agent["segments"] = agent["segments"][:2]
    agent["metrics"] = agent["metrics"][:2]
    con = store(tmp_path)
    ingest(con, write_json(tmp_path / "early.json", [active]))
    assert contacts(con)[0]["handle_s"] is None
    later = ingest(con, write_json(tmp_path / "late.json", [ANSWERED]))
    assert (later.inserted, later.updated) == (0, 1)
    assert contacts(con)[0]["handle_s"] == 568.468
    again = ingest(con, tmp_path / "early.json")  # the older export loaded again changes nothing
    assert (again.updated, again.unchanged) == (0, 1)
    assert contacts(con)[0]["handle_s"] == 568.468


def test_loading_twice_changes_nothing(tmp_path):
    first, rows = ingest_twice(store(tmp_path), FIXTURES / "genesys_cloud.json")
    assert (first.read, first.inserted, len(rows)) == (4, 4, 4)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "g.json"
    path.write_text('{"conversations": [\n{"conversationId": "a", "participants": []},\n{"conversationId" 1}]}')
    message = failure(store(tmp_path), path)
    assert "g.json" in message and "line 3" in message


def test_detect_is_specific():
    claims = {p.name for p in FIXTURES.iterdir() if genesys_cloud.detect(SourceFile(p.name, p))}
    assert claims == {"genesys_cloud.json"}


def test_interactions_csv_export(tmp_path):
    con = store(tmp_path)
    result = ingest(con, FIXTURES / "genesys_csv.csv")
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("genesys_csv", 4, 4, 0)
    rows = {r["source_id"]: r for r in contacts(con)}
    first = rows[ANSWERED["conversationId"]]  # the same conversation as the JSON example
    # 3/5/24 8:22 AM in America/Chicago (CST, UTC−6); milliseconds → seconds
    assert (first["created_at"], first["wait_s"], first["talk_s"], first["hold_s"], first["wrap_s"]) == (
        "2024-03-05 14:22:00",
        56.392,
        358.148,
        87.0,
        123.32,
    )
    assert (first["handle_s"], first["agent"], first["queue"], first["is_abandoned"]) == (
        568.468,
        "Sam Rivera",
        "RecallHotline",
        False,
    )
    assert rows[ABANDONED["conversationId"]]["is_abandoned"] is True
    transferred = rows[TRANSFERRED["conversationId"]]
    assert (transferred["is_transferred"], transferred["agent"], transferred["queue"]) == (
        True,
        "Bo Tier2",
        "RecallHotline",
    )
    callback = rows["6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"]
    assert (callback["channel"], callback["direction"], callback["handle_s"]) == ("phone", "inbound", 90.0)
    second = ingest(con, FIXTURES / "genesys_csv.csv")
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 4)


def test_interactions_csv_bad_values(tmp_path):
    path = tmp_path / "interactions.csv"
    path.write_text(
        "Conversation ID,Date,Direction,Media Type,Abandoned,Total Talk\n"
        "a-1,3/5/24 9:22 AM,Inbound,voice,NO,abc\n"
        "a-2,someday,Inbound,voice,NO,1000\n"
        "a-3,3/5/24 9:30 AM,Sideways,voice,NO,1000\n",
        encoding="utf-8",
    )
    result = ingest(store(tmp_path), path)
    assert (result.read, result.inserted, result.quarantined) == (3, 0, 3)
    assert sorted(zip(result.rejects["source_row"], result.rejects["column_name"], strict=True)) == [
        (2, "talk_s"),
        (3, "created_at"),
        (4, "direction"),
    ]
