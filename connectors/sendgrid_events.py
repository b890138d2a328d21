"""SendGrid Event Webhook events: a JSON array (one POSTed batch), several batches, or NDJSON.

One record per event; ``source_row`` is the event's number in file order.

- ``source`` = ``sendgrid``; ``source_id`` = ``sg_event_id`` (SendGrid's unique event id, so a
  retried or re-exported event collapses onto one row); an event without it is rejected.
- ``event``: ``processed`` → sent, ``delivered`` → delivered, ``bounce`` and ``dropped`` →
  bounced, ``open`` → opened, ``click`` → clicked. ``deferred`` (a temporary delay, retried),
  ``spamreport``, ``unsubscribe``, ``group_unsubscribe`` and ``group_resubscribe`` (opt-outs,
  no notification status for them) are folded and counted in a warning; any other event is
  rejected.
- Machine opens (``sg_machine_open`` true: Apple Mail Privacy Protection, scanners) are not
  human opens: they are folded, never loaded as ``opened``, and counted in the warning.
- ``email`` → customer_email; ``timestamp`` (epoch seconds) → status_at; ``channel`` = email.
- ``campaign``: ``category``, a string or a list of strings; of a list the first category is
  taken (put the recall's category first when sending).
- A ``recall_id`` custom argument on the event names the recall (else the upload's, else the
  campaign decides at query time).
"""

from __future__ import annotations

import re

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.outreach import Events, as_text
from connectors.textfile import decode, iter_json_records

NAME = "sendgrid_events"
SOURCE = "sendgrid"
_KEYS = re.compile(r'"sg_(event|message)_id"\s*:')
STATUS = {
    "processed": "sent",
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "bounced",
    "open": "opened",
    "click": "clicked",
}
FOLDED = {"deferred", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"}


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if head.lstrip().startswith(("{", "[")) and _KEYS.search(head) and '"event"' in head:
        return "JSON events with sg_event_id / sg_message_id (SendGrid Event Webhook)"
    return None


def _campaign(category: object) -> str | None:
    if isinstance(category, list):
        return next((c for c in map(as_text, category) if c), None)
    return as_text(category)


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
        event_id = as_text(event.get("sg_event_id"))
        if kind in FOLDED:
            events.fold(kind)
        elif kind == "open" and _is_machine_open(event):
            events.fold("machine opens (sg_machine_open)")
        elif kind not in STATUS:
            events.reject(row, "event", f"unknown SendGrid event {kind!r}", event)
        elif not event_id:
            events.reject(row, "sg_event_id", "event has no sg_event_id (its unique key)", event)
        else:
            events.add(
                row,
                source=SOURCE,
                source_id=event_id,
                recall_id=as_text(event.get("recall_id")),
                channel="email",
                customer_email=as_text(event.get("email")),
                status=STATUS[kind],
                status_at=as_text(event.get("timestamp")),
                campaign=_campaign(event.get("category")),
            )
    return events.parsed(f, ctx)
