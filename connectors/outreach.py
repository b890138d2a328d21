"""Helpers shared by the outreach connectors (Twilio Messaging, WhatsApp Cloud, SendGrid,
Mailchimp); not a connector itself.

Every outreach connector turns each input record (a message, a status event, an email event,
an activity) into exactly one of:
- a ``notifications`` row (canonical column names, text values; :func:`conform` casts them).
  ``campaign`` keeps every value the vendor lists (SendGrid categories, Mailchimp tags, WhatsApp
  callback data lists): a recall's match rules test each one;
- a *folded* record: a vendor event that is not a notification status (queued, deferred, a
  machine open…); counted in ``Parsed.rows_folded`` and summed up in a warning;
- a reject with the record number, the column and a vendor-specific reason.
So ``rows_read`` = rows + folded + rejected records, as the store requires. A file in which no
event names a campaign carries no match-rule column, so conform may give it the only recall.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile, Unreadable
from connectors.conform import conform
from connectors.textfile import TooLong
from store.schema import TABLES

TABLE = "notifications"
_COLUMNS = TABLES[TABLE].names


def as_text(value: object) -> str | None:
    """A JSON scalar as text (numbers as written, booleans lower-case); None for null/empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def as_list(value: object) -> list[str]:
    """Every value a vendor field lists, as text: a string is one value; a list gives each item (a
    tag object ``{"id", "name"}`` gives its name; nested lists are opened up); empty items dropped,
    repeats removed, order kept."""
    if isinstance(value, list):
        items = [x for v in value for x in as_list(v)]
    elif isinstance(value, dict):
        items = as_list(value.get("name"))
    else:
        items = [t] if (t := as_text(value)) else []
    return list(dict.fromkeys(items))


def raw_json(record: object) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)


@dataclass
class Events:
    """One file's records as they are sorted into rows, folded records and rejects."""

    vendor: str
    rows: list[dict[str, str | None]] = field(default_factory=list)
    rejects: list[dict[str, object]] = field(default_factory=list)
    folded: Counter[str] = field(default_factory=Counter)
    read: int = 0
    warnings: list[str] = field(default_factory=list)

    def next_record(self) -> int:
        """Count one more input record and return its number (1-based)."""
        self.read += 1
        return self.read

    def add(self, source_row: int, **values: object) -> None:
        """One notifications row; ``campaign`` may be one value or a list (:func:`as_list`)."""
        row = {c: values.get(c) for c in _COLUMNS}
        row["campaign"] = as_list(row["campaign"]) or None
        self.rows.append({"source_row": source_row, **row})

    def fold(self, why: str) -> None:
        self.folded[why] += 1

    def reject(self, source_row: int, column: str, reason: str, raw: object) -> None:
        if isinstance(raw, TooLong):  # a record over the JSON record cap, never parsed: say so
            column, reason = "_record", raw.reason
        text = raw if isinstance(raw, str) else raw_json(raw)
        self.rejects.append({"source_row": source_row, "column_name": column, "reason": reason, "raw": text})

    def parsed(self, f: SourceFile, ctx: ReadContext) -> Parsed:
        """The file's :class:`Parsed` (conformed rows + all rejects); Unreadable when the file
        held no record at all."""
        if self.read == 0:
            raise Unreadable(f"{f.name}: no {self.vendor} records found")
        schema = {"source_row": pl.Int64, **{c: pl.String for c in _COLUMNS}, "campaign": pl.List(pl.String)}
        frame = pl.DataFrame(self.rows, schema=schema)
        if frame["campaign"].null_count() == frame.height:  # no match-rule value: conform may use the only recall
            frame = frame.drop("campaign")
        typed, rejects = conform(TABLE, frame, ctx)
        own = pl.DataFrame(self.rejects, schema=REJECT_SCHEMA)
        warnings = list(self.warnings)
        if self.folded:
            detail = ", ".join(f"{n} {why}" for why, n in sorted(self.folded.items()))
            total = sum(self.folded.values())
            warnings.append(f"{f.name}: {total} {self.vendor} records folded (not notification events): {detail}")
        return Parsed(
            TABLE,
            {TABLE: typed},
            rows_read=self.read,
            rows_folded=sum(self.folded.values()),
            rejects=pl.concat([own, rejects]),
            warnings=warnings,
        )
