"""SendGrid Event Webhook events → notifications."""

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

from connectors import sendgrid_events

MSG = "18e0f3a1c2d.2b4f.9a7c1.filter0098p1iad2-24077-65E71A92-1.0"


def event(kind: str, eid: str = "ev1", **extra: object) -> dict:
    # 1709648530 = 2024-03-05 14:22:10 UTC
    base = {"email": "pat.doe@example.com", "timestamp": 1709648530, "event": kind, "sg_event_id": eid}
    return {**base, "sg_message_id": MSG, "category": "recall_r24_017", **extra}


# (case, event, expected (status, campaign) or "folded")
CASES = [
    ("processed is sent", event("processed"), ("sent", ["recall_r24_017"])),
    ("delivered", event("delivered", response="250 OK"), ("delivered", ["recall_r24_017"])),
    ("bounce is bounced", event("bounce", type="bounce", status="5.1.1"), ("bounced", ["recall_r24_017"])),
    ("dropped is bounced", event("dropped", reason="Bounced Address"), ("bounced", ["recall_r24_017"])),
    ("human open", event("open", sg_machine_open=False), ("opened", ["recall_r24_017"])),
    ("open without flag", event("open"), ("opened", ["recall_r24_017"])),
    ("click", event("click", url="https://recall.acme-example.com/r24-017"), ("clicked", ["recall_r24_017"])),
    (
        "category list: every one",
        event("click", category=["wave_2", "recall_r24_017", "wave_2"]),
        ("clicked", ["wave_2", "recall_r24_017"]),
    ),
    ("category list of one", event("click", category=["Recall_R24_017"]), ("clicked", ["Recall_R24_017"])),
    (
        "marketing campaign name and id",
        event("click", category=None, marketing_campaign_name="Recall notice", marketing_campaign_id=4711),
        ("clicked", ["Recall notice", "4711"]),
    ),
    ("no category", event("click", category=None), ("clicked", None)),
    ("empty category list", event("click", category=[]), ("clicked", None)),
    ("machine open folded", event("open", sg_machine_open=True), "folded"),
    ("machine open as text folded", event("open", sg_machine_open="true"), "folded"),
    ("deferred folded", event("deferred", attempt="1"), "folded"),
    ("spamreport folded", event("spamreport"), "folded"),
    ("unsubscribe folded", event("unsubscribe"), "folded"),
    ("group unsubscribe folded", event("group_unsubscribe", asm_group_id=42), "folded"),
]


@pytest.mark.parametrize("case, record, expected", CASES, ids=[c[0] for c in CASES])
def test_event_mapping(tmp_path, case, record, expected):
    path = write_json(tmp_path / "events.json", [record])
    parsed = read(sendgrid_events, path)
    rows = parsed.tables["notifications"]
    assert parsed.rows_read == 1 and parsed.rejects.height == 0
    if expected == "folded":
        assert (rows.height, parsed.rows_folded) == (0, 1)
        assert parsed.warnings and "folded" in parsed.warnings[-1]
        return
    got = rows.select("source", "source_id", "channel", "customer_email", "status", "status_at", "campaign").row(0)
    assert got[:4] == ("sendgrid", "ev1", "email", "pat.doe@example.com")
    assert (got[4], str(got[5]), got[6]) == (expected[0], "2024-03-05 14:22:10", expected[1])


@pytest.mark.parametrize(
    "record, column, reason",
    [
        (event("account_status_change"), "event", "unknown SendGrid event 'account_status_change'"),
        (event("click", timestamp="soon"), "status_at", "cannot read status_at value as ts"),
        ("not an event", "", "record is not a JSON object"),
    ],
)
def test_rejects(tmp_path, record, column, reason):
    path = write_json(tmp_path / "events.json", [event("processed", "ok"), record], "ndjson")
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.read, result.inserted, result.quarantined) == (2, 1, 1)
    assert result.rejects.select("source_row", "column_name", "reason").rows() == [(2, column, reason)]
    assert con.execute("SELECT source_row, column_name FROM quarantine").fetchall() == [(2, column)]


def test_email_is_trimmed_and_lower_cased_and_recall_custom_arg_is_kept(tmp_path):
    path = write_json(
        tmp_path / "events.json", [event("delivered", email=" Old.Box@Example.ORG ", recall_id="R24-017")]
    )
    row = read(sendgrid_events, path).tables["notifications"].select("customer_email", "recall_id").row(0)
    assert row == ("old.box@example.org", "R24-017")


@pytest.mark.parametrize("layout", ["array", "ndjson", "concatenated"])
def test_layouts_and_duplicate_event_ids(tmp_path, layout):
    records = [event("processed", "a"), event("delivered", "b"), event("delivered", "b"), event("open", "c")]
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "events.json", records, layout))
    assert (result.read, result.inserted, result.updated, result.unchanged) == (4, 3, 0, 1)
    assert [r[1] for r in notifications(con)] == ["a", "b", "c"]


def test_duplicate_event_id_across_batches(tmp_path):
    con = store(tmp_path)
    ingest(con, write_json(tmp_path / "batch1.json", [event("processed", "a"), event("delivered", "b")]))
    result = ingest(con, write_json(tmp_path / "batch2.json", [event("delivered", "b"), event("open", "c")]))
    assert (result.read, result.inserted, result.unchanged) == (2, 1, 1)
    assert con.execute("SELECT count(*) FROM notifications").fetchone()[0] == 3


