"""What each vendor's webhook body holds, as records for the connector that reads that vendor's export.

- ``sendgrid``: the body is a JSON array of events → one record per event, read by
  connectors/sendgrid_events.py (key ``sg_event_id``: a retried batch collapses onto its rows).
- ``whatsapp``: the body is one webhook envelope → one record, read by connectors/whatsapp_cloud.py
  (key ``<wamid>:<status>``). An envelope with no status or message (a template or account update)
  holds nothing to load.
- ``twilio``: the body is a form-encoded status callback → one Twilio resource:
  - ``MessageSid`` (or legacy ``SmsSid``): a Message for connectors/twilio_messaging_json.py:
    ``sid``, ``status`` (``MessageStatus``/``SmsStatus``), ``from``, ``to``,
    ``messaging_service_sid``; direction ``inbound`` for ``received``/``receiving``, else
    ``outbound-api``; a message callback carries no time, so ``date_sent``/``date_updated`` are
    the time the body was received.
  - ``CallSid``: a Call for connectors/twilio_voice_json.py: ``sid``, ``parent_call_sid``,
    ``status`` (``CallStatus``), ``direction``, ``from``, ``to``, ``duration`` (``CallDuration``);
    ``date_updated`` = the callback's ``Timestamp`` (else the receive time) plus
    ``SequenceNumber`` microseconds, so of two callbacks in one second the later in Twilio's
    sequence wins, whatever order they arrive in; ``start_time`` = that time − ``CallDuration``
    when given, else the callback's time; ``end_time`` = the callback's time once ``completed``.
    A ``CallDuration`` that is not 0 to 7 days in whole seconds makes the body unreadable.
A body that cannot be read this way raises :class:`ValueError` naming why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import ModuleType
from urllib.parse import parse_qsl

from connectors import sendgrid_events, twilio_messaging_json, twilio_voice_json, whatsapp_cloud
from connectors.live.spool import Body

VENDORS = ("sendgrid", "whatsapp", "twilio")
MAX_CALL_S = 7 * 86_400  # a CallDuration beyond a week is not a call
MAX_SEQUENCE = 999_999  # SequenceNumber breaks ties within one second: microseconds
INBOUND_MESSAGE = {"received", "receiving"}
ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def records(vendor: str, body: Body) -> list[tuple[ModuleType, object]]:
    """(connector, record) for every record in ``body``; [] when it holds nothing to load."""
    if vendor == "sendgrid":
        events = _json(body)
        if not isinstance(events, list):
            raise ValueError("a SendGrid Event Webhook body is a JSON array of events")
        return [(sendgrid_events, e) for e in events]
    if vendor == "whatsapp":
        envelope = _json(body)
        if not isinstance(envelope, dict):
            raise ValueError("a WhatsApp webhook body is a JSON object")
        return [(whatsapp_cloud, envelope)] if _whatsapp_events(envelope) else []
    if vendor == "twilio":
        return [twilio_record(parse_qsl(body.raw.decode("utf-8", "replace"), keep_blank_values=True), body)]
    raise ValueError(f"unknown webhook vendor {vendor!r}")


def _json(body: Body) -> object:
    try:
        return json.loads(body.raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"the body is not JSON ({e})") from e
    except RecursionError as e:
        raise ValueError("the body's JSON is nested too deeply") from e


def _whatsapp_events(envelope: dict) -> int:
    n = 0
    for entry in envelope.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                n += len(value.get("statuses") or []) + len(value.get("messages") or [])
    return n


def twilio_record(params: list[tuple[str, str]], body: Body) -> tuple[ModuleType, dict]:
    """A status callback's parameters → (connector, Message or Call resource)."""
    p = dict(params)
    received = body.received_at.strftime(ISO)
    if p.get("MessageSid") or p.get("SmsSid"):
        status = (p.get("MessageStatus") or p.get("SmsStatus") or "").lower()
        return twilio_messaging_json, {
            "sid": p.get("MessageSid") or p.get("SmsSid"),
            "status": status,
            "direction": "inbound" if status in INBOUND_MESSAGE else "outbound-api",
            "from": p.get("From"),
            "to": p.get("To"),
            "messaging_service_sid": p.get("MessagingServiceSid"),
            "date_sent": received,
            "date_updated": received,
        }
    if p.get("CallSid"):
        at = _rfc2822(p.get("Timestamp")) or body.received_at
        seq = _count(p.get("SequenceNumber"), MAX_SEQUENCE) or 0
        duration_s = _count(p.get("CallDuration"), MAX_CALL_S)
        if p.get("CallDuration") and duration_s is None:
            raise ValueError(f"CallDuration {p['CallDuration'][:20]!r} is not a number of seconds up to {MAX_CALL_S}")
        duration = str(duration_s) if duration_s is not None else None
        start = at - timedelta(seconds=duration_s) if duration_s else at
        status = (p.get("CallStatus") or "").lower()
        return twilio_voice_json, {
            "sid": p["CallSid"],
            "parent_call_sid": p.get("ParentCallSid") or None,
            "status": status,
            "direction": p.get("Direction"),
            "from": p.get("From"),
            "to": p.get("To"),
            "duration": duration,
            "start_time": start.strftime(ISO),
            "end_time": at.strftime(ISO) if status == "completed" else None,
            "date_updated": (at + timedelta(microseconds=seq)).strftime(ISO),
        }
    raise ValueError("a Twilio status callback names a MessageSid or a CallSid")


def _count(text: str | None, most: int) -> int | None:
    """A whole number from 0 to ``most`` written as digits; None otherwise."""
    if not text or not text.isdigit() or len(text) > 12:
        return None
    n = int(text)
    return n if n <= most else None


def _rfc2822(text: str | None) -> datetime | None:
    """Twilio's ``Timestamp`` (RFC 2822) as naive UTC; None when absent or unreadable."""
    if not text:
        return None
    try:
        t = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is None else t.astimezone(UTC).replace(tzinfo=None)
