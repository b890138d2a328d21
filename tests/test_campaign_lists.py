"""Vendor fields that hold several campaigns (issue 12, item 1): every value is kept in
``notifications.campaign`` and a recall's match rules test each one.

SendGrid's ``category`` is a string or an array (its Event Webhook reference; real batches send
arrays), Mailchimp members carry ``tags`` (``{"id", "name"}`` objects), and a WhatsApp sender may put
a list in ``biz_opaque_callback_data``. The recall's campaign can be any element."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import two_table_layout

from connectors.load import Failure, ingest_paths
from metrics import build_report
from metrics import scope as scope_module
from store.db import connect

RECALL = """[recall]
id = "CS-2026-014"
name = "Car seat"
timezone = "UTC"
country = "US"
announced_at = "2026-03-02T15:00:00Z"

[match]
campaigns = ["CS-2026-014-notice"]
"""
AS_OF = "2026-04-01T00:00:00Z"
CUSTOMERS = 40  # the registry: c00 … c39, one unit each
SECOND = range(0, CUSTOMERS, 7)  # c00, c07, … c35: 6 of 40 (15 %) list the campaign second


def email(i: int) -> str:
    return f"owner{i:02d}@example.com"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loaded(tmp_path: Path, *files: Path):
    registry = "serial,customer_id,email\n" + "".join(f"U{i:02d},c{i:02d},{email(i)}\n" for i in range(CUSTOMERS))
    con = connect(tmp_path / "store.duckdb")
    paths = [write(tmp_path, "recall.toml", RECALL), write(tmp_path, "registry.csv", registry), *files]
    results = ingest_paths(con, paths, recall_id=None)
    assert not [r for r in results if isinstance(r, Failure)], results
    return con


def coverage(con) -> dict:
    return build_report(con, "CS-2026-014", AS_OF)["coverage"]


def sendgrid_events() -> list[dict]:
    """A processed and a delivered event per customer (SendGrid's documented shape; epoch seconds)."""
    events = []
    for i in range(CUSTOMERS):
        category = ["wave_2", "CS-2026-014-notice"] if i in SECOND else ["CS-2026-014-notice"]
        for n, kind in enumerate(("processed", "delivered")):
            events.append(
                {
                    "email": email(i),
                    "timestamp": 1772467200 + i * 60 + n,  # 2026-03-02T16:00Z onwards
                    "smtp-id": f"<msg{i}@ismtpd-555>",
                    "event": kind,
                    "category": category,
                    "sg_event_id": f"ev-{i}-{kind}",
                    "sg_message_id": f"msg{i}.filter0001.16648.5515E0B88.0",
                }
            )
    return events


@pytest.mark.parametrize("query_time", [False, True], ids=["derived tables", "query time"])
def test_sendgrid_campaign_listed_second_still_counts(tmp_path: Path, query_time: bool, monkeypatch) -> None:
    monkeypatch.setattr(scope_module, "QUERY_TIME", query_time)
    con = loaded(tmp_path, write(tmp_path, "events.json", json.dumps(sendgrid_events())))
    stored = con.execute("SELECT campaign FROM notifications WHERE source_id = 'ev-0-processed'").fetchone()[0]
    assert stored == ["wave_2", "CS-2026-014-notice"]  # the store keeps every category
    got = coverage(con)
    # Every one of the 40 affected customers was sent and delivered the notice, whichever position
    # the recall's category held (before: the 6 listing it second were in no recall: notified 34).
    assert (got["affected_customers"], got["notified"], got["reached"]) == (40, 40, 40)


def test_mailchimp_tag_and_whatsapp_callback_list_match(tmp_path: Path) -> None:
    activity = {  # GET /3.0/reports/{campaign_id}/email-activity, with the member's tags
        "campaign_id": "42694e9e57",
        "emails": [
            {
                "campaign_id": "42694e9e57",
                "email_address": email(1),
                "tags": [{"id": 101, "name": "wave_2"}, {"id": 102, "name": "CS-2026-014-notice"}],
                "activity": [{"action": "open", "timestamp": "2026-03-02T17:00:00+00:00"}],
            }
        ],
    }

    def status(wamid: str, phone: str, data: str) -> dict:
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "statuses": [
                {
                    "id": wamid,
                    "status": "delivered",
                    "timestamp": "1772470800",
                    "recipient_id": phone,
                    "biz_opaque_callback_data": data,
                }
            ],
        }
        change = {"value": value, "field": "messages"}
        return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [change]}]}

    envelopes = [
        status(
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE0RjIA",
            "12025550143",
            '["wave_2", "CS-2026-014-notice"]',
        ),
        status(
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE0RjMA", "12025550144", "wave_2|CS-2026-014-notice"
        ),
        status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE0RjQA", "12025550145", "wave_2"),
    ]
    con = loaded(
        tmp_path,
        write(tmp_path, "activity.json", json.dumps(activity)),
        write(tmp_path, "whatsapp.ndjson", "\n".join(json.dumps(e) for e in envelopes)),
    )
    rows = con.execute("SELECT source, campaign FROM notifications ORDER BY source, source_id").fetchall()
    assert rows == [
        ("mailchimp", ["42694e9e57", "wave_2", "CS-2026-014-notice"]),
        ("whatsapp", ["wave_2", "CS-2026-014-notice"]),
        ("whatsapp", ["wave_2", "CS-2026-014-notice"]),
        ("whatsapp", ["wave_2"]),
    ]
    held = con.execute("SELECT source, count(*) FROM notification_facts GROUP BY ALL ORDER BY ALL").fetchall()
    assert held == [("mailchimp", 1), ("whatsapp", 2)]  # the third lists another campaign only


