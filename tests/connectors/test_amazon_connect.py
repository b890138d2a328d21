"""Amazon Connect contact records: composed records following docs/vendor-formats.md#amazon-connect-contact-records."""

from __future__ import annotations

import copy
import json

import polars as pl
import pytest
from telephony_support import FIXTURES, contacts, failure, ingest, ingest_twice, quarantine, read, store, write_json

from connectors import amazon_connect

ANSWERED = {  # an answered inbound call
    "AWSContactTraceRecordFormatVersion": "2017-03-10",
    "ContactId": "0b7d9e21-5c3a-4f8e-a1b2-c3d4e5f6a7b8",
    "InitialContactId": None,
    "Channel": "VOICE",
    "InitiationMethod": "INBOUND",
    "InitiationTimestamp": "2024-03-05T14:22:10Z",
    "LastUpdateTimestamp": "2024-03-05T14:32:11Z",
    "DisconnectReason": "CUSTOMER_DISCONNECT",
    "CustomerEndpoint": {"Address": "+12025550143", "Type": "TELEPHONE_NUMBER"},
    "SystemEndpoint": {"Address": "+18005550188", "Type": "TELEPHONE_NUMBER"},
    "Queue": {"Name": "RecallHotline", "Duration": 56},
    "Agent": {
        "Username": "srivera",
        "ConnectedToAgentTimestamp": "2024-03-05T14:23:37Z",
        "AgentInteractionDuration": 358,
        "CustomerHoldDuration": 87,
        "AfterContactWorkDuration": 68,
        "RoutingProfile": {"Name": "Recall Tier 1"},
    },
    "Attributes": {"recall_code": "R24-017"},
    "TransferredToEndpoint": None,
    "SomeFieldAddedLater": {"x": 1},
}
ABANDONED = {  # a call abandoned in queue
    "AWSContactTraceRecordFormatVersion": "2017-03-10",
    "ContactId": "7c1e5a90-2d4b-4e6f-8a9b-0c1d2e3f4a5b",
    "Channel": "VOICE",
    "InitiationMethod": "INBOUND",
    "InitiationTimestamp": "2024-03-05T14:40:02Z",
    "LastUpdateTimestamp": "2024-03-05T14:44:20Z",
    "DisconnectReason": "CUSTOMER_DISCONNECT",
    "CustomerEndpoint": {"Address": "+13125550167", "Type": "TELEPHONE_NUMBER"},
    "Queue": {"Name": "RecallHotline", "Duration": 224},
    "Agent": None,
}
INITIAL = {
    "ContactId": "a1000000-0000-4000-8000-000000000001",
    "Channel": "VOICE",
    "InitiationMethod": "INBOUND",
    "InitiationTimestamp": "2024-03-05T15:00:00Z",
    "LastUpdateTimestamp": "2024-03-05T15:06:30Z",
    "DisconnectReason": "AGENT_DISCONNECT",
    "CustomerEndpoint": {"Address": "+14155550101", "Type": "TELEPHONE_NUMBER"},
    "Queue": {"Name": "RecallHotline", "Duration": 30},
    "Agent": {
        "Username": "tier1.ana",
        "ConnectedToAgentTimestamp": "2024-03-05T15:00:40Z",
        "AgentInteractionDuration": 120,
        "CustomerHoldDuration": 0,
        "AfterContactWorkDuration": 20,
    },
    "TransferredToEndpoint": {"Address": "+18005550177", "Type": "TELEPHONE_NUMBER"},
}
TRANSFER_LEG = {
    "ContactId": "a1000000-0000-4000-8000-000000000002",
    "InitialContactId": "a1000000-0000-4000-8000-000000000001",
    "PreviousContactId": "a1000000-0000-4000-8000-000000000001",
    "Channel": "VOICE",
    "InitiationMethod": "TRANSFER",
    "InitiationTimestamp": "2024-03-05T15:02:40Z",
    "LastUpdateTimestamp": "2024-03-05T15:09:00Z",
    "DisconnectReason": "CUSTOMER_DISCONNECT",
    "Queue": {"Name": "RecallTier2", "Duration": 15},
    "Agent": {
        "Username": "tier2.bo",
        "ConnectedToAgentTimestamp": "2024-03-05T15:02:55Z",
        "AgentInteractionDuration": 300,
        "CustomerHoldDuration": 45,
        "AfterContactWorkDuration": 60,
    },
}


