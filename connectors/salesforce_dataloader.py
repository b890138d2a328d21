"""Salesforce Service Cloud Case, Data Loader / Bulk API CSV export → contacts.

Headers are Case API names, matched case-insensitively (Data Loader may write ``CASENUMBER``);
relationship columns keep their dotted name (``Owner.Name``). Detected by ``CreatedDate`` with
``CaseNumber``, ``Origin``, ``IsEscalated`` or ``SuppliedEmail``. Dates are ISO 8601 with
milliseconds and ``Z`` (UTC); booleans ``true``/``false``.

Natural key: source ``salesforce``, source_id = ``CaseNumber`` (kept as text, leading zeros and
all). The report export (salesforce_report) has ``Case Number`` but rarely the ``Id``, so the case
number is the key both formats share and overlapping exports of one case merge into one contact.
A file without ``CaseNumber`` falls back to ``Id`` (warning: those rows cannot merge with report
exports of the same cases).

Mapping, shared with salesforce_report (:func:`to_contacts`):
- ``Origin`` → channel by the first keyword that starts a word of it (whatsapp; sms/text; chat;
  voicemail/phone/telephone/call/voice → phone; email/e-mail; web/portal/community/form/widget/
  feedback → web; facebook/twitter/instagram/linkedin/social → social), so "Email-to-Case" is
  email and "Callback" phone but "Recall Desk" matches nothing; the word "outbound" → direction
  outbound, else inbound. An origin matching none (org-specific picklist values such as "Walk-in",
  integrations) → channel ``other``.
- status: ``IsClosed`` decides open vs closed (never the label alone). Known labels: New → new;
  Working, Open, In Progress, Escalated → open; On Hold → hold; Pending, Waiting on Customer →
  pending; Resolved, Solved → solved; Closed → closed. A closed case with another label → closed;
  an open case whose label says closed → open. Without ``IsClosed``: the label, else closed when
  ``ClosedDate`` is set, else open; unknown labels are listed in a warning.
- ``CreatedDate`` → created_at, ``ClosedDate`` → resolved_at, ``LastModifiedDate`` (else
  ``SystemModstamp``) → updated_at. No first_reply_at: Service Cloud has no standard field.
- owner: ``Owner.Name`` (else ``OwnerId``) → queue when ``OwnerId`` starts with ``00G`` (a queue) or,
  without an id, when the name contains "queue"; otherwise → agent.
- ``Reason`` (else ``Type``) → reason; ``IsEscalated`` or status Escalated → is_transferred;
  ``ContactEmail`` (else ``SuppliedEmail``) → customer_email; ``ContactPhone`` / ``ContactMobile``
  (else ``SuppliedPhone``) → customer_phone_raw; ``ContactId`` → customer_ref; ``Subject`` → subject.
  Cases have no tags.
"""

from __future__ import annotations

import re

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, Unreadable
from connectors.conform import conform
from connectors.textfile import read_delimited
from connectors.values import parse_bools

NAME = "salesforce_dataloader"
SOURCE = "salesforce"
_CASE_KEYS = {"casenumber", "origin", "isescalated", "suppliedemail", "isclosedoncreate"}
_ORIGINS = (
    ("whatsapp", "whatsapp"),
    ("sms", "sms"),
    ("text", "sms"),
    ("chat", "chat"),
    ("voicemail", "phone"),
    ("phone", "phone"),
    ("call", "phone"),
    ("voice", "phone"),
    ("telephone", "phone"),
    ("email", "email"),
    ("web", "web"),
    ("portal", "web"),
    ("community", "web"),
    ("form", "web"),
    ("widget", "web"),
    ("feedback", "web"),
    ("facebook", "social"),
    ("twitter", "social"),
    ("instagram", "social"),
    ("linkedin", "social"),
    ("social", "social"),
)
STATUSES = {
    "new": "new",
    "working": "open",
    "open": "open",
    "in progress": "open",
    "escalated": "open",
    "on hold": "hold",
    "hold": "hold",
    "pending": "pending",
    "waiting on customer": "pending",
    "resolved": "solved",
    "solved": "solved",
    "closed": "closed",
}
_CLOSED = ("solved", "closed")


