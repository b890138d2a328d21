"""What a reader hands the store for one file (or one part of it): the canonical frames, how many
input records they came from, and the records it could not use (store/write.py writes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl

# A quarantined record: its row (or record number), the column at fault, why, its raw text, and the
# record's own id (ticket id, ContactId, CallSid, sg_event_id, wamid, serial) when it has one.
REJECT_SCHEMA = {
    "source_row": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "raw": pl.String,
    "record_id": pl.String,
}
# Keys that hold a vendor record's own id, in the order they are looked for in a rejected record's JSON
# (:func:`record_id_of`). Never a customer's id (Salesforce's ContactId is read from CSV: no JSON).
ID_KEYS = (
    "sg_event_id",
    "ContactId",
    "conversationId",
    "sid",
    "CallSid",
    "MessageSid",
    "id",
    "ticket_id",
    "CaseNumber",
    "serial",
    "unit_id",
    "source_id",
    "sg_message_id",
)


def record_id_of(raw: str | None) -> str | None:
    """The record's own id found in ``raw`` when it is a JSON object (:data:`ID_KEYS`, first found;
    a nested ``statuses``/``messages`` item is not searched); else None."""
    if not raw or not raw.lstrip().startswith("{"):
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    for key in ID_KEYS:
        value = record.get(key)
        if value is not None and not isinstance(value, (dict, list, bool)) and str(value).strip():
            return str(value).strip()
    return None


def as_rejects(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the :data:`REJECT_SCHEMA` columns (missing ones null), and
    ``record_id``, where empty, found in the raw record (:func:`record_id_of`)."""
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in REJECT_SCHEMA.items() if c not in frame.columns]
    frame = frame.with_columns(missing).select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)
    todo = frame["record_id"].is_null() & frame["raw"].str.starts_with("{").fill_null(False)
    if todo.any():
        found = [record_id_of(r) for r in frame["raw"].filter(todo).to_list()]
        frame = frame.with_columns(frame["record_id"].scatter(todo.arg_true(), pl.Series(found, dtype=pl.String)))
    return frame


@dataclass
class Parsed:
    """What a connector read. ``primary`` is the table whose records the ledger counts and
    ``rows_read`` the number of input records: each is a row of ``tables[primary]`` (several rows
    with one natural key are allowed; the newest wins), is counted in ``rows_folded``, or has an
    entry in ``rejects``.

    ``refreshed``: rows of records an earlier file loaded that this file changes (a call whose
    child leg arrives now is folded again): written with the file, in its transaction (undo brings
    the earlier version back), but not counted in its ledger row. Only a file read whole has them."""

    primary: str
    tables: dict[str, pl.DataFrame]
    rows_read: int
    rows_folded: int = 0  # input records merged into another (child call legs); ledger: unchanged
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    warnings: list[str] = field(default_factory=list)
    refreshed: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rejects = as_rejects(self.rejects)
