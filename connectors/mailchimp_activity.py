"""Mailchimp campaign email activity (``GET /3.0/reports/{campaign_id}/email-activity``).

Accepts the API response (``{"campaign_id", "emails": [{"email_address", "activity": [...]}]}``,
one page or several as NDJSON / an array) and the flattened one-row-per-action layout of
connector exports (``{"campaign_id", "email_id", "email_address", "action", "timestamp"}``).
Each activity is one record; ``source_row`` is its number in file order. A member without
activity holds no event and no time: it is not a record (counted in a warning).

- ``source`` = ``mailchimp``; ``channel`` = email; ``email_address`` → customer_email;
- ``action``: ``open`` → opened, ``click`` → clicked, ``bounce`` (hard or soft) → bounced;
  another action is rejected. Sent and delivered are not in this endpoint.
- ``timestamp`` (ISO 8601) → status_at;
- ``campaign`` = ``campaign_id`` (of the activity, else its member, else the response), then every
  tag of the member or activity (``tags``: names, or Mailchimp's ``{"id", "name"}`` tag objects, as
  list-member exports and connector flattenings carry them); the title is not in this endpoint, so
  list the id, or a tag, among a recall's campaigns;
- ``source_id`` = ``<campaign_id>:<email, lower-case>:<action>:<UTC time, ISO>``: the same
  activity in two exports (whatever their offset notation) is one row; two clicks of one
  member in the same second collapse.
An activity without campaign id or email address is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.conform import read_times
from connectors.outreach import Events, as_list, as_text
from connectors.textfile import decode, iter_json_records

NAME = "mailchimp_activity"
SOURCE = "mailchimp"
_NESTED = re.compile(r'"emails"\s*:\s*\[')
_FLAT = re.compile(r'"email_id"\s*:')
STATUS = {"open": "opened", "click": "clicked", "bounce": "bounced"}


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip().startswith(("{", "[")) or '"campaign_id"' not in head:
        return None
    if _NESTED.search(head) and '"activity"' in head:
        return "JSON email activity report (campaign_id, emails[].activity[])"
    if _FLAT.search(head) and '"action"' in head and '"email_address"' in head:
        return "JSON email activity rows (campaign_id, email_id, action)"
    return None


def _activities(f: SourceFile, text: str, empty: list[str]) -> Iterator[tuple[object, dict[str, Any]]]:
    """(activity, the member/response fields it inherits) in file order."""
    for _, record in iter_json_records(f, text):
        if isinstance(record, dict) and isinstance(record.get("emails"), list):
            members, outer = record["emails"], {"campaign_id": record.get("campaign_id")}
        else:
            members, outer = [record], {}
        for member in members:
            if isinstance(member, dict) and isinstance(member.get("activity"), list):
                inherited = {**outer, **{k: v for k, v in member.items() if k != "activity" and v is not None}}
                if not member["activity"]:
                    empty.append(as_text(member.get("email_address")) or "")
                for activity in member["activity"]:
                    yield activity, inherited
            else:
                yield member, outer


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    events = Events("Mailchimp activity", warnings=warnings)
    empty: list[str] = []
    pending: list[tuple[int, dict[str, str | None], str]] = []
    for activity, inherited in _activities(f, text, empty):
        row = events.next_record()
        if not isinstance(activity, dict):
            events.reject(row, "", "activity is not a JSON object", activity)
            continue
        merged = {**inherited, **{k: v for k, v in activity.items() if v is not None}}
        action = (as_text(merged.get("action")) or "").lower()
        campaign, email = as_text(merged.get("campaign_id")), as_text(merged.get("email_address"))
        if action not in STATUS:
            events.reject(row, "action", f"unknown Mailchimp action {action!r}", merged)
        elif not campaign:
            events.reject(row, "campaign_id", "activity without a campaign_id", merged)
        elif not email:
            events.reject(row, "email_address", "activity without an email_address", merged)
        else:
            at = as_text(merged.get("timestamp"))
            listed = as_list([campaign, merged.get("tags")])
            values = {"customer_email": email, "status": STATUS[action], "status_at": at, "campaign": listed}
            pending.append((row, values, f"{campaign}:{email.lower()}:{action}:"))
    stamps = read_times("status_at", pl.Series([v["status_at"] for _, v, _ in pending], dtype=pl.String), ctx)
    for (row, values, key), stamp in zip(pending, stamps, strict=True):
        when = stamp.isoformat() if stamp is not None else values["status_at"]
        events.add(row, source=SOURCE, source_id=f"{key}{when}", channel="email", **values)
    if empty:
        events.warnings.append(f"{f.name}: {len(empty)} recipients with no activity (no event to load)")
    return events.parsed(f, ctx)
