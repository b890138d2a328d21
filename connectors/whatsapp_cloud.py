"""Meta WhatsApp Cloud API webhooks, stored as NDJSON, a JSON array or concatenated JSON.

Each envelope is ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
"messages", "value": {...}}]}]}``. The records are the events inside ``value``; ``source_row``
is the event's number in file order (1 = first status or message of the file):

- ``value.statuses[]``: one row per status event, keyed ``<id>:<status>`` (``wamid…:read``), so
  events arriving out of order or twice (webhook retries) need no ordering: each is its own
  row and a repeat collapses. ``sent``/``delivered``/``read``/``failed`` map to themselves,
  ``played`` (voice message listened to) to ``read``; another status is rejected.
  ``recipient_id`` is the customer.
- ``value.messages[]``: a message from the customer, a ``replied`` row keyed ``<id>:replied``,
  ``from`` is the customer.
- ``status_at``: ``timestamp``, epoch seconds as a string (UTC).
- Phones (WhatsApp ids) are international digits without ``+``; ``+`` is prepended so that they
  read as E.164 whatever the recall's country.
- ``campaign``: ``biz_opaque_callback_data`` (the sender's own tag, free text up to 512
  characters). A list in it — a JSON array of strings, or values separated by ``,`` ``;`` or ``|``
  — gives every value (match rules test each). An event without it takes the tag of another event
  of the same message in the file; a reply takes the tag of the message it answers
  (``context.id``) when that message is in the file. Otherwise empty.
- ``channel`` = ``whatsapp``. Changes of another ``field`` (template updates…) and webhook-level
  ``errors`` hold no outreach event and are skipped with a warning; a record that is not a
  WhatsApp envelope is rejected as a whole.
"""

from __future__ import annotations

import json
import re
from typing import Any

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.outreach import Events, as_list, as_text
from connectors.textfile import decode, iter_json_records

NAME = "whatsapp_cloud"
SOURCE = "whatsapp"
_ENVELOPE = re.compile(r'"object"\s*:\s*"whatsapp_business_account"')
STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if head.lstrip().startswith(("{", "[")) and _ENVELOPE.search(head):
        return 'JSON webhook envelopes with "object": "whatsapp_business_account"'
    return None


def callback_values(data: str | None) -> list[str]:
    """``biz_opaque_callback_data`` → its values: a JSON array's strings, else the text split on
    ``,`` ``;`` ``|`` (trimmed; empty parts dropped)."""
    if not data:
        return []
    if data.lstrip().startswith("["):
        try:
            return as_list(json.loads(data))
        except ValueError:
            pass
    return as_list(re.split(r"[,;|]", data))


def _phone(wa_id: str | None) -> str | None:
    return f"+{wa_id}" if wa_id and wa_id.isdigit() else wa_id


def _values(envelope: dict[str, Any], skipped: list[str]) -> list[dict[str, Any]]:
    out = []
    for entry in envelope.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                skipped.append("change without a value")
            elif change.get("field", "messages") != "messages":
                skipped.append(f"change field {change.get('field')!r}")
            else:
                if change["value"].get("errors"):
                    skipped.append("webhook-level errors")
                out.append(change["value"])
    return out


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    events = Events("WhatsApp event", warnings=warnings)
    pending: list[tuple[int, dict[str, Any], str | None]] = []  # row, values, message id for the tag
    tags: dict[str, list[str]] = {}
    skipped: list[str] = []
    for number, envelope in iter_json_records(f, text):
        if not isinstance(envelope, dict) or envelope.get("object") != "whatsapp_business_account":
            events.reject(
                events.next_record(), "object", f"record {number} is not a WhatsApp webhook envelope", envelope
            )
            continue
        for value in _values(envelope, skipped):
            for i, st in enumerate(value.get("statuses") or []):
                row = events.next_record()
                where = f"record {number}, statuses[{i}]"
                st = st if isinstance(st, dict) else {"value": st}
                wamid, status = as_text(st.get("id")), (as_text(st.get("status")) or "").lower()
                if not wamid:
                    events.reject(row, "id", f"status event without a message id ({where})", st)
                elif status not in STATUS:
                    events.reject(row, "status", f"unknown WhatsApp status {status!r} ({where})", st)
                else:
                    tag = callback_values(as_text(st.get("biz_opaque_callback_data"))) or None
                    if tag:
                        tags.setdefault(wamid, tag)
                    values = {
                        "source_id": f"{wamid}:{STATUS[status]}",
                        "status": STATUS[status],
                        "status_at": as_text(st.get("timestamp")),
                        "customer_phone_raw": _phone(as_text(st.get("recipient_id"))),
                        "campaign": tag,
                    }
                    pending.append((row, values, wamid))
            for i, msg in enumerate(value.get("messages") or []):
                row = events.next_record()
                msg = msg if isinstance(msg, dict) else {"value": msg}
                wamid = as_text(msg.get("id"))
                if not wamid:
                    events.reject(row, "id", f"inbound message without an id (record {number}, messages[{i}])", msg)
                    continue
                context = msg.get("context") if isinstance(msg.get("context"), dict) else {}
                values = {
                    "source_id": f"{wamid}:replied",
                    "status": "replied",
                    "status_at": as_text(msg.get("timestamp")),
                    "customer_phone_raw": _phone(as_text(msg.get("from"))),
                    "campaign": None,
                }
                pending.append((row, values, as_text(context.get("id"))))
    for row, values, message_id in pending:
        campaign = values.pop("campaign") or tags.get(message_id or "")
        events.add(row, source=SOURCE, channel="whatsapp", campaign=campaign, **values)
    if skipped:
        events.warnings.append(
            f"{f.name}: skipped {len(skipped)} webhook parts without outreach events ({skipped[0]}…)"
        )
    return events.parsed(f, ctx)
