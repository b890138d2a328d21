"""Twilio Programmable Messaging (SMS, MMS, WhatsApp via Twilio): Message resources as JSON.

Reads a JSON array, NDJSON (BulkExport "Messages" day files, gzipped or not) or API list pages
(``{"messages": [...], "next_page_uri": ...}``, one or several). Each Message resource is one
record and holds only its *latest* status, so it becomes at most one ``notifications`` row:

- ``source`` = ``twilio``; ``source_id`` = ``<sid>:<canonical status>`` (the same key from the
  API JSON and the Console CSV, so overlapping exports never double-count);
- ``channel`` by the address prefix of ``from``/``to`` (Twilio's channel addresses): ``whatsapp:`` →
  ``whatsapp``, ``messenger:`` (Facebook Messenger) → ``social``, any other prefix (``rcs:``, …) →
  ``other`` — never folded into ``sms``; no prefix → ``sms`` (MMS included). The prefix is stripped
  from the phone; a Messenger address is a page-scoped id, not a phone, and is not kept as one;
- outbound (``outbound-api``, ``outbound-call``, ``outbound-reply``): the recipient ``to`` is
  the customer; status ``sent`` → sent, ``delivered``/``partially_delivered`` → delivered,
  ``read`` → read, ``undelivered``/``failed`` → failed; ``queued``, ``accepted``, ``scheduled``,
  ``sending`` (in flight) and ``canceled`` (never sent) are folded;
- ``inbound``: a message from the customer, so ``from`` is the customer and status is
  ``replied`` whatever Twilio's receiving/received state;
- ``status_at``: ``date_sent`` for sent and replied, ``date_updated`` for later states (each
  falling back to the other dates) — RFC 2822 in the API, ISO 8601 in BulkExport;
- ``campaign``: a custom ``campaign`` key when present, else ``messaging_service_sid`` (list
  the ``MG…`` sid among a recall's campaigns to assign its messages and replies).

A Message with an unknown direction or status is rejected with the record number.
"""

from __future__ import annotations

import re

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.outreach import Events, as_text
from connectors.textfile import decode, iter_json_records

NAME = "twilio_messaging_json"
SOURCE = "twilio"

_MESSAGE_SID = re.compile(r'"sid"\s*:\s*"(SM|MM)[0-9a-fA-F]{32}"')
_MESSAGE_KEYS = re.compile(r'"(num_segments|num_media|messaging_service_sid)"\s*:')

OUTBOUND = {"outbound-api", "outbound-call", "outbound-reply", "outbound"}
STATUS = {
    "sent": "sent",
    "delivered": "delivered",
    "partially_delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
}
IN_FLIGHT = {"queued", "accepted", "scheduled", "sending", "canceled"}
_PREFIX = re.compile(r"^\s*([a-z][a-z0-9_-]*):", re.IGNORECASE)  # whatsapp:+1…, messenger:123…, rcs:+1…
PREFIX_CHANNELS = {"whatsapp": "whatsapp", "messenger": "social"}  # any other prefix: "other"
NOT_PHONES = {"messenger"}


def address_channel(*addresses: str | None) -> tuple[str, str | None]:
    """(our channel, the address prefix or None) of a message's ``from``/``to`` addresses."""
    for address in addresses:
        m = _PREFIX.match(address or "")
        if m:
            prefix = m.group(1).lower()
            return PREFIX_CHANNELS.get(prefix, "other"), prefix
    return "sms", None


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip().startswith(("{", "[")):
        return None
    if _MESSAGE_SID.search(head) and _MESSAGE_KEYS.search(head):
        return "JSON with Twilio Message sids (SM/MM…) and message fields"
    return None


def message_event(
    events: Events,
    row: int,
    raw: object,
    *,
    sid: str | None,
    status: str | None,
    direction: str | None,
    sender: str | None,
    recipient: str | None,
    sent_at: str | None,
    updated_at: str | None,
    created_at: str | None,
    campaign: str | None,
) -> None:
    """Sort one Twilio Message (JSON or Console CSV) into a row, a folded record or a reject."""
    if not sid:
        events.reject(row, "sid", "Twilio message has no sid", raw)
        return
    status = (status or "").strip().lower()
    direction = (direction or "").strip().lower()
    if direction == "inbound":
        canonical, phone, at = "replied", sender, sent_at or created_at or updated_at
    elif direction in OUTBOUND:
        if status in IN_FLIGHT:
            events.fold(f"{status or 'blank'} (Twilio status)")
            return
        if status not in STATUS:
            events.reject(row, "status", f"unknown Twilio message status {status!r}", raw)
            return
        canonical, phone = STATUS[status], recipient
        at = (sent_at or updated_at or created_at) if canonical == "sent" else (updated_at or sent_at or created_at)
    else:
        events.reject(row, "direction", f"unknown Twilio message direction {direction!r}", raw)
        return
    channel, prefix = address_channel(sender, recipient)
    events.add(
        row,
        source=SOURCE,
        source_id=f"{sid}:{canonical}",
        channel=channel,
        customer_phone_raw=None if not phone or prefix in NOT_PHONES else _PREFIX.sub("", phone).strip(),
        status=canonical,
        status_at=at,
        campaign=campaign,
    )


def _messages(f: SourceFile, text: str):
    """Message resources, whether listed flat or inside API list pages."""
    for _, value in iter_json_records(f, text):
        if isinstance(value, dict) and isinstance(value.get("messages"), list) and "sid" not in value:
            yield from value["messages"]
        else:
            yield value


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    events = Events("Twilio message", warnings=warnings)
    for record in _messages(f, text):
        row = events.next_record()
        if not isinstance(record, dict):
            events.reject(row, "", "record is not a JSON object", record)
            continue
        g = record.get
        message_event(
            events,
            row,
            record,
            sid=as_text(g("sid")),
            status=as_text(g("status")),
            direction=as_text(g("direction")),
            sender=as_text(g("from")),
            recipient=as_text(g("to")),
            sent_at=as_text(g("date_sent")),
            updated_at=as_text(g("date_updated")),
            created_at=as_text(g("date_created")),
            campaign=as_text(g("campaign")) or as_text(g("messaging_service_sid")),
        )
    return events.parsed(f, ctx)