def test_canonical_csv_campaign_lists_and_names_with_spaces(tmp_path: Path) -> None:
    csv = (
        "source,source_id,channel,customer_email,status,status_at,campaign\n"
        f"crm,n1,email,{email(1)},sent,2026-03-02T16:00:00Z,Spring newsletter;CS-2026-014-notice\n"
        f"crm,n2,email,{email(2)},sent,2026-03-02T16:00:00Z,Spring newsletter\n"
        f"crm,n3,email,{email(3)},sent,2026-03-02T16:00:00Z,wave 2 | cs-2026-014-NOTICE\n"
    )
    con = loaded(tmp_path, write(tmp_path, "notifications.csv", csv))
    rows = con.execute("SELECT source_id, campaign FROM notifications ORDER BY source_id").fetchall()
    assert rows == [
        ("n1", ["Spring newsletter", "CS-2026-014-notice"]),
        ("n2", ["Spring newsletter"]),
        ("n3", ["wave 2", "cs-2026-014-NOTICE"]),
    ]
    assert coverage(con)["notified"] == 2  # n1 and n3: match rules are case-insensitive


def test_a_store_written_before_lists_is_migrated(tmp_path: Path) -> None:
    """A store whose ``campaign`` column is text (schema 3, derived tables 5) opens with lists and
    the same coverage."""
    con = loaded(tmp_path, write(tmp_path, "events.json", json.dumps(sendgrid_events())))
    expected = coverage(con)
    two_table_layout(con)
    for table in ("notifications", "notifications_history"):
        con.execute(f"ALTER TABLE {table} ALTER campaign SET DATA TYPE VARCHAR USING campaign[-1]")
    con.execute("DROP TABLE notification_facts")
    con.execute(
        "CREATE TABLE notification_facts AS SELECT *, NULL::VARCHAR AS customer_id, NULL::UBIGINT AS customer_h "
        "FROM notifications LIMIT 0"
    )
    con.execute("UPDATE schema_state SET version = 3")
    con.execute("UPDATE derived_state SET version = 5")
    con.execute("ALTER TABLE quarantine DROP COLUMN record_id")
    con.close()
    con = connect(tmp_path / "store.duckdb")
    assert con.execute("SELECT campaign FROM notifications WHERE source_id = 'ev-0-processed'").fetchone()[0] == [
        "CS-2026-014-notice"
    ]
    assert "record_id" in con.table("quarantine").columns
    assert coverage(con) == expected
