"""Zendesk Support admin JSON export (docs/vendor-formats.md#zendesk-admin-json-export): NDJSON, one ticket object
per line (a JSON array or concatenated objects are read too).

Detected by a first object that has a ``via`` object and ``requester_id`` and no ``tickets`` or
``satisfaction_ratings`` envelope (those are connectors/zendesk_incremental.py and
zendesk_satisfaction.py). Each ticket maps as in connectors/_zendesk.py: ``via.channel``
(string or integer id) → channel; ``via.source.rel`` "outbound" → outbound; requester email from
``via.source.from.address`` (no users are sideloaded in this export); assignee and group are
their ids; ``subject`` → subject; ticket metrics come from a ticket's own ``metric_set`` object when present;
``satisfaction_rating.score`` good/bad → a csat row. Timestamps are ISO 8601 UTC. Time Tracking
custom fields are keyed by account-specific field ids, so handle_s stays empty. A record that is
not an object, a ticket with ``status: deleted`` or an unknown via channel is quarantined.
"""

from __future__ import annotations

import re

import connectors._zendesk as zd
from connectors.base import Parsed, ReadContext, SourceFile
from connectors.textfile import iter_json_records

NAME = "zendesk_json"
_ENVELOPE = re.compile(r'"(tickets|satisfaction_ratings)"\s*:')


def detect(f: SourceFile) -> str | None:
    head = f.head_text().lstrip("\ufeff \t\r\n")
    if not head.startswith(("{", "[")) or _ENVELOPE.search(head):
        return None
    if re.search(r'"via"\s*:\s*\{', head) and '"requester_id"' in head:
        return "Zendesk ticket objects (via, requester_id), one per line"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    records = list(iter_json_records(f))
    frame, rejects = zd.tickets_to_rows(records, users={}, groups={}, metrics={})
    deleted = sum(r["reason"].startswith("deleted") for r in rejects)
    warnings = [f"{f.name}: {deleted} deleted tickets quarantined (not contacts)"] if deleted else []
    return zd.finish(frame, rejects, len(records), ctx, warnings)