FIXTURE_ROWS = [  # the events of message 18e0f3a1c2d list two categories: both are kept
    ("sendgrid", "Y2xpY2stNDgyMTMtMTcwOTY1MjkzMA", "email", "pat.doe@example.com", None, "clicked",
     "2024-03-05 15:35:30", ["recall_r24_017", "wave_1"]),
    ("sendgrid", "Ym91bmNlLTk5MS0xNzA5NjQ4NTQx", "email", "old.box@example.org", None, "bounced",
     "2024-03-05 14:22:21", ["recall_r24_017"]),
    ("sendgrid", "ZGVsaXZlcmVkLTQ4MjEzLTE3MDk2NDg1MzM", "email", "pat.doe@example.com", None, "delivered",
     "2024-03-05 14:22:13", ["recall_r24_017", "wave_1"]),
    ("sendgrid", "ZHJvcHBlZC0xMjMtMTcwOTY0ODU0NQ", "email", "lee.roe@example.net", None, "bounced",
     "2024-03-05 14:22:25", ["recall_r24_017"]),
    ("sendgrid", "b3Blbi00ODIxMy0xNzA5NjUyOTAx", "email", "pat.doe@example.com", None, "opened",
     "2024-03-05 15:35:01", ["recall_r24_017", "wave_1"]),
    ("sendgrid", "cHJvY2Vzc2VkLTQ4MjEzLTE3MDk2NDg1MzA", "email", "pat.doe@example.com", None, "sent",
     "2024-03-05 14:22:10", ["recall_r24_017", "wave_1"]),
]  # fmt: skip


def test_fixture_end_to_end(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "sendgrid_events.json")
    # 9 events: 6 distinct rows, 1 repeated sg_event_id (unchanged), 1 machine open + 1 deferred (folded).
    assert (first.read, first.inserted, first.updated, first.unchanged, first.quarantined) == (9, 6, 0, 3, 0)
    assert rows == FIXTURE_ROWS
    assert any("1 machine opens" in w and "1 deferred" in w for w in first.warnings)
    assert claimed_by(FIXTURES / "sendgrid_events.json") == ["sendgrid_events"]


def test_empty_batch_is_not_claimed(tmp_path):
    path = write_json(tmp_path / "events.json", [])
    assert claimed_by(path) == []
    assert "no connector recognises" in failure(store(tmp_path), path)


# The legacy Event Webhook format still shown in SendGrid's docs: no sg_event_id, no sg_message_id.
LEGACY = [
    {"email": "pat.doe@example.com", "timestamp": 1322000095, "category": "recall_r24_017", "event": "processed"},
    {"email": "pat.doe@example.com", "timestamp": 1322000096, "category": "recall_r24_017", "event": "delivered"},
    {"email": "pat.doe@example.com", "timestamp": 1322000200, "category": "recall_r24_017", "event": "open"},
    {"email": "lee.roe@example.net", "timestamp": 1322000097, "category": ["recall_r24_017"], "event": "bounce",
     "reason": "550 5.1.1 unknown user", "type": "bounce"},
]  # fmt: skip


@pytest.mark.parametrize("layout", ["array", "ndjson"])
def test_legacy_events_without_ids_are_recognised_and_never_double_counted(tmp_path, layout):
    path = write_json(tmp_path / "legacy.json", LEGACY, layout)
    assert claimed_by(path) == ["sendgrid_events"]
    con = store(tmp_path)
    first, rows = ingest_twice(con, path)  # the second load: 4 unchanged, nothing inserted or updated
    assert (first.read, first.inserted, first.quarantined) == (4, 4, 0)
    assert sorted((r[3], r[5], r[6]) for r in rows) == [
        ("lee.roe@example.net", "bounced", "2011-11-22 22:14:57"),
        ("pat.doe@example.com", "delivered", "2011-11-22 22:14:56"),
        ("pat.doe@example.com", "opened", "2011-11-22 22:16:40"),
        ("pat.doe@example.com", "sent", "2011-11-22 22:14:55"),
    ]
    keys = [r[1] for r in rows]
    assert all(k.startswith("sha256:") and len(k) == 39 for k in keys)
    # The same events re-exported with their keys in another order and as NDJSON: the same rows.
    shuffled = [dict(reversed(list(e.items()))) for e in LEGACY]
    again = ingest(con, write_json(tmp_path / "again.json", shuffled, "ndjson"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_events_with_only_a_message_id_are_keyed_on_it(tmp_path):
    """Events that carry ``sg_message_id`` but no ``sg_event_id`` (older exports; an asynchronous
    bounce has neither): message id + event + timestamp, else the record's digest."""
    records = [
        {"email": "pat.doe@example.com", "timestamp": 1709648530, "event": "processed", "sg_message_id": MSG},
        {"email": "pat.doe@example.com", "timestamp": 1709648533, "event": "delivered", "sg_message_id": MSG},
        {"email": "pat.doe@example.com", "timestamp": 1709648533, "event": "delivered", "sg_message_id": MSG},
        {"email": "old.box@example.org", "timestamp": 1709648541, "event": "bounce", "smtp-id": "<x@ismtpd-555>"},
    ]
    path = write_json(tmp_path / "events.json", records)
    con = store(tmp_path)
    first, rows = ingest_twice(con, path)
    assert (first.read, first.inserted, first.unchanged, first.quarantined) == (4, 3, 1, 0)  # a repeat collapses
    keys = sorted(r[1] for r in rows)
    assert keys[:2] == [f"msg:{MSG}:delivered:1709648533", f"msg:{MSG}:processed:1709648530"]
    assert keys[2].startswith("sha256:")