def detect(f: SourceFile) -> str | None:
    heads = {h.strip().lower() for h in f.header()}
    if "createddate" in heads and heads & _CASE_KEYS:
        return f"Salesforce Case API-name header (CreatedDate, {', '.join(sorted(heads & _CASE_KEYS))})"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    frame, warnings = read_delimited(f)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns if c != "source_row"})
    return to_contacts(frame, f, ctx, warnings)


def to_contacts(frame: pl.DataFrame, f: SourceFile, ctx: ReadContext, warnings: list[str]) -> Parsed:
    """Case rows (columns = lower-case API names, all text, plus source_row) → Parsed contacts."""
    if "casenumber" in frame.columns:
        key = "casenumber"
    elif "id" in frame.columns:
        key = "id"
        warnings.append(f"{f.name}: no CaseNumber column; cases keyed by Id will not merge with report exports")
    else:
        raise Unreadable(f"{f.name}: Salesforce case export without a CaseNumber (Case Number) or Id column")
    rows: list[dict] = []
    unknown: set[str] = set()
    for r in frame.iter_rows(named=True):
        r = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in r.items()}
        origin = r.get("origin")
        channel, direction = _channel(origin) if origin else (None, "inbound")
        status = _status(r.get("status"), r.get("isclosed"), r.get("closeddate"), unknown)
        owner_id, owner = r.get("ownerid"), r.get("owner.name") or r.get("ownerid")
        is_queue = owner_id.startswith("00G") if owner_id else bool(owner and "queue" in owner.lower())
        escalated = (r.get("status") or "").lower() == "escalated"
        rows.append(
            {
                "source_row": r["source_row"],
                "source_id": r.get(key),
                "channel": channel,
                "direction": direction,
                "status": status,
                "created_at": r.get("createddate"),
                "resolved_at": r.get("closeddate"),
                "updated_at": r.get("lastmodifieddate") or r.get("systemmodstamp"),
                "agent": None if is_queue else owner,
                "queue": owner if is_queue else None,
                "reason": r.get("reason") or r.get("type"),
                "is_transferred": "true" if escalated else r.get("isescalated"),
                "customer_email": r.get("contactemail") or r.get("suppliedemail"),
                "customer_phone_raw": r.get("contactphone") or r.get("contactmobile") or r.get("suppliedphone"),
                "customer_ref": r.get("contactid"),
                "subject": r.get("subject"),
            }
        )
    if unknown:
        warnings.append(
            f"Salesforce case statuses not recognised (read by IsClosed/ClosedDate): {', '.join(sorted(unknown))}"
        )
    schema = {c: pl.String for c in _COLUMNS} | {"source_row": pl.Int64}
    cases = pl.DataFrame(rows, schema=schema).with_columns(pl.lit(SOURCE).alias("source"))
    contacts, bad = conform("contacts", cases, ctx)
    return Parsed("contacts", {"contacts": contacts}, rows_read=frame.height, rejects=bad, warnings=warnings)


_COLUMNS = (
    "source_id channel direction status created_at resolved_at updated_at agent queue reason is_transferred "
    "customer_email customer_phone_raw customer_ref subject"
).split()


def _channel(origin: str) -> tuple[str, str]:
    words = re.findall(r"[a-z0-9]+", origin.lower().replace("e-mail", "email"))
    direction = "outbound" if "outbound" in words else "inbound"
    return next((ch for kw, ch in _ORIGINS if any(w.startswith(kw) for w in words)), "other"), direction


def _status(label: str | None, is_closed: str | None, closed_date: str | None, unknown: set[str]) -> str | None:
    name = STATUSES.get(label.lower()) if label else None
    if label and not name:
        unknown.add(label)
    closed = parse_bools(pl.Series([is_closed], dtype=pl.String))[0] if is_closed else None
    if closed is True:
        return name if name in _CLOSED else "closed"
    if closed is False:
        return name if name and name not in _CLOSED else "open"
    if name:
        return name
    if not label:
        return None
    return "closed" if closed_date else "open"
