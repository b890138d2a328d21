"""Mailchimp campaign email activity → notifications."""

from __future__ import annotations

import pytest
from outreach_support import FIXTURES, claimed_by, ingest, ingest_twice, notifications, read, store, write_json

from connectors import mailchimp_activity

CAMPAIGN = "42694e9e57"


def member(email: str, *activity: dict, **extra: object) -> dict:
    base = {"campaign_id": CAMPAIGN, "list_id": "b7c1a2d3e4", "email_id": "0f6f1d3c5b3a9a8e1a2b3c4d5e6f7a8b"}
    return {**base, "email_address": email, "activity": list(activity), **extra}


def act(action: str, ts: str = "2024-03-05T15:02:11+00:00", **extra: object) -> dict:
    return {"action": action, "type": None, "timestamp": ts, "ip": "198.51.100.7", **extra}


def report(*members: dict) -> dict:
    return {"campaign_id": CAMPAIGN, "total_items": len(members), "emails": list(members)}


def key(email: str, action: str, ts: str = "2024-03-05T15:02:11") -> str:
    return f"{CAMPAIGN}:{email}:{action}:{ts}"


# (case, activity, expected (status, source_id) or (column, reason))
CASES = [
    ("open", act("open"), ("opened", key("pat.doe@example.com", "open"))),
    ("click", act("click", url="https://recall.acme-example.com/"), ("clicked", key("pat.doe@example.com", "click"))),
    ("hard bounce", act("bounce", type="hard"), ("bounced", key("pat.doe@example.com", "bounce"))),
    ("soft bounce", act("bounce", type="soft"), ("bounced", key("pat.doe@example.com", "bounce"))),
    ("Z offset, same key", act("open", "2024-03-05T15:02:11Z"), ("opened", key("pat.doe@example.com", "open"))),
    ("other offset", act("open", "2024-03-05T10:02:11-05:00"), ("opened", key("pat.doe@example.com", "open"))),
    ("unknown action", act("forward"), ("action", "unknown Mailchimp action 'forward'")),
]  # fmt: skip


@pytest.mark.parametrize("case, activity, expected", CASES, ids=[c[0] for c in CASES])
def test_activity_mapping(tmp_path, case, activity, expected):
    path = write_json(tmp_path / "activity.json", [report(member("Pat.Doe@Example.com", activity))])
    parsed = read(mailchimp_activity, path)
    rows = parsed.tables["notifications"]
    assert parsed.rows_read == 1
    if expected[0] in ("action",):
        assert rows.height == 0
        assert parsed.rejects.select("source_row", "column_name", "reason").rows() == [(1, *expected)]
        return
    got = rows.select("source", "source_id", "channel", "customer_email", "status", "status_at", "campaign").row(0)
    assert got[:4] == ("mailchimp", expected[1], "email", "pat.doe@example.com")
    assert (got[4], str(got[5]), got[6]) == (expected[0], "2024-03-05 15:02:11", [CAMPAIGN])


def test_campaign_inherited_and_missing(tmp_path):
    no_campaign = {k: v for k, v in member("lee.roe@example.net", act("open")).items() if k != "campaign_id"}
    records = [
        report(no_campaign),  # takes the report's campaign_id
        {"emails": [no_campaign]},  # no campaign anywhere: rejected
        {"emails": [member("", act("click"))]},  # no email: rejected
    ]
    parsed = read(mailchimp_activity, write_json(tmp_path / "a.json", records, "ndjson"))
    assert parsed.rows_read == 3
    assert parsed.tables["notifications"].select("source_id", "campaign").rows() == [
        (key("lee.roe@example.net", "open"), [CAMPAIGN])
    ]
    assert parsed.rejects.select("source_row", "column_name").rows() == [(2, "campaign_id"), (3, "email_address")]


def test_flat_rows_match_the_nested_report(tmp_path):
    nested = report(member("pat.doe@example.com", act("open"), act("click")), member("sam.poe@example.com"))
    flat = [
        {"campaign_id": CAMPAIGN, "list_id": "b7c1a2d3e4", "email_id": "0f6f", "email_address": "pat.doe@example.com",
         **act("open")},
        {"campaign_id": CAMPAIGN, "list_id": "b7c1a2d3e4", "email_id": "0f6f", "email_address": "pat.doe@example.com",
         **act("click", "2024-03-05T15:02:11Z")},
    ]  # fmt: skip
    con = store(tmp_path)
    first = ingest(con, write_json(tmp_path / "nested.json", [nested]))
    assert (first.read, first.inserted) == (2, 2)
    assert any("1 recipients with no activity" in w for w in first.warnings)
    second = ingest(con, write_json(tmp_path / "flat.json", flat, "ndjson"))
    assert (second.read, second.inserted, second.updated, second.unchanged) == (2, 0, 0, 2)


FIXTURE_ROWS = [
    ("mailchimp", key("lee.roe@example.net", "open", "2024-03-05T16:45:00"), "email", "lee.roe@example.net", None,
     "opened", "2024-03-05 16:45:00", [CAMPAIGN]),
    ("mailchimp", key("old.box@example.org", "bounce", "2024-03-05T14:30:00"), "email", "old.box@example.org", None,
     "bounced", "2024-03-05 14:30:00", [CAMPAIGN]),
    ("mailchimp", key("pat.doe@example.com", "click", "2024-03-05T15:02:11"), "email", "pat.doe@example.com", None,
     "clicked", "2024-03-05 15:02:11", [CAMPAIGN]),
    ("mailchimp", key("pat.doe@example.com", "open", "2024-03-05T15:01:40"), "email", "pat.doe@example.com", None,
     "opened", "2024-03-05 15:01:40", [CAMPAIGN]),
]  # fmt: skip


def test_fixture_end_to_end(tmp_path):
    con = store(tmp_path)
    first, rows = ingest_twice(con, FIXTURES / "mailchimp_activity.json")
    assert (first.read, first.inserted, first.unchanged, first.quarantined) == (4, 4, 0, 0)
    assert rows == FIXTURE_ROWS
    assert notifications(con) == FIXTURE_ROWS
    assert claimed_by(FIXTURES / "mailchimp_activity.json") == ["mailchimp_activity"]