def _newer(rec: dict, stamp: str, **changes) -> dict:
    out = copy.deepcopy(rec)
    out["LastUpdateTimestamp"] = stamp
    out.update(changes)
    return out


@pytest.mark.parametrize(
    "layout,suffix", [("array", ".json"), ("ndjson", ".json"), ("concat", ".json"), ("concat", ".json.gz")]
)
def test_every_json_shape_loads_the_same_contacts(tmp_path, layout, suffix):
    path = write_json(tmp_path / f"ctr{suffix}", [ANSWERED, ABANDONED], layout)
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("amazon_connect", 2, 2, 0)
    answered, abandoned = contacts(con)
    assert answered == {
        "source": "amazon_connect",
        "source_id": "0b7d9e21-5c3a-4f8e-a1b2-c3d4e5f6a7b8",
        "channel": "phone",
        "direction": "inbound",
        "created_at": "2024-03-05 14:22:10",
        "answered_at": "2024-03-05 14:23:37",
        "updated_at": "2024-03-05 14:32:11",
        "status": "CUSTOMER_DISCONNECT",
        "is_abandoned": False,
        "is_transferred": False,
        "wait_s": 56.0,
        "talk_s": 358.0,
        "hold_s": 87.0,
        "wrap_s": 68.0,
        "handle_s": 513.0,  # 358 + 87 + 68
        "agent": "srivera",
        "queue": "RecallHotline",
        "dialled_number": "+18005550188",
        "customer_phone_raw": "+12025550143",
        "customer_phone": "+12025550143",
    }
    assert abandoned["source_id"] == "7c1e5a90-2d4b-4e6f-8a9b-0c1d2e3f4a5b"
    assert (abandoned["is_abandoned"], abandoned["answered_at"], abandoned["wait_s"]) == (True, None, 224.0)
    assert (abandoned["talk_s"], abandoned["handle_s"], abandoned["agent"]) == (None, None, None)


@pytest.mark.parametrize("order", ["older_first", "newer_first"])
def test_duplicate_contact_id_latest_update_wins_in_either_order(tmp_path, order):
    older = _newer(ANSWERED, "2024-03-05T14:32:11Z")
    newer = _newer(ANSWERED, "2024-03-05T15:10:00Z", DisconnectReason="AGENT_DISCONNECT")
    newer["Agent"] = {**newer["Agent"], "AfterContactWorkDuration": 100}
    records = [older, newer] if order == "older_first" else [newer, older]
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "dup.json", records, "concat"))
    assert (result.read, result.inserted, result.updated, result.unchanged) == (2, 1, 1, 0)
    (row,) = contacts(con)
    assert (row["updated_at"], row["status"], row["wrap_s"], row["handle_s"]) == (
        "2024-03-05 15:10:00",
        "AGENT_DISCONNECT",
        100.0,
        545.0,
    )


def test_redelivery_across_files_keeps_the_latest(tmp_path):
    con = store(tmp_path)
    newer = _newer(ANSWERED, "2024-03-05T15:10:00Z", DisconnectReason="AGENT_DISCONNECT")
    ingest(con, write_json(tmp_path / "b.json", [newer], "ndjson"))
    late_old = ingest(con, write_json(tmp_path / "a.json", [ANSWERED], "ndjson"))  # older version arrives later
    assert (late_old.inserted, late_old.updated, late_old.unchanged) == (0, 0, 1)
    assert contacts(con)[0]["status"] == "AGENT_DISCONNECT"


@pytest.mark.parametrize("records", [[INITIAL, TRANSFER_LEG], [TRANSFER_LEG, INITIAL]])
def test_transfer_leg_folds_into_its_initial_contact(tmp_path, records):
    con = store(tmp_path)
    parsed = read(amazon_connect, write_json(tmp_path / "t.json", records, "ndjson"))
    assert (parsed.rows_read, parsed.rows_folded, parsed.tables["contacts"].height) == (2, 1, 1)
    result = ingest(con, tmp_path / "t.json")
    assert (result.read, result.inserted, result.unchanged) == (2, 1, 1)
    (row,) = contacts(con)
    assert row["source_id"] == "a1000000-0000-4000-8000-000000000001"
    assert (row["is_transferred"], row["is_abandoned"]) == (True, False)
    assert (row["talk_s"], row["hold_s"], row["wrap_s"], row["handle_s"]) == (420.0, 45.0, 80.0, 545.0)
    assert (row["agent"], row["status"], row["queue"], row["wait_s"]) == (
        "tier2.bo",
        "CUSTOMER_DISCONNECT",
        "RecallHotline",
        30.0,
    )
    assert (row["answered_at"], row["updated_at"]) == ("2024-03-05 15:00:40", "2024-03-05 15:06:30")


