"""SendGrid Event Webhook events: a JSON array (one POSTed batch), several batches, or NDJSON.

One record per event; ``source_row`` is the event's number in file order. Recognised by an
``sg_event_id``/``sg_message_id``/``smtp-id`` key, or — the legacy format SendGrid's docs still
show, ``{"email", "timestamp", "category", "event"}`` — by ``email``, ``timestamp`` and an ``event``
that is one of SendGrid's event names.

- ``source`` = ``sendgrid``; ``source_id`` = ``sg_event_id`` (SendGrid's unique event id, so a
  retried or re-exported event collapses onto one row). An event without one (legacy events;
  asynchronous bounces) is keyed ``msg:<sg_message_id>:<event>:<timestamp>``, else
  ``sha256:<digest of the record>`` (its JSON with sorted keys): loading it again collapses onto
  the same row, and two events identical in every field are one.
- ``event``: ``processed`` → sent, ``delivered`` → delivered, ``bounce`` and ``dropped`` →
  bounced, ``open`` → opened, ``click`` → clicked. ``deferred`` (a temporary delay, retried),
  ``spamreport``, ``unsubscribe``, ``group_unsubscribe`` and ``group_resubscribe`` (opt-outs,
  no notification status for them) are folded and counted in a warning; any other event is
  rejected.
- Machine opens (``sg_machine_open`` true: Apple Mail Privacy Protection, scanners) are not
  human opens: they are folded, never loaded as ``opened``, and counted in the warning.
- ``email`` → customer_email; ``timestamp`` (epoch seconds) → status_at; ``channel`` = email.
- ``campaign``: every ``category`` (a string or a list of strings), then ``marketing_campaign_name``
  and ``marketing_campaign_id`` (Marketing Campaigns sends): the recall's campaign may be any of
  them.
- A ``recall_id`` custom argument on the event names the recall (else the upload's, else the
  campaign decides at query time).
"""

from __future__ import annotations

import hashlib
import json
import re

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.outreach import Events, as_list, as_text
from connectors.textfile import decode, iter_json_records

NAME = "sendgrid_events"
SOURCE = "sendgrid"
_KEYS = re.compile(r'"(sg_event_id|sg_message_id|smtp-id)"\s*:')
STATUS = {
    "processed": "sent",
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "bounced",
    "open": "opened",
    "click": "clicked",
}
FOLDED = {"deferred", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"}
_LEGACY = re.compile(r'"event"\s*:\s*"(' + "|".join(sorted([*STATUS, *FOLDED])) + r')"')


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip().startswith(("{", "[")) or '"event"' not in head:
        return None
    if _KEYS.search(head):
        return "JSON events with sg_event_id / sg_message_id (SendGrid Event Webhook)"
    if re.search(r'"email"\s*:', head) and re.search(r'"timestamp"\s*:', head) and _LEGACY.search(head):
        return "JSON events with email, timestamp and a SendGrid event name (SendGrid legacy Event Webhook)"
    return None


def _campaign(event: dict) -> list[str]:
    return as_list([event.get("category"), event.get("marketing_campaign_name"), event.get("marketing_campaign_id")])


def event_key(event: dict, kind: str) -> str:
    """``sg_event_id``; else ``msg:<sg_message_id>:<event>:<timestamp>``; else ``sha256:`` and the
    first 32 hex digits of the SHA-256 of the record's JSON with sorted keys."""
    if event_id := as_text(event.get("sg_event_id")):
        return event_id
    message, stamp = as_text(event.get("sg_message_id")), as_text(event.get("timestamp"))
    if message and stamp:
        return f"msg:{message}:{kind}:{stamp}"
    text = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _is_machine_open(event: dict) -> bool:
    return (as_text(event.get("sg_machine_open")) or "").lower() in ("true", "1")


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    events = Events("SendGrid event", warnings=warnings)
    for _, event in iter_json_records(f, text):
        row = events.next_record()
        if not isinstance(event, dict):
            events.reject(row, "", "record is not a JSON object", event)
            continue
        kind = (as_text(event.get("event")) or "").lower()
        if kind in FOLDED:
            events.fold(kind)
        elif kind == "open" and _is_machine_open(event):
            events.fold("machine opens (sg_machine_open)")
        elif kind not in STATUS:
            events.reject(row, "event", f"unknown SendGrid event {kind!r}", event)
        else:
            events.add(
                row,
                source=SOURCE,
                source_id=event_key(event, kind),
                recall_id=as_text(event.get("recall_id")),
                channel="email",
                customer_email=as_text(event.get("email")),
                status=STATUS[kind],
                status_at=as_text(event.get("timestamp")),
                campaign=_campaign(event),
            )
    return events.parsed(f, ctx)
