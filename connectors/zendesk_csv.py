"""Zendesk Support admin CSV export (docs/vendor-formats.md#zendesk-admin-csv-export): one row per ticket.

Detected by the headers ``Id`` (or ``ID``), ``Via``, ``Requester email`` and ``Created at``
(headers compared case-insensitively). Mapping (rules shared with the API formats in
connectors/_zendesk.py):

- ``Id`` → source_id; ``Requester id`` → customer_ref; ``Requester email`` → customer_email;
  ``Assignee`` → agent; ``Group`` → queue; ``Status`` → status (``Solved`` or ``solved``);
  ``Tags`` → tags (space-separated); ``Subject`` → subject; ``Via`` (human label: ``Mail``, ``Web form``,
  ``Native Messaging``, ``Phone call (outbound)``…) → channel and direction.
- ``Created at``, ``Updated at``, ``Solved at`` are local times without an offset, in the
  account's time zone: they are read in the upload's zone.
- ``First reply time in minutes`` / ``Full resolution time in minutes`` (calendar minutes) give
  first_reply_at and, without ``Solved at``, resolved_at; ``Replies`` → agent_replies;
  ``Group stations`` > 1 → is_transferred.
- Custom fields are ``Title [type]`` columns whose empty value is ``-`` (any ``-`` cell counts as
  empty). The Time Tracking field ``Total time spent (sec)`` (with or without a type suffix) →
  handle_s, in seconds.
- ``Satisfaction Score`` ``Good``/``Bad`` → a csat row (``ticket-<id>``, responded at ``Updated
  at``); ``Offered``/``Not Offered`` are not responses.

The export excludes deleted tickets, so every row is a contact or a quarantined row.
"""

from __future__ import annotations

import re

import polars as pl

import connectors._zendesk as zd
from connectors.base import Parsed, ReadContext, SourceFile, norm_header
from connectors.textfile import read_delimited

NAME = "zendesk_csv"
COLUMNS = {
    "id": "source_id",
    "requester_id": "customer_ref",
    "requester_email": "customer_email",
    "assignee": "agent",
    "group": "queue",
    "tags": "tags",
    "subject": "subject",
    "status": "status",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "solved_at": "_solved_at",
    "first_reply_time_in_minutes": "_reply_min",
    "full_resolution_time_in_minutes": "_full_min",
    "replies": "agent_replies",
    "group_stations": "_group_stations",
    "satisfaction_score": "_csat_score",
    "total_time_spent_(sec)": "handle_s",
}
_NEEDED = {"id", "via", "requester_email", "created_at"}
_TYPE_SUFFIX = re.compile(r"\s*\[[a-z]+\]\s*$", re.IGNORECASE)


def _key(header: str) -> str:
    """Header comparison key without a custom-field type suffix (``[int]``, ``[list]``…)."""
    return norm_header(_TYPE_SUFFIX.sub("", header))


def detect(f: SourceFile) -> str | None:
    keys = {_key(h) for h in f.header()}
    return "Zendesk admin CSV export (Id, Via, Requester email, Created at)" if _NEEDED <= keys else None


def _cell(header: str) -> pl.Expr:
    """The column's text without surrounding spaces; ``-`` (an empty custom field) and blanks null."""
    text = pl.col(header).str.strip_chars()
    return pl.when(text.is_in(["-", ""])).then(None).otherwise(text)


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    raw, warnings = read_delimited(f)
    by_key: dict[str, str] = {}
    for h in raw.columns:
        by_key.setdefault(_key(h), h)
    frame = raw.select(
        pl.col(by_key["via"]).str.strip_chars().alias("_via"),
        *[_cell(by_key[k]).alias(c) for k, c in COLUMNS.items() if k in by_key],
        "source_row",
    )
    # A file holds a handful of distinct Via labels: apply the rules once per label, not per row.
    vias = frame["_via"].drop_nulls().unique().to_list()
    channels = {v: zd.channel_of(v) for v in vias}
    outbound = {v: zd.says_outbound(v) for v in vias}
    frame = frame.with_columns(
        pl.col("_via").replace_strict(channels, default=None, return_dtype=pl.String).alias("channel"),
        pl.when(pl.col("_via").replace_strict(outbound, default=False, return_dtype=pl.Boolean))
        .then(pl.lit("outbound"))
        .otherwise(pl.lit("inbound"))
        .alias("direction"),
        pl.col("tags").str.split(" ").list.eval(pl.element().filter(pl.element() != "")).alias("tags")
        if "tags" in frame.columns
        else pl.lit([], dtype=pl.List(pl.String)).alias("tags"),
    )
    unknown = frame.filter(pl.col("channel").is_null())
    rejects = [
        zd.reject(r, "channel", "Via is empty", v or "", record_id=i)
        for r, v, i in unknown.select("source_row", "_via", "source_id").rows()
    ]
    frame = frame.select(
        [pl.col(c) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in zd.FRAME_SCHEMA.items()]
    )
    return zd.finish(frame, rejects, raw.height, ctx, warnings)
