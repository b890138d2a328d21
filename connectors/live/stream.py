"""One pulled stream (Zendesk tickets, Twilio calls, a SQL table…) and the step that loads its next page.

A stream module defines a :class:`Stream` subclass with ``fetch(cursor) -> Page``: the records of
the page after ``cursor`` and the cursor after them. :func:`step` loads them through the stream's
connector and saves the new cursor **in the same transaction** (store/live.py), so a puller killed
at any moment resumes at the first page not committed: no gap, and no record counted twice (a
page fetched again collapses onto its stored rows). The store is opened only to read the cursor
the first time and to write a page, never while a request is waiting on the vendor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from connectors.live.config import SourceConfig
from connectors.live.loading import load_records, load_rows
from store import live
from store.db import open_store, write_transaction
from store.write import IngestResult

STORE_WAIT_S = 30.0


@dataclass
class Page:
    """What one fetch read: records for the connector (or CSV rows for a mapping), the cursor after
    them, whether more pages are waiting now, the watermark reached, and a one-line summary."""

    records: list[Any]
    cursor: dict[str, Any]
    more: bool
    watermark_at: datetime | None = None
    summary: str = ""
    header: list[str] | None = None  # CSV rows (SQL): the column names
    mapping: dict[str, Any] | None = None
    wait_s: float | None = None  # a pause the vendor asked for (rate-limit headers) before the next request
    extra: dict[str, Any] = field(default_factory=dict)


class Stream:
    """Base of the pulled streams. ``stream`` names it within its source; ``module`` is the connector
    that reads its records (None for CSV rows read through a column mapping)."""

    stream: str = ""
    kind_label: str = ""
    module: ModuleType | None = None
    min_request_interval_s: float = 0.0
    db: str | Path | None = None  # the store, set by :func:`step` (a reader may need a saved mapping)
    # time.monotonic() when the last fetch's answer was in, set by :func:`step`: the next request is
    # spaced from it, so the vendor sees requests at least min_request_interval_s apart whatever the
    # connect and send took (spaced from when a request began, a slow first connect shortened the gap)
    answered_at: float = float("-inf")

    def __init__(self, source: SourceConfig) -> None:
        self.source = source
        self.min_request_interval_s = float(source.setting("min_request_interval_s", self.min_request_interval_s))

    @property
    def name(self) -> str:
        """Ledger ``loaded_by`` and status name: ``pull:<source>/<stream>``."""
        return f"pull:{self.source.name}/{self.stream}"

    @property
    def kind(self) -> str:
        return self.kind_label or self.source.kind

    def start_cursor(self) -> dict[str, Any]:
        raise NotImplementedError

    def fetch(self, cursor: dict[str, Any]) -> Page:
        raise NotImplementedError

    def cursor_text(self, cursor: dict[str, Any]) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(cursor.items()) if v is not None)[:300]


@dataclass
class Position:
    """A stream's cursor as last committed (None: not read from the store yet)."""

    cursor: dict[str, Any] | None = None


def current(stream: Stream, pos: Position, db: str | Path | None) -> dict[str, Any]:
    if pos.cursor is None:
        with open_store(db, wait_s=STORE_WAIT_S) as con:
            pos.cursor = live.get_cursor(con, stream.source.name, stream.stream) or stream.start_cursor()
    return pos.cursor


def step(stream: Stream, pos: Position, db: str | Path | None) -> tuple[Page, IngestResult | None]:
    """Fetch the page after the committed cursor and commit its rows with the new cursor."""
    stream.db = db
    cursor = current(stream, pos, db)
    page = stream.fetch(cursor)
    stream.answered_at = time.monotonic()
    text = page.summary or stream.cursor_text(page.cursor)

    def save(con: duckdb.DuckDBPyConnection, _ingest_id: int | None = None) -> None:
        live.put_cursor(con, stream.source.name, stream.stream, page.cursor, page.watermark_at)
        live.report(con, stream.name, stream.kind, ok=True, cursor_text=text, watermark_at=page.watermark_at)

    result = None
    with open_store(db, wait_s=STORE_WAIT_S) as con:
        if not page.records:
            with write_transaction(con):
                save(con)
        elif page.mapping is not None:
            result = load_rows(
                con, _file_name(stream), page.header or [], page.records, page.mapping, stream.name, save
            )
        else:
            result = load_records(con, stream.module, _file_name(stream), page.records, stream.name, save)
    pos.cursor = page.cursor
    return page, result


def _file_name(stream: Stream) -> str:
    return f"{stream.name.replace(':', '-').replace('/', '-')}-{live.utc_now():%Y%m%dT%H%M%S.%fZ}.ndjson"


class Broken(Stream):
    """A source whose settings cannot be used: it stops at its first step with the reason."""

    stream = "config"

    def __init__(self, source: SourceConfig, reason: str) -> None:
        super().__init__(source)
        self.reason = reason

    def start_cursor(self) -> dict[str, Any]:
        return {}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        from connectors.live.config import ConfigError

        raise ConfigError(self.reason)
