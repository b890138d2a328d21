"""Amazon Connect contact records (formerly CTR): a JSON array, NDJSON, or the concatenated JSON
(``{..}{..}``, no delimiter) that Kinesis Data Firehose writes to S3; ``.gz`` is unpacked by the loader.

One record per contact leg, keyed by ``ContactId`` (source ``amazon_connect``). Records arrive at
least once and are re-delivered when updated: ``LastUpdateTimestamp`` is ``updated_at``, so the
store keeps the latest version of each ContactId. Unknown keys are ignored.

Mapping (durations are whole seconds):
- ``Channel`` VOICE → phone, CHAT → chat, EMAIL → email; TASK (an internal work item, not a customer
  contact) is quarantined; any other value → channel ``other``.
- ``InitiationMethod`` INBOUND, CALLBACK, WEBRTC_API (and API on a chat) → inbound; OUTBOUND,
  EXTERNAL_OUTBOUND, AGENT_REPLY, FLOW, CAMPAIGN_* (and API on voice or email) → outbound;
  MONITOR, DISCONNECT and unknown methods are quarantined: they are not customer contacts.
- TRANSFER / QUEUE_TRANSFER legs are one customer call with the contact named by
  ``InitialContactId``: they are folded into it (``rows_folded``): talk, hold and ACW add up, the
  agent is the last leg's, the outcome (``status``) the last leg's, and the contact is transferred.
  The contact keeps its own ``LastUpdateTimestamp``. A transfer leg whose initial contact is not in
  the same file is quarantined (load the legs of a call together).
- ``InitiationTimestamp`` → created_at; ``Agent.ConnectedToAgentTimestamp`` → answered_at;
  ``Queue.Duration`` → wait_s; ``Agent.AgentInteractionDuration`` → talk_s,
  ``CustomerHoldDuration`` → hold_s, ``AfterContactWorkDuration`` → wrap_s, and handle_s is their
  sum (the vendor's AHT recipe, for every channel).
- An inbound contact that no agent answered (``Agent`` null) is abandoned. ``TransferredToEndpoint``
  or ``TransferCompletedTimestamp`` marks a transfer.
- ``Agent.Username`` → agent; ``Queue.Name`` → queue; ``SystemEndpoint.Address`` (E.164) →
  dialled_number; ``CustomerEndpoint.Address`` → customer_phone_raw (customer_email for an email
  address); ``DisconnectReason`` → status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import polars as pl

import connectors._connect_ndjson as _connect_ndjson
from connectors._connect_rules import INBOUND, OUTBOUND, TRANSFER, fold, num, when
from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile
from connectors.conform import conform
from connectors.textfile import TooLong, decode, iter_json_records
from connectors.values import e164
from store.schema import TABLES

NAME = "amazon_connect"
SOURCE = "amazon_connect"
_CHANNELS = {"VOICE": "phone", "CHAT": "chat", "EMAIL": "email"}


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return None
    if re.search(r'"ContactId"\s*:', head) and re.search(
        r'"(InitiationMethod|AWSContactTraceRecordFormatVersion)"', head
    ):
        return "JSON records with ContactId and InitiationMethod (Amazon Connect contact records)"
    return None


def _get(rec: dict, *path: str) -> object:
    for key in path:
        if not isinstance(rec, dict):
            return None
        rec = rec.get(key)
    return rec


def _text(v: object) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    return str(v) if type(v) in (int, float) else json.dumps(v)


def _raw(rec: object) -> str:
    """A record as shown in the quarantine (first 2,000 characters of its JSON)."""
    return json.dumps(rec, ensure_ascii=False)[:2000]


def _direction(method: str, channel: str) -> str | None:
    if method in INBOUND or (method == "API" and channel == "CHAT"):
        return "inbound"
    if method in OUTBOUND or method.startswith("CAMPAIGN") or method == "API":
        return "outbound"
    return None


def _row(rec: dict, ctx: ReadContext) -> dict[str, str | None]:
    agent = rec.get("Agent") if isinstance(rec.get("Agent"), dict) else None
    channel = str(rec.get("Channel") or "").upper()
    cust_type, cust = _get(rec, "CustomerEndpoint", "Type"), _text(_get(rec, "CustomerEndpoint", "Address"))
    sys_type, system = _get(rec, "SystemEndpoint", "Type"), _text(_get(rec, "SystemEndpoint", "Address"))
    is_email = cust_type == "EMAIL_ADDRESS" or (cust is not None and "@" in cust)
    direction = _direction(str(rec.get("InitiationMethod") or "").upper(), channel)
    answered = _text(_get(agent, "ConnectedToAgentTimestamp")) if agent else None
    row = {
        "source": SOURCE,
        "source_id": _text(rec.get("ContactId")),
        "channel": _CHANNELS.get(channel, "other" if channel.strip() else None),
        "direction": direction,
        "created_at": _text(rec.get("InitiationTimestamp")),
        "answered_at": answered,
        "updated_at": _text(rec.get("LastUpdateTimestamp")),
        "status": _text(rec.get("DisconnectReason")),
        "is_abandoned": str(direction == "inbound" and answered is None).lower(),
        "is_transferred": str(bool(rec.get("TransferredToEndpoint") or rec.get("TransferCompletedTimestamp"))).lower(),
        "wait_s": _text(_get(rec, "Queue", "Duration")),
        "talk_s": _text(_get(agent, "AgentInteractionDuration")),
        "hold_s": _text(_get(agent, "CustomerHoldDuration")),
        "wrap_s": _text(_get(agent, "AfterContactWorkDuration")),
        "agent": _text(_get(agent, "Username")),
        "queue": _text(_get(rec, "Queue", "Name")),
        "dialled_number": e164(system, ctx.country) if system and sys_type in (None, "TELEPHONE_NUMBER") else None,
        "customer_email": cust if is_email else None,
        "customer_phone_raw": cust if cust and not is_email else None,
    }
    return row


def _handle(row: dict[str, str | None]) -> str | None:
    talk = num(row["talk_s"])
    if talk is None:
        return None
    return str(talk + (num(row["hold_s"]) or 0) + (num(row["wrap_s"]) or 0))


def read(f: SourceFile, ctx: ReadContext) -> Parsed | Iterator[Parsed]:
    """NDJSON goes to the batched DuckDB reader (connectors/_connect_ndjson.py, same rules);
    a JSON array, concatenated JSON or a file that reader cannot take is read record by record."""
    if _connect_ndjson.applies(f):
        return _connect_ndjson.read(f, ctx)
    return _read_records(f, ctx)


def _read_records(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    rows: list[dict[str, object]] = []
    legs: dict[str, dict[str, list[tuple[int, dict[str, str | None]]]]] = {}  # initial id → leg id → versions
    rejects: list[dict[str, object]] = []
    read_n = folded = 0
    for n, rec in iter_json_records(f, text):
        read_n += 1
        if not isinstance(rec, dict):
            reason = rec.reason if isinstance(rec, TooLong) else "record is not a JSON object"
            rejects.append({"source_row": n, "column_name": None, "reason": reason, "raw": _raw(rec)})
            continue
        method = str(rec.get("InitiationMethod") or "").upper()
        channel = str(rec.get("Channel") or "").upper()
        if channel == "TASK":
            reason = "Channel TASK is an internal work item, not a customer contact"
            rejects.append({"source_row": n, "column_name": "channel", "reason": reason, "raw": _raw(rec)})
            continue
        row = _row(rec, ctx)
        initial = _text(rec.get("InitialContactId"))
        if method in TRANSFER and initial and initial != row["source_id"]:
            legs.setdefault(initial, {}).setdefault(row["source_id"] or f"#{n}", []).append(
                (n, {**row, "_raw": _raw(rec)})
            )
            folded += 1
            continue
        if row["direction"] is None:
            reason = f"InitiationMethod {method or '(empty)'} is not a customer contact (not loaded)"
            rejects.append({"source_row": n, "column_name": "direction", "reason": reason, "raw": _raw(rec)})
            continue
        rows.append({**row, "source_row": n})
    contact_ids = {r["source_id"] for r in rows}
    for initial, versions in legs.items():
        if initial in contact_ids:  # newest version of each leg (re-deliveries), oldest leg first
            newest = [max(v, key=lambda x: (when(x[1]["updated_at"]), x[0]))[1] for v in versions.values()]
            chain = sorted(newest, key=lambda r: when(r["created_at"]))
            for r in rows:
                if r["source_id"] == initial:
                    fold(r, chain)
            continue
        reason = f"transfer leg of contact {initial}, which is not in this file (load the legs of a call together)"
        for n, leg in (x for v in versions.values() for x in v):
            rejects.append({"source_row": n, "column_name": "source_id", "reason": reason, "raw": leg["_raw"]})
            folded -= 1
    for r in rows:
        r["handle_s"] = _handle(r)
    cols = TABLES["contacts"].names
    frame = pl.DataFrame(rows, schema={**{c: pl.String for c in cols}, "source_row": pl.Int64}, strict=False)
    typed, bad = conform("contacts", frame, ctx)
    own = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    return Parsed(
        "contacts",
        {"contacts": typed},
        rows_read=read_n,
        rows_folded=folded,
        rejects=pl.concat([own, bad]),
        warnings=warnings,
    )