def test_redelivered_transfer_leg_counts_once(tmp_path):
    stale = _newer(TRANSFER_LEG, "2024-03-05T15:05:00Z")
    stale["Agent"] = {**stale["Agent"], "AgentInteractionDuration": 100}
    parsed = read(amazon_connect, write_json(tmp_path / "t.json", [INITIAL, TRANSFER_LEG, stale], "concat"))
    assert (parsed.rows_read, parsed.rows_folded) == (3, 2)
    assert parsed.tables["contacts"]["talk_s"].to_list() == [420.0]  # 120 + 300, not + 100


def test_transfer_leg_without_its_initial_contact_is_quarantined(tmp_path):
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "t.json", [ABANDONED, TRANSFER_LEG], "ndjson"))
    assert (result.read, result.inserted, result.quarantined) == (2, 1, 1)
    ((row, column, reason),) = quarantine(con)
    assert (row, column) == (2, "source_id")
    assert "a1000000-0000-4000-8000-000000000001" in reason and "not in this file" in reason


def test_channels_and_initiation_methods(tmp_path):
    chat = {**ANSWERED, "ContactId": "c1", "Channel": "CHAT", "InitiationMethod": "API", "CustomerEndpoint": None}
    callback = {**ANSWERED, "ContactId": "c2", "InitiationMethod": "CALLBACK"}
    outbound = {**ABANDONED, "ContactId": "c3", "InitiationMethod": "OUTBOUND"}
    api_voice = {**ABANDONED, "ContactId": "c4", "InitiationMethod": "API"}
    task = {**ANSWERED, "ContactId": "c5", "Channel": "TASK"}
    monitor = {**ANSWERED, "ContactId": "c6", "InitiationMethod": "MONITOR"}
    email = {
        **ANSWERED,
        "ContactId": "c7",
        "Channel": "EMAIL",
        "CustomerEndpoint": {"Address": "Pat@Example.com", "Type": "EMAIL_ADDRESS"},
        "SystemEndpoint": {"Address": "recall@example.com", "Type": "EMAIL_ADDRESS"},
    }
    records = [chat, callback, outbound, api_voice, task, monitor, email, "not an object"]
    parsed = read(amazon_connect, write_json(tmp_path / "m.json", records, "ndjson"))
    rows = {r["source_id"]: r for r in parsed.tables["contacts"].iter_rows(named=True)}
    assert {k: (r["channel"], r["direction"], r["is_abandoned"]) for k, r in rows.items()} == {
        "c1": ("chat", "inbound", False),
        "c2": ("phone", "inbound", False),
        "c3": ("phone", "outbound", False),  # no agent, but an outbound call is never abandoned
        "c4": ("phone", "outbound", False),
        "c7": ("email", "inbound", False),
    }
    assert rows["c1"]["handle_s"] == 513.0  # AHT recipe for chats too
    assert (rows["c7"]["customer_email"], rows["c7"]["customer_phone_raw"], rows["c7"]["dialled_number"]) == (
        "pat@example.com",
        None,
        None,
    )
    rejected = dict(zip(parsed.rejects["source_row"], parsed.rejects["column_name"], strict=True))
    assert rejected == {5: "channel", 6: "direction", 8: None}
    assert parsed.rows_read == 8 == len(rows) + len(rejected)


def test_bad_values_are_quarantined_not_loaded(tmp_path):
    bad_time = {**ABANDONED, "ContactId": "bad-1", "InitiationTimestamp": "yesterday"}
    negative = {**ANSWERED, "ContactId": "bad-2", "Queue": {"Name": "RecallHotline", "Duration": -5}}
    no_id = {k: v for k, v in ANSWERED.items() if k != "ContactId"}
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "bad.json", [ANSWERED, bad_time, negative, no_id], "array"))
    assert (result.read, result.inserted, result.quarantined) == (4, 1, 3)
    assert [(r, c) for r, c, _ in quarantine(con)] == [(2, "created_at"), (3, "wait_s"), (4, "source_id")]


