"""Twilio Console "Messaging logs" CSV (Monitor › Logs › Messaging › Download CSV).

Header (any case; spaces and underscores ignored, so ``SentDate``, ``sent_date`` and
``Sent Date`` are alike): ``From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,
AccountSid,Sid,Direction,Price,PriceUnit``; ``DateCreated``/``DateUpdated``,
``MessagingServiceSid`` and a custom ``Campaign`` column are used when present. Every field is
usually double-quoted and ``From``/``To`` keep the ``whatsapp:`` prefix.

Rows map exactly as Message resources do in :mod:`connectors.twilio_messaging_json` (same
``source`` and ``source_id`` = ``<Sid>:<status>``, so a message in both a CSV and a JSON export is
one row): outbound → the ``To`` number, inbound → ``From`` and status ``replied``;
undelivered → failed; queued/accepted/scheduled/sending/canceled folded. ``SentDate`` is the
event time (its exact format is unverified: ISO 8601, RFC 2822, ``… UTC`` and offset-less local
times in the upload's zone are accepted). ``source_row`` is the spreadsheet row (header = 1).
"""

from __future__ import annotations

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.outreach import Events
from connectors.textfile import read_delimited
from connectors.twilio_messaging_json import message_event

NAME = "twilio_messaging_csv"
_REQUIRED = {"sid", "status", "from", "to", "direction"}
_MESSAGE_ONLY = {"numsegments", "sentdate"}  # absent from the Voice call-log CSV


def _key(header: str) -> str:
    return "".join(header.strip().lstrip("\ufeff").lower().replace("_", " ").replace("-", " ").split())


def detect(f: SourceFile) -> str | None:
    keys = {_key(h) for h in f.header()}
    if _REQUIRED <= keys and keys & _MESSAGE_ONLY:
        return "Twilio messaging-log CSV header (Sid, Status, From, To, Direction, NumSegments/SentDate)"
    return None


def _utc_suffix(value: str | None) -> str | None:
    """``2024-03-05 14:22:10 UTC`` → ``2024-03-05 14:22:10+00:00`` (a zone name the shared
    timestamp parser does not read)."""
    if value and value.rstrip().upper().endswith((" UTC", " GMT")) and value[:4].isdigit():
        return value.rstrip()[:-4].rstrip() + "+00:00"
    return value


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    frame, warnings = read_delimited(f)
    first: dict[str, str] = {}
    for c in frame.columns:
        first.setdefault(_key(c) if c != "source_row" else c, c)
    frame = frame.select([frame[c].alias(k) for k, c in first.items()])  # a repeated header: first wins
    events = Events("Twilio message", warnings=warnings)
    for rec in frame.iter_rows(named=True):
        events.next_record()
        row = rec["source_row"]
        g = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in rec.items()}.get
        message_event(
            events,
            row,
            {k: v for k, v in rec.items() if k != "source_row"},
            sid=g("sid"),
            status=g("status"),
            direction=g("direction"),
            sender=g("from"),
            recipient=g("to"),
            sent_at=_utc_suffix(g("sentdate")),
            updated_at=_utc_suffix(g("dateupdated")),
            created_at=_utc_suffix(g("datecreated")),
            campaign=g("campaign") or g("messagingservicesid"),
        )
    return events.parsed(f, ctx)
