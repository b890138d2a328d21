"""Genesys Cloud analytics conversation detail records, JSON: a details query or async job page
(``{"conversations": [...]}``, also several pages as NDJSON), an array of conversations, or NDJSON.

One conversation is one contact (source ``genesys``, source_id ``conversationId``), however many
agents, queues or transfers it had. Conversation → participants (``purpose``) → sessions →
segments and metrics. Metric values ``t*`` are **milliseconds**; ``n*`` are counts.
- channel from the customer's (else the first) session ``mediaType``: voice/callback → phone,
  chat → chat, email → email, message → by ``messageType`` (sms, whatsapp; facebook, twitter,
  instagram, line, apple → social; webmessaging, or none given → chat; ``open`` — Open Messaging
  integrations — and any other → other), video/cobrowse/screenshare → web; any other media type
  (``workitem``…) → other.
- direction = ``originatingDirection``; created_at = ``conversationStart``; updated_at = the latest
  stamp in the record (``conversationEnd``, segment ends, metric ``emitDate``), so a re-export of a
  conversation that has since progressed replaces the older one.
- answered_at = the first ``interact`` segment of an agent (``purpose`` agent/user).
- wait_s = the first queue's ``tAcd`` (else ``tAbandon``/``tShortAbandon``); talk_s = Σ ``tTalk``,
  hold_s = Σ ``tHeld``/``tHold``, wrap_s = Σ ``tAcw`` over agent sessions (each agent of a transfer
  has its own); handle_s = Σ over agent sessions of the session's ``tHandle``, or — a session that
  reports none, of any media type (messages, email, chat emit ``tTalk`` without ``tHandle``) — its
  talk + hold + after-call work (``tTalkComplete``/``tTalk`` + ``tHeldComplete``/``tHeld`` +
  ``tAcw``), the vendor's own definition of handle time.
- abandoned: a ``tAbandon``/``tShortAbandon`` metric, or an inbound conversation that reached a
  queue (``acd``) and no agent interacted. transferred: Σ ``nTransferred`` > 0, or an agent segment
  ended by a transfer.
- agent = the last agent who interacted (``participantName``, else ``userId``); queue = the first
  ``acd`` participant's name (else the ``queueId``); reason = the last ``wrapUpCode``; status = how
  the customer's last segment ended (``disconnectType``).
- customer/dialled numbers from the customer session's ``ani``/``dnis`` (``tel:`` stripped; reversed
  for outbound); dialled_number is E.164 or empty. Email sessions give ``addressFrom``/``addressTo``.
- Dates with a one-digit day or month (seen in Genesys samples) are zero-padded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile
from connectors.conform import conform
from connectors.textfile import decode, iter_json_records
from connectors.values import e164
from store.schema import TABLES

NAME = "genesys_cloud"
SOURCE = "genesys"
_MEDIA = {"voice": "phone", "callback": "phone", "chat": "chat", "email": "email", "video": "web"}
_MEDIA |= {"cobrowse": "web", "screenshare": "web"}
_MESSAGE = {"sms": "sms", "whatsapp": "whatsapp", "facebook": "social", "twitter": "social"}
_MESSAGE |= {"instagram": "social", "line": "social", "apple": "social", "webmessaging": "chat", "": "chat"}
_TRANSFERS = {"transfer", "consulttransfer", "forwardtransfer", "conferencetransfer"}
_AGENTS = ("agent", "user")


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return None
    if re.search(r'"conversationId"\s*:', head) and re.search(r'"participants"\s*:', head):
        return "JSON with conversationId and participants (Genesys Cloud conversation details)"
    return None


def _pad(ts: Any) -> str | None:
    """Zero-pad a one-digit month or day (``2021-04-2T15:30:51.418Z``)."""
    if not isinstance(ts, str) or not ts.strip():
        return None
    return re.sub(
        r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=[T ])", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", ts.strip()
    )


def _when(ts: str | None) -> datetime | None:
    try:
        t = datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None
    except ValueError:
        return None
    return t.astimezone(timezone.utc) if t and t.tzinfo else t


def _list(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _ms(values: list[Any]) -> str | None:
    """Sum of millisecond values → seconds as text; a value that is not a number is returned as is."""
    if not values:
        return None
    total = 0.0
    for v in values:
        try:
            total += float(v)
        except (TypeError, ValueError):
            return str(v)
    return str(total / 1000)


def _session_handle(metrics: list[dict[str, Any]]) -> list[Any]:
    """One agent session's handle time, as millisecond values to add: its ``tHandle``; without one,
    talk (``tTalkComplete``, else ``tTalk``) + hold (``tHeldComplete``, else ``tHeld``/``tHold``) +
    ``tAcw``; [] when it reports none of them."""
    by: dict[str, list[Any]] = {}
    for m in metrics:
        by.setdefault(str(m.get("name")), []).append(m.get("value"))
    if by.get("tHandle"):
        return by["tHandle"]
    talk = by.get("tTalkComplete") or by.get("tTalk") or []
    hold = by.get("tHeldComplete") or by.get("tHeld") or by.get("tHold") or []
    return [*talk, *hold, *by.get("tAcw", [])]


def _number(addr: Any) -> str | None:
    return re.sub(r"^tel:", "", addr.strip()) if isinstance(addr, str) and addr.strip() else None


def _conversation(conv: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    parts = _list(conv.get("participants"))
    sessions = [(p, s) for p in parts for s in _list(p.get("sessions"))]
    customer = [s for p, s in sessions if p.get("purpose") in ("customer", "external")]
    first = (customer or [s for _, s in sessions] or [{}])[0]
    media = str(first.get("mediaType") or "").lower()
    channel = (
        _MESSAGE.get(str(first.get("messageType") or "").lower(), "other")
        if media == "message"
        else _MEDIA.get(media, "other" if media else None)
    )
    direction = str(conv.get("originatingDirection") or first.get("direction") or "").lower() or None
    metrics: dict[str, dict[str, list[Any]]] = {}  # purpose group → metric name → values
    handles: list[Any] = []  # one handle time (or its parts) per agent session
    stamps = [_pad(conv.get("conversationEnd")), _pad(conv.get("conversationStart"))]
    for p, s in sessions:
        group = "agent" if p.get("purpose") in _AGENTS else str(p.get("purpose"))
        for m in _list(s.get("metrics")):
            metrics.setdefault(group, {}).setdefault(str(m.get("name")), []).append(m.get("value"))
            stamps.append(_pad(m.get("emitDate")))
        if group == "agent":
            handles += _session_handle(_list(s.get("metrics")))
        stamps += [_pad(seg.get("segmentEnd")) for seg in _list(s.get("segments"))]
    latest = max((t for t in map(_when, stamps) if t), default=None)
    agent_segments = [(p, seg) for p, s in sessions if p.get("purpose") in _AGENTS for seg in _list(s.get("segments"))]
    interacts = [(p, seg) for p, seg in agent_segments if seg.get("segmentType") == "interact"]
    starts = sorted(
        ((_when(_pad(seg.get("segmentStart"))) or datetime.max.replace(tzinfo=timezone.utc)), i)
        for i, (_, seg) in enumerate(interacts)
    )
    answered = _pad(interacts[starts[0][1]][1].get("segmentStart")) if interacts else None
    last_agent = interacts[starts[-1][1]][0] if interacts else None
    agent_m, all_m = metrics.get("agent", {}), list(metrics.values())
    abandons = [v for g in all_m for k in ("tAbandon", "tShortAbandon") for v in g.get(k, [])]
    queued = any(p.get("purpose") == "acd" for p in parts)
    transferred = sum(float(v) for g in all_m for v in g.get("nTransferred", []) if isinstance(v, (int, float))) > 0
    transferred |= any(str(seg.get("disconnectType") or "").lower() in _TRANSFERS for _, seg in agent_segments)
    acd = metrics.get("acd", {})
    wait = (acd.get("tAcd") or [None])[0] if acd.get("tAcd") else (abandons[0] if abandons else None)
    acd_names = [p.get("participantName") for p in parts if p.get("purpose") == "acd" and p.get("participantName")]
    queue_ids = [seg.get("queueId") for _, s in sessions for seg in _list(s.get("segments")) if seg.get("queueId")]
    wrapups = [seg.get("wrapUpCode") for _, seg in agent_segments if seg.get("wrapUpCode")]
    cust_segments = [seg for s in customer for seg in _list(s.get("segments"))]
    ani, dnis = _number(first.get("ani")), _number(first.get("dnis"))
    caller, line = (dnis, ani) if direction == "outbound" else (ani, dnis)
    email_from, email_to = first.get("addressFrom"), first.get("addressTo")
    return {
        "source": SOURCE,
        "source_id": conv.get("conversationId"),
        "channel": channel,
        "direction": direction,
        "created_at": _pad(conv.get("conversationStart")),
        "answered_at": answered,
        "updated_at": latest.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if latest else None,
        "status": cust_segments[-1].get("disconnectType") if cust_segments else None,
        "is_abandoned": str(bool(abandons) or (direction == "inbound" and queued and not interacts)).lower(),
        "is_transferred": str(transferred).lower(),
        "wait_s": _ms([wait]) if wait is not None else None,
        "talk_s": _ms(agent_m.get("tTalk") or agent_m.get("tTalkComplete", [])),
        "hold_s": _ms(agent_m.get("tHeld") or agent_m.get("tHold") or agent_m.get("tHeldComplete", [])),
        "wrap_s": _ms(agent_m.get("tAcw", [])),
        "handle_s": _ms(handles),
        "agent": (last_agent.get("participantName") or last_agent.get("userId")) if last_agent else None,
        "queue": acd_names[0] if acd_names else (queue_ids[0] if queue_ids else None),
        "reason": wrapups[-1] if wrapups else None,
        "dialled_number": e164(line, ctx.country) if line and channel == "phone" else None,
        "customer_phone_raw": caller if channel in ("phone", "sms", "whatsapp") else None,
        "customer_email": (email_to if direction == "outbound" else email_from) if channel == "email" else None,
    }


def _records(f: SourceFile, text: str) -> Iterator[tuple[int, Any]]:
    """(number, conversation) with pages (``{"conversations": [...]}``) opened up."""
    n = 0
    for _, value in iter_json_records(f, text):
        if isinstance(value, dict) and "conversationId" not in value and isinstance(value.get("conversations"), list):
            items = value["conversations"]
        else:
            items = [value]
        for item in items:
            n += 1
            yield n, item


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    read_n = 0
    for n, conv in _records(f, text):
        read_n += 1
        if not isinstance(conv, dict):
            raw = json.dumps(conv, ensure_ascii=False)[:2000]
            rejects.append({"source_row": n, "column_name": None, "reason": "record is not a JSON object", "raw": raw})
            continue
        rows.append({**_conversation(conv, ctx), "source_row": n})
    cols = TABLES["contacts"].names
    frame = pl.DataFrame(rows, schema={**{c: pl.String for c in cols}, "source_row": pl.Int64}, strict=False)
    typed, bad = conform("contacts", frame, ctx)
    own = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    return Parsed("contacts", {"contacts": typed}, rows_read=read_n, rejects=pl.concat([own, bad]), warnings=warnings)
