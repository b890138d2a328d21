"""Zendesk Support Incremental Ticket Export pages (docs/vendor-formats.md#zendesk-incremental-ticket-export).

A page is an object with a ``tickets`` array and the cursor keys (``after_cursor``,
``end_of_stream``) or the time-based ones (``next_page``, ``end_time``, ``count``); a file may
hold one page, a JSON array of pages, or pages one per line. Sideloads are used when present:
``users`` (requester email and phone, assignee name, submitter role), ``groups`` (group name)
and ``metric_sets`` (by ``ticket_id``: first reply and resolution times, ``solved_at``,
``replies`` → agent_replies, ``group_stations``). Ticket mapping: connectors/_zendesk.py.

Quirks: the time-based export repeats tickets — every copy is read and the store keeps the one
with the newest ``updated_at``; deleted tickets (``status: deleted``) are not contacts and are
quarantined with that reason; a page that is not the end of the stream gives a warning. Without
sideloaded users the requester email falls back to ``via.source.from.address`` and the agent and
queue are the assignee and group ids. Time Tracking custom fields are keyed by account-specific
field ids, so handle_s stays empty.
"""

from __future__ import annotations

import re

from connectors import _zendesk as zd
from connectors.base import Parsed, ReadContext, SourceFile, Unreadable
from connectors.textfile import iter_json_records

NAME = "zendesk_incremental"
_TICKETS = re.compile(r'"tickets"\s*:\s*\[')
_PAGE_KEYS = re.compile(r'"(end_of_stream|after_cursor|next_page|end_time)"\s*:')


def detect(f: SourceFile) -> str | None:
    head = f.head_text().lstrip("\ufeff \t\r\n")
    if not head.startswith(("{", "[")) or not _TICKETS.search(head):
        return None
    if _PAGE_KEYS.search(head) or re.search(r'"via"\s*:\s*\{', head):
        return "Zendesk ticket export page (tickets array with via objects / cursor keys)"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    tickets: list[tuple[int, object]] = []
    users: dict[str, dict] = {}
    groups: dict[str, str] = {}
    metrics: dict[str, dict] = {}
    warnings: list[str] = []
    for page_no, page in iter_json_records(f):
        if not isinstance(page, dict) or not isinstance(page.get("tickets"), list):
            raise Unreadable(f"{f.name}: record {page_no} is not a Zendesk export page (no tickets array)")
        tickets += [(len(tickets) + i, t) for i, t in enumerate(page["tickets"], start=1)]
        users |= zd.by_id(page.get("users"))
        groups |= {k: zd.text(g.get("name")) or k for k, g in zd.by_id(page.get("groups")).items()}
        metrics |= zd.by_id(page.get("metric_sets"), key="ticket_id")
        if page.get("end_of_stream") is False:
            more = page.get("after_cursor") or page.get("next_page") or "a later page"
            warnings.append(f"{f.name}: page {page_no} is not the end of the stream; more tickets follow ({more})")
    frame, rejects = zd.tickets_to_rows(tickets, users, groups, metrics)
    deleted = sum(r["reason"].startswith("deleted") for r in rejects)
    if deleted:
        warnings.append(f"{f.name}: {deleted} deleted tickets quarantined (not contacts)")
    return zd.finish(frame, rejects, len(tickets), ctx, warnings)
