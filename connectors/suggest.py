"""Suggesting a column mapping for a file no connector recognises (the Upload page's editor and
``store/mappings.py`` specs).

Rules:
- **Samples**: a source column's first three distinct non-empty values (:func:`samples`).
- **Columns** (:func:`suggest_columns`): each canonical column gets the source header with the best
  score ≥ :data:`MIN_SCORE`, each header used once (best pairs first). The score is the header
  similarity — 1.0 when the header is the column's name or short name (``customer_email`` →
  ``email``) with case, spaces, ``_`` and ``-`` ignored, else difflib's ratio of those spellings,
  or a known synonym's (:data:`SYNONYMS`) — plus 0.3 when the sample values look like the column's
  type (an address with ``@`` for emails, a date/time for ``_at`` columns, a number for ``_s``
  seconds and scores, every value a choice once mapped for choice columns).
- **Values** (:func:`suggest_values`): each distinct value of a choice column (channel, direction,
  status, …) maps to the choice equal to it (case, spaces, ``_``/``-`` ignored) or named by a
  synonym (``E-mail`` → ``email``, ``Call`` → ``phone``, ``in`` → ``inbound``); the rest are left
  unmapped and counted, and conform() quarantines them at load unless mapped.
"""

from __future__ import annotations

import difflib
import re

import polars as pl

from connectors.base import norm_header
from store.schema import TABLES

MIN_SCORE = 0.75
SAMPLES = 3
SYNONYMS: dict[str, tuple[str, ...]] = {  # canonical column → other usual header spellings
    "source_id": ("id", "ticketid", "contactid", "callid", "caseid", "interactionid", "reference", "ref"),
    "created_at": ("created", "start", "starttime", "startedat", "date", "datetime", "opened", "timestamp"),
    "answered_at": ("answered", "answertime", "connectedat"),
    "resolved_at": ("resolved", "closed", "closedat", "solvedat", "endtime", "end"),
    "first_reply_at": ("firstreply", "firstresponse", "firstresponseat"),
    "channel": ("medium", "type", "contacttype", "media", "mediatype"),
    "direction": ("inout", "callDirection".lower()),
    "wait_s": ("wait", "waittime", "queuetime", "holdqueue", "speedofanswer"),
    "talk_s": ("talk", "talktime", "duration", "callduration"),
    "handle_s": ("handle", "handletime", "aht"),
    "agent": ("agentname", "owner", "assignee", "rep", "user"),
    "queue": ("group", "skill", "team", "department", "queuename"),
    "reason": ("category", "disposition", "topic", "contactreason"),
    "subject": ("title", "summary", "emailsubject", "ticketsubject", "casesubject"),
    "customer_email": ("mail", "emailaddress", "requesteremail", "from"),
    "customer_phone_raw": ("phone", "phonenumber", "ani", "caller", "callerid", "mobile", "to"),
    "customer_ref": ("customer", "customerid", "accountid", "account"),
    "status_at": ("time", "eventtime", "timestamp", "date"),
    "campaign": ("campaignname", "list", "template"),
    "score": ("rating", "csat", "satisfaction"),
    "responded_at": ("responded", "surveydate", "submittedat"),
}
VALUE_SYNONYMS: dict[str, str] = {  # loose source value → choice
    "mail": "email",
    "call": "phone",
    "voice": "phone",
    "telephone": "phone",
    "tel": "phone",
    "webchat": "chat",
    "livechat": "chat",
    "messaging": "chat",
    "text": "sms",
    "textmessage": "sms",
    "wa": "whatsapp",
    "webform": "web",
    "form": "web",
    "twitter": "social",
    "facebook": "social",
    "in": "inbound",
    "incoming": "inbound",
    "out": "outbound",
    "outgoing": "outbound",
    "dialout": "outbound",
    "open": "opened",
    "click": "clicked",
    "bounce": "bounced",
    "deliver": "delivered",
    "reply": "replied",
    "error": "failed",
    "undelivered": "failed",
}
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def loose(text: str) -> str:
    """Case, spaces, ``_`` and ``-`` ignored: ``E-Mail`` → ``email``."""
    return norm_header(text).replace("_", "")


def samples(frame: pl.DataFrame, n: int = SAMPLES) -> dict[str, list[str]]:
    """source header → its first ``n`` distinct non-empty values (text), in file order."""
    out: dict[str, list[str]] = {}
    for c in frame.columns:
        if c.startswith("_") or c == "source_row":
            continue
        values = frame[c].cast(pl.String).drop_nulls().str.strip_chars()
        out[c] = values.filter(values != "").unique(maintain_order=True).head(n).to_list()
    return out


def _spellings(column: str) -> list[str]:
    short = column.removeprefix("customer_").removesuffix("_raw").removesuffix("_at").removesuffix("_s")
    return list(dict.fromkeys([loose(column), loose(short), *SYNONYMS.get(column, ())]))


def _header_score(column: str, header: str) -> float:
    h = loose(header)
    names = _spellings(column)
    if h in names[:2]:
        return 1.0
    if h in names:
        return 0.9
    return max(difflib.SequenceMatcher(None, h, s).ratio() for s in names)


def _values_fit(column: str, choices: tuple[str, ...], values: list[str]) -> bool:
    if not values:
        return False
    if choices:
        return all(suggest_value(v, choices) is not None for v in values)
    if "email" in column:
        return all("@" in v for v in values)
    if "phone" in column or column == "dialled_number":
        return all(len(re.sub(r"\D", "", v)) >= 7 and not _DATE.match(v) for v in values)
    if column.endswith("_at"):
        return all(_DATE.match(v) for v in values)
    if column.endswith("_s") or column in ("score", "agent_replies"):
        return all(_NUMBER.match(v) for v in values)
    return False


def suggest_columns(table: str, headers: list[str], sample: dict[str, list[str]]) -> dict[str, str]:
    """canonical column of ``table`` → suggested source header (module docstring's rule)."""
    t = TABLES[table]
    scored: list[tuple[float, int, str, str]] = []
    for order, c in enumerate(t.columns):
        if c.name == "customer_phone":  # derived from customer_phone_raw
            continue
        for h in headers:
            score = _header_score(c.name, h)
            if _values_fit(c.name, c.choices, sample.get(h, [])):
                score += 0.3
            if score >= MIN_SCORE:
                scored.append((score, -order, c.name, h))
    out: dict[str, str] = {}
    used: set[str] = set()
    for _score, _order, column, header in sorted(scored, reverse=True):
        if column not in out and header not in used:
            out[column] = header
            used.add(header)
    return {c.name: out[c.name] for c in t.columns if c.name in out}


def suggest_value(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice a source value stands for (equal when loose, or a synonym), else None."""
    v = loose(value)
    by_loose = {loose(c): c for c in choices}
    if v in by_loose:
        return by_loose[v]
    hit = VALUE_SYNONYMS.get(v)
    return hit if hit in choices else None


def suggest_values(values: pl.Series, choices: tuple[str, ...]) -> tuple[dict[str, str | None], dict[str, int]]:
    """(each distinct trimmed value → suggested choice or None, value → rows), most rows first.
    A value already a choice (any case) maps to itself."""
    counts = values.cast(pl.String).drop_nulls().str.strip_chars().value_counts(sort=True)
    rows = {r[0]: int(r[1]) for r in counts.iter_rows() if r[0]}
    return {v: suggest_value(v, choices) for v in rows}, rows


def unmapped_rows(values: dict[str, str | None], rows: dict[str, int]) -> int:
    """Rows whose value maps to no choice (they would be quarantined)."""
    return sum(rows[v] for v, choice in values.items() if choice is None)
