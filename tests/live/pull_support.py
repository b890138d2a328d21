"""Vendor-shaped answers for the pull tests, hand-written after the vendors' documented and recorded
responses (Zendesk: zenpy's recorded incremental cursor pages; Twilio: the API's list pages;
Genesys: the SDK's AnalyticsConversationQueryResponse; Freshdesk: the tickets list)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.live import config
from connectors.live.pull import Puller, streams_for


def zendesk_ticket(tid: int, updated: str, status: str = "open", channel: str = "email") -> dict:
    at = datetime.fromisoformat(updated.replace("Z", "+00:00"))
    return {
        "id": tid,
        "url": f"https://acme-recall.zendesk.com/api/v2/tickets/{tid}.json",
        "created_at": "2024-03-05T14:00:00Z",
        "updated_at": updated,
        "generated_timestamp": int(at.timestamp()),
        "type": "question",
        "subject": "Is my heater part of the recall?",
        "status": status,
        "requester_id": 39120040000 + tid,
        "submitter_id": 39120040000 + tid,
        "assignee_id": 39120011230,
        "group_id": 26000001111,
        "tags": ["recall_r24_017"],
        "via": {"channel": channel, "source": {"from": {"address": f"c{tid}@example.com"}, "to": {}, "rel": None}},
        "satisfaction_rating": None,
    }


def zendesk_page(tickets: list[dict], after: str, end: bool, base: str) -> dict:
    """An incremental cursor page: tickets plus the cursor keys (after/before url and cursor, end_of_stream)."""
    return {
        "tickets": tickets,
        "users": [{"id": 39120011230, "name": "Sam Rivera", "email": "sam.rivera@acme.example", "role": "agent"}],
        "groups": [{"id": 26000001111, "name": "Recall Hotline"}],
        "metric_sets": [
            {
                "ticket_id": t["id"],
                "replies": 1,
                "reply_time_in_minutes": {"calendar": 12, "business": 12},
                "group_stations": 1,
            }
            for t in tickets
        ],  # fmt: skip
        "after_url": f"{base}/api/v2/incremental/tickets/cursor.json?cursor={after}",
        "after_cursor": after,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": end,
    }


def freshdesk_ticket(tid: int, updated: datetime) -> dict:
    return {
        "id": tid,
        "subject": "Recall kit not received",
        "status": 2,
        "priority": 1,
        "source": 1,
        "requester_id": 67042960000 + tid,
        "responder_id": 67013460002,
        "group_id": 67000020003,
        "created_at": "2024-03-05T14:00:00Z",
        "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fr_due_by": "2024-03-06T14:00:00Z",
        "due_by": "2024-03-08T14:00:00Z",
        "is_escalated": False,
        "fr_escalated": False,
        "tags": ["recall-r24-017"],
        "spam": False,
        "stats": {"first_responded_at": None, "resolved_at": None, "closed_at": None},
        "requester": {"email": f"fd{tid}@example.com", "phone": None},
    }


def twilio_call(sid: str, **fields) -> dict:
    base = {
        "sid": sid,
        "account_sid": "AC" + "0" * 32,
        "parent_call_sid": None,
        "from": "+12025550143",
        "to": "+18005550188",
        "status": "completed",
        "direction": "inbound",
        "start_time": "Tue, 05 Mar 2024 14:22:10 +0000",
        "end_time": "Tue, 05 Mar 2024 14:29:42 +0000",
        "duration": "452",
        "price": "-0.01700",
        "answered_by": None,
        "queue_time": "0",
        "date_created": "Tue, 05 Mar 2024 14:22:09 +0000",
        "date_updated": "Tue, 05 Mar 2024 14:29:42 +0000",
        "api_version": "2010-04-01",
    }
    return {**base, **fields}


def twilio_page(key: str, items: list[dict], uri: str, next_uri: str | None, page: int, size: int) -> dict:
    return {
        key: items,
        "end": page * size + len(items) - 1,
        "first_page_uri": uri.split("&Page=")[0] + "&Page=0",
        "next_page_uri": next_uri,
        "page": page,
        "page_size": size,
        "previous_page_uri": None,
        "start": page * size,
        "uri": uri,
    }


def conversation(cid: str, start: str) -> dict:
    """A conversation detail record (AnalyticsConversation): participants → sessions → segments, metrics."""
    return {
        "conversationId": cid,
        "conversationStart": start,
        "conversationEnd": start.replace(":00.000Z", ":30.000Z"),
        "originatingDirection": "inbound",
        "participants": [
            {"purpose": "customer", "sessions": [{"mediaType": "voice", "direction": "inbound",
             "ani": "tel:+12025550143", "dnis": "tel:+18005550188",
             "segments": [{"segmentType": "interact", "segmentStart": start, "disconnectType": "endpoint"}]}]},
            {"purpose": "acd", "participantName": "Recall Hotline", "sessions": [{"mediaType": "voice",
             "metrics": [{"name": "tAcd", "value": 15000, "emitDate": start}]}]},
            {"purpose": "agent", "participantName": "Sam Rivera", "userId": "u-1", "sessions": [{"mediaType": "voice",
             "segments": [{"segmentType": "interact", "segmentStart": start}],
             "metrics": [{"name": "tTalk", "value": 120000, "emitDate": start},
                         {"name": "tHandle", "value": 150000, "emitDate": start}]}]},
        ],
    }  # fmt: skip


def utc(minutes_ago: float = 0) -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=minutes_ago)


def run_once(tmp: Path, toml: str, db: Path, secrets: str = "") -> tuple[int, list[str]]:
    """``pull --once`` in this process for the sources of ``toml``; (exit status, printed lines)."""
    (tmp / "live.toml").write_text(toml)
    (tmp / "secrets.toml").write_text(secrets)
    lines: list[str] = []
    puller = Puller(streams_for(config.load(tmp / "live.toml", tmp / "secrets.toml")), db, out=lines.append)
    return puller.run(once=True), lines
