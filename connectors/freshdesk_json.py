"""Freshdesk API tickets (``GET /api/v2/tickets?include=stats,requester``) → contacts.

Accepts a JSON array, NDJSON, concatenated pages (``[..][..]``) or a search result
(``{"results": [..]}``). Detected by Freshdesk-only keys (``fr_due_by``, ``fr_escalated``,
``nr_due_by``, ``responder_id``) in a file that starts with ``[`` or ``{``. Record numbers
(1-based, across pages) are the ``source_row``.

Mapping (source ``freshdesk``, source_id = ``id``, the ticket number, as in the CSV export):
- ``source`` code → channel/direction: 1 Email, 2 Portal → web, 3 Phone, 4 Forum → web,
  5 Twitter / 6 Facebook → social, 7 Chat, 8 Mobihelp → web, 9 Feedback Widget → web,
  10 Outbound Email → email, outbound. Other codes (newer omnichannel sources, e-commerce and
  integration apps) → channel ``other``, inbound: add them to ``SOURCE_CODES`` once verified.
- ``status``: 2 open, 3 pending, 4 resolved → solved, 5 closed; a custom status (≥ 6) → open with a
  warning listing the codes; any other value is quarantined.
- ``created_at``, ``updated_at`` (ISO 8601, UTC); ``stats.first_responded_at`` → first_reply_at;
  ``stats.resolved_at``, else ``stats.closed_at`` → resolved_at (no ``stats``: both empty).
- ``responder_id`` → agent, ``group_id`` → queue (ids: the API has no names), ``type`` → reason,
  ``tags`` → tags, ``requester_id`` → customer_ref, ``requester.email`` (else ``email``) →
  customer_email, ``requester.phone`` / ``requester.mobile`` (else ``phone``) → customer_phone_raw,
  ``is_escalated`` → is_transferred, ``subject`` → subject.
- ``spam`` or ``deleted`` tickets are quarantined with that reason: they are not customer contacts.
"""

from __future__ import annotations

import json
import re

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile, Unreadable
from connectors.conform import conform
from connectors.freshdesk_csv import SOURCE, SOURCES, STATUSES
from connectors.textfile import decode, iter_json_records

NAME = "freshdesk_json"
SOURCE_CODES = {
    1: "email",
    2: "portal",
    3: "phone",
    4: "forum",
    5: "twitter",
    6: "facebook",
    7: "chat",
    8: "mobihelp",
    9: "feedback widget",
    10: "outbound email",
}
STATUS_CODES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
_KEYS = re.compile(r'"(fr_due_by|fr_escalated|nr_due_by|responder_id)"\s*:')
_TEXT_COLUMNS = (
    "source_id created_at updated_at first_reply_at resolved_at status channel direction agent queue reason "
    "customer_ref customer_email customer_phone_raw is_transferred subject"
).split()


def detect(f: SourceFile) -> str | None:
    head = f.head_text().lstrip("\ufeff \t\r\n")
    if not head.startswith(("[", "{")):
        return None
    keys = sorted(set(_KEYS.findall(head)))
    return f"JSON with Freshdesk ticket keys ({', '.join(keys)})" if keys else None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    rows: list[dict] = []
    rejects: list[dict] = []
    custom: set[str] = set()
    for n, rec in _records(f, text):
        problem = _problem(rec)
        if problem:
            rejects.append({"source_row": n, "column_name": problem[0], "reason": problem[1], "raw": _raw(rec)})
            continue
        row, problem = _row(rec, custom)
        if problem:
            rejects.append({"source_row": n, "column_name": problem[0], "reason": problem[1], "raw": _raw(rec)})
            continue
        rows.append(row | {"source_row": n})
    total = len(rows) + len(rejects)
    if total == 0:
        raise Unreadable(f"{f.name}: no Freshdesk tickets in the file")
    if custom:
        warnings.append(f"Freshdesk custom status codes read as open: {', '.join(sorted(custom, key=int))}")
    schema = {c: pl.String for c in _TEXT_COLUMNS} | {"tags": pl.List(pl.String), "source_row": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema).with_columns(pl.lit(SOURCE).alias("source"))
    contacts, bad = conform("contacts", frame, ctx)
    all_rejects = pl.concat([pl.DataFrame(rejects, schema=REJECT_SCHEMA), bad])
    return Parsed("contacts", {"contacts": contacts}, rows_read=total, rejects=all_rejects, warnings=warnings)


def _records(f: SourceFile, text: str) -> list[tuple[int, object]]:
    """(record number, value), flattening pages (arrays) and ``{"results": [...]}`` wrappers."""
    out: list[tuple[int, object]] = []
    for _, value in iter_json_records(f, text):
        if isinstance(value, dict) and isinstance(value.get("results"), list) and "id" not in value:
            value = value["results"]
        for item in value if isinstance(value, list) else [value]:
            out.append((len(out) + 1, item))
    return out


def _problem(rec: object) -> tuple[str, str] | None:
    if not isinstance(rec, dict) or rec.get("id") in (None, ""):
        return "id", "not a Freshdesk ticket (no id)"
    for flag in ("spam", "deleted"):
        if rec.get(flag) is True:
            return flag, f"{flag} ticket, not a customer contact"
    return None


def _row(rec: dict, custom: set[str]) -> tuple[dict, tuple[str, str] | None]:
    code = rec.get("source")
    channel, direction = None, "inbound"
    if code is not None:
        label = SOURCE_CODES.get(code) if isinstance(code, int) else str(code).strip().lower()
        channel, direction = SOURCES.get(label or "", ("other", "inbound"))
    status, problem = _status(rec.get("status"), custom)
    if problem:
        return {}, problem
    stats = rec.get("stats") if isinstance(rec.get("stats"), dict) else {}
    requester = rec.get("requester") if isinstance(rec.get("requester"), dict) else {}
    tags = rec.get("tags")
    return {
        "source_id": _text(rec["id"]),
        "channel": channel,
        "direction": direction,
        "status": status,
        "created_at": _text(rec.get("created_at")),
        "updated_at": _text(rec.get("updated_at")),
        "first_reply_at": _text(stats.get("first_responded_at")),
        "resolved_at": _text(stats.get("resolved_at") or stats.get("closed_at")),
        "agent": _text(rec.get("responder_id")),
        "queue": _text(rec.get("group_id")),
        "reason": _text(rec.get("type")),
        "customer_ref": _text(rec.get("requester_id")),
        "customer_email": _text(requester.get("email") or rec.get("email")),
        "customer_phone_raw": _text(requester.get("phone") or requester.get("mobile") or rec.get("phone")),
        "is_transferred": _text(rec.get("is_escalated")),
        "subject": _text(rec.get("subject")),
        "tags": [str(t).strip() for t in tags if t is not None and str(t).strip()] if isinstance(tags, list) else None,
    }, None


def _status(value: object, custom: set[str]) -> tuple[str | None, tuple[str, str] | None]:
    if value is None:
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        if value in STATUS_CODES:
            return STATUS_CODES[value], None
        if value >= 6:
            custom.add(str(value))
            return "open", None
    elif isinstance(value, str) and value.strip().lower() in STATUSES:
        return STATUSES[value.strip().lower()], None
    return None, ("status", f"unknown Freshdesk status code {value!r}")


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _raw(rec: object) -> str:
    return json.dumps(rec, ensure_ascii=False, default=str)[:2000]
