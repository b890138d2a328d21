"""Genesys Cloud UI export, Performance › Workspace › Interactions view (CSV).

One row per conversation (source ``genesys``, source_id ``Conversation ID``, the same key as the
conversation details JSON). Headers are matched without case, spaces, ``_`` or ``-``; columns this
connector does not know are ignored. **All metric columns are milliseconds**.
- ``Date`` → created_at, in the exporting user's zone (the upload's zone). The UI writes the
  user's locale: ``3/5/24 9:22 AM`` (two-digit year) in the US, day first elsewhere; the order is
  decided by the column's values, else as the upload says (connectors/conform.py, read_times).
- ``Direction`` Inbound → inbound, Outbound → outbound, ``Inbound/Outbound`` (callbacks) → inbound.
- ``Media Type`` voice/callback → phone, chat, email, message → chat (sms/whatsapp are not told
  apart in this export), video/cobrowse/screenshare → web; any other (``workitem``…) → other.
- ``Abandoned``/``Transferred`` YES/NO; ``Total Queue`` → wait_s, ``Total Talk`` → talk_s,
  ``Total Hold`` → hold_s, ``Total ACW`` → wrap_s, ``Total Handle`` → handle_s; without a
  ``Total Handle``, handle_s = talk + hold + ACW (hold and ACW 0 when empty) for every media type.
- ``First Queue`` (else ``Queue``) → queue; the last of ``Users - Interacted`` → agent;
  ``Wrap-up`` → reason; ``Disconnect Type`` → status; ``ANI``/``DNIS`` when exported.
- The export has no answer time and no version stamp (updated_at stays empty).
"""

from __future__ import annotations

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, norm_header
from connectors.conform import conform
from connectors.textfile import read_delimited
from connectors.values import normalize_phones

NAME = "genesys_csv"
_MEDIA = {"voice": "phone", "callback": "phone", "chat": "chat", "email": "email", "message": "chat"}
_MEDIA |= {"video": "web", "cobrowse": "web", "screenshare": "web"}
_DIRECTION = {"inbound": "inbound", "outbound": "outbound", "inbound/outbound": "inbound"}
_MS = {"total_queue": "wait_s", "total_talk": "talk_s", "total_hold": "hold_s", "total_acw": "wrap_s"}
_MS |= {"total_handle": "handle_s"}
_TEXT = {"conversation_id": "source_id", "wrap_up": "reason", "disconnect_type": "status", "ani": "customer_phone_raw"}


def detect(f: SourceFile) -> str | None:
    cols = {norm_header(h) for h in f.header()}
    if "conversation_id" in cols and cols & {"media_type", "total_handle", "users_interacted"}:
        return "header has Conversation ID and Media Type/Total Handle (Genesys Cloud interactions export)"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    frame, warnings = read_delimited(f)
    by_key = {norm_header(c): c for c in reversed(frame.columns) if c != "source_row"}  # first header wins

    def col(key: str) -> pl.Expr:
        return pl.col(by_key[key]) if key in by_key else pl.lit(None, dtype=pl.String)

    yes = {"YES": "true", "NO": "false", "Y": "true", "N": "false"}
    out = frame.select(
        pl.lit("genesys").alias("source"),
        *[col(k).alias(v) for k, v in _TEXT.items()],
        col("date").alias("created_at"),
        col("direction").str.to_lowercase().replace(_DIRECTION).alias("direction"),
        col("media_type").str.strip_chars().str.to_lowercase().replace_strict(_MEDIA, default="other").alias("channel"),
        col("abandoned").str.to_uppercase().replace(yes).alias("is_abandoned"),
        col("transferred").str.to_uppercase().replace(yes).alias("is_transferred"),
        pl.coalesce(col("first_queue").replace("", None), col("queue")).alias("queue"),
        col("users_interacted").str.split(",").list.last().str.strip_chars().alias("agent"),
        col("dnis").alias("dnis"),
        *[col(k).alias(v) for k, v in _MS.items()],
        "source_row",
    )
    # ms → s rounded to the ms (× 0.001 leaves 123.32000000000001); non-numbers stay for conform to report
    seconds = [
        (pl.col(v).str.strip_chars().cast(pl.Float64, strict=False) / 1000)
        .round(3)
        .cast(pl.String)
        .fill_null(pl.col(v))
        for v in _MS.values()
    ]
    dialled = normalize_phones(out["dnis"].str.replace(r"^tel:", ""), ctx.country).alias("dialled_number")
    out = out.with_columns(*seconds, dialled).drop("dnis")
    number = {c: pl.col(c).cast(pl.Float64, strict=False) for c in ("talk_s", "hold_s", "wrap_s")}
    parts = number["talk_s"] + number["hold_s"].fill_null(0) + number["wrap_s"].fill_null(0)
    out = out.with_columns(pl.coalesce(pl.col("handle_s"), parts.round(3).cast(pl.String)).alias("handle_s"))
    typed, rejects = conform("contacts", out, ctx)
    return Parsed("contacts", {"contacts": typed}, rows_read=frame.height, rejects=rejects, warnings=warnings)