def test_loading_twice_changes_nothing(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "amazon_connect.json")
    assert (first.read, first.inserted, first.unchanged) == (6, 5, 1)  # one transfer leg folded
    assert len(rows) == 5


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    lines = ['{"ContactId": "x", "InitiationMethod": "INBOUND"}', '{"ContactId": "y" "Channel": 1}', "{}"]
    path.write_text("\n".join(lines), encoding="utf-8")
    message = failure(store(tmp_path), path)
    assert "broken.json" in message and "line 2" in message


def test_detect_is_specific():
    claims = {p.name for p in FIXTURES.iterdir() if amazon_connect.detect(_file(p))}
    assert claims == {"amazon_connect.json"}


def _file(path):
    from connectors.base import SourceFile

    return SourceFile(path.name, path)


def test_the_batched_ndjson_reader_gives_what_the_record_reader_gives(tmp_path, monkeypatch):
    """connectors/_connect_ndjson.py (DuckDB, batches of 2 here) against the per-record reader on
    every kind of record: answered, abandoned, re-delivered, transfer legs (folded, re-delivered,
    and one whose initial contact is missing), email endpoints, TASK, unknown methods, bad values."""
    from connectors import _connect_ndjson
    from connectors.base import ReadContext, SourceFile
    from connectors.batches import joined

    monkeypatch.setattr(_connect_ndjson, "BATCH_ROWS", 2)
    stale = {**TRANSFER_LEG, "LastUpdateTimestamp": "2024-03-05T15:08:00Z", "Agent": {**TRANSFER_LEG["Agent"]}}
    stale["Agent"]["AgentInteractionDuration"] = 1
    orphan = {**TRANSFER_LEG, "ContactId": "leg-9", "InitialContactId": "missing"}
    newer = {**ANSWERED, "LastUpdateTimestamp": "2024-03-05T15:00:00Z", "DisconnectReason": "AGENT_DISCONNECT"}
    email = {**ANSWERED, "ContactId": "e1", "Channel": "EMAIL", "CustomerEndpoint": {"Address": "Pat@X.com"}}
    task = {**ANSWERED, "ContactId": "t1", "Channel": "TASK"}
    monitor = {**ABANDONED, "ContactId": "m1", "InitiationMethod": "MONITOR"}
    empty = {**ABANDONED, "ContactId": "m2", "InitiationMethod": ""}
    bad = {**ABANDONED, "ContactId": "b1", "InitiationTimestamp": "soon", "Queue": {"Duration": -5}}
    records = [ANSWERED, TRANSFER_LEG, ABANDONED, stale, INITIAL, orphan, newer, email, task, monitor, empty, bad]
    path = write_json(tmp_path / "ctr.json", records, "ndjson")
    f, ctx = SourceFile(path.name, path), ReadContext(tz="UTC", country="US")
    assert _connect_ndjson.applies(f)
    fast, slow = joined(amazon_connect.read(f, ctx)), amazon_connect._read_records(f, ctx)
    assert (fast.rows_read, fast.rows_folded) == (slow.rows_read, slow.rows_folded) == (12, 2)
    key = ["source_row", "source_id"]
    assert fast.tables["contacts"].sort(key).equals(slow.tables["contacts"].sort(key))
    order = ["source_row", "column_name"]
    assert fast.rejects.sort(order).equals(slow.rejects.sort(order)), (fast.rejects, slow.rejects)
    assert fast.rejects.height >= 5


def test_records_of_a_file_read_in_parallel_keep_their_line_numbers(tmp_path):
    """A file larger than the blocks DuckDB's JSON reader splits it into (about 16 MB each, read on
    every thread): each contact's source_row is still its line. Numbering the batches as they came
    was tried and got blocks of records swapped (a small file, read on one thread, cannot show it)."""
    from connectors import _connect_ndjson
    from connectors.base import ReadContext, SourceFile
    from connectors.batches import joined

    note = "x" * 3000  # Attributes the reader does not read: they make the file large, not slow
    path = tmp_path / "ctr.ndjson"
    with open(path, "w") as out:
        for i in range(1, 16_001):  # 16,000 lines, about 50 MB
            record = {**ANSWERED, "ContactId": f"c{i}", "Attributes": {"note": note}}
            out.write(json.dumps(record) + "\n")
    f = SourceFile(path.name, path)
    assert _connect_ndjson.applies(f) and path.stat().st_size > 3 * 16 * 1024 * 1024
    rows = joined(amazon_connect.read(f, ReadContext(tz="UTC", country="US"))).tables["contacts"]
    assert rows.height == 16_000
    assert rows.filter(pl.col("source_id") != pl.format("c{}", pl.col("source_row"))).height == 0
