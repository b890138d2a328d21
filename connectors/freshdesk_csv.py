"""Freshdesk ticket export (Tickets list › Export), CSV or Excel (.xlsx) → contacts (+ csat).

Detected by the English export labels: ``Ticket ID`` with one of ``Created time``, ``Time tracked``,
``Initial response time``, ``Agent interactions``, ``Resolution status``, ``First response status``,
``Last update time``; a Zendesk header (``Via``, ``Requester email``) is never claimed. Headers are
matched case-insensitively (spaces/underscores alike); both layouts are read by
connectors.textfile.read_table (a row with more cells than the header is quarantined). Freshservice
exports (``Requester Email``) are not Freshdesk and are not claimed. A translated export
(``ID del ticket``…) is claimed and refused with a message asking for an English export: translated
labels are not guessed.

Mapping (source ``freshdesk``, source_id = ``Ticket ID``):
- channel/direction from ``Source``: Email, Outbound Email (→ outbound), Portal, Feedback Widget,
  Forum, Mobihelp → web, Phone, Chat, Twitter/Facebook/Instagram → social, WhatsApp, SMS. Any other
  label (newer sources, e-commerce or integration apps) → channel ``other``, inbound.
- status: Open → open, Pending → pending, Resolved → solved, Closed → closed; a custom status name
  → open (a warning lists them; ``reason`` keeps ``Type``, not the status).
- ``Created time`` → created_at; ``Initial response time`` (a timestamp, not a duration) →
  first_reply_at, else ``Created time`` + ``First response time (in hrs)`` (``HH:MM:SS``, business
  hours, so a warning says so); ``Resolved time``, else ``Closed time`` → resolved_at;
  ``Last update time`` / ``Last updated time`` → updated_at. Times carry no offset: read in the
  upload's zone.
- ``Time tracked`` (``HH:MM`` or ``HH:MM:SS``, hours may exceed 24) → handle_s; a value without a
  colon is quarantined (the unit would be a guess). ``-`` counts as empty.
- ``Agent`` → agent, ``Group`` → queue, ``Type`` → reason, ``Tags`` (comma-separated in one cell,
  tags may contain spaces) → tags, ``Agent interactions`` → agent_replies, ``Email`` →
  customer_email, ``Work phone`` else ``Mobile phone`` → customer_phone_raw, ``Contact ID`` →
  customer_ref, ``Subject`` → subject.
- ``Survey results`` (when non-empty) → a csat row ``ticket:<id>`` on a 1–5 scale: Awesome /
  Extremely happy 5, Very happy / Happy 4, Just okay / Neutral 3, Unhappy / Very unhappy 2,
  Not good / Extremely unhappy 1 [labels: verify against a real export]. The export has no answer
  time, so responded_at is the ticket's last update (else resolved, closed). An unknown answer is
  quarantined for the csat only; the ticket row is kept.
"""

from __future__ import annotations

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile, Unreadable, norm_header
from connectors.conform import conform, read_times
from connectors.textfile import EXTRA, read_table
from connectors.values import parse_seconds

NAME = "freshdesk_csv"
SOURCE = "freshdesk"

# Source label (lower case) → (channel, direction); freshdesk_json maps its codes to these labels.
SOURCES: dict[str, tuple[str, str]] = {
    "email": ("email", "inbound"),
    "outbound email": ("email", "outbound"),
    "portal": ("web", "inbound"),
    "feedback widget": ("web", "inbound"),
    "forum": ("web", "inbound"),
    "mobihelp": ("web", "inbound"),
    "phone": ("phone", "inbound"),
    "chat": ("chat", "inbound"),
    "twitter": ("social", "inbound"),
    "facebook": ("social", "inbound"),
    "instagram": ("social", "inbound"),
    "whatsapp": ("whatsapp", "inbound"),
    "sms": ("sms", "inbound"),
}
STATUSES = {"open": "open", "pending": "pending", "resolved": "solved", "closed": "closed"}
SURVEY = {
    "awesome": 5,
    "extremely happy": 5,
    "very happy": 4,
    "happy": 4,
    "just okay": 3,
    "neutral": 3,
    "unhappy": 2,
    "very unhappy": 2,
    "not good": 1,
    "extremely unhappy": 1,
}
_DISTINCT = {
    "created_time",
    "time_tracked",
    "initial_response_time",
    "agent_interactions",
    "resolution_status",
    "first_response_status",
    "last_update_time",
    "last_updated_time",
}
_FOREIGN = {"via", "requester_email"}  # Zendesk / Freshservice
_TRANSLATED = {"id_del_ticket", "estado_de_resolucion"}


def detect(f: SourceFile) -> str | None:
    heads = {norm_header(h) for h in f.header()}
    if heads & _FOREIGN:
        return None
    if "ticket_id" in heads and heads & _DISTINCT:
        return f"Freshdesk export header (Ticket ID, {', '.join(sorted(heads & _DISTINCT))})"
    if heads & _TRANSLATED:
        return "Freshdesk export with translated headers"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    frame, warnings = read_table(f)
    cols: dict[str, str] = {}
    for c in frame.columns:
        if c == EXTRA:
            continue
        cols.setdefault(norm_header(c), c)
    if set(cols) & _TRANSLATED:
        raise Unreadable(f"{f.name}: Freshdesk export with translated headers; export it again in English")
    missing = [label for key, label in _NEEDED.items() if key not in cols]
    if missing:
        raise Unreadable(f"{f.name}: Freshdesk export without {', '.join(missing)} column(s)")

    def text(*keys: str) -> pl.Expr:
        present = [pl.col(cols[k]).str.strip_chars().replace({"": None, "-": None}) for k in keys if k in cols]
        return pl.coalesce(present) if present else pl.lit(None, pl.String)

    raw = frame.select(
        "source_row",
        text("ticket_id").alias("source_id"),
        text("source").alias("_source"),
        text("status").alias("_status"),
        text("created_time").alias("created_at"),
        text("initial_response_time").alias("_initial"),
        text("first_response_time_(in_hrs)").alias("_frt"),
        text("resolved_time", "closed_time").alias("resolved_at"),
        text("last_update_time", "last_updated_time").alias("updated_at"),
        text("time_tracked").alias("_tracked"),
        text("agent").alias("agent"),
        text("group").alias("queue"),
        text("type").alias("reason"),
        text("tags").alias("_tags"),
        text("agent_interactions").alias("agent_replies"),
        text("email").alias("customer_email"),
        text("work_phone", "mobile_phone").alias("customer_phone_raw"),
        text("contact_id").alias("customer_ref"),
        text("subject").alias("subject"),
        text("survey_results").alias("_survey"),
        *([pl.col(EXTRA)] if EXTRA in frame.columns else []),
    )
    rejects: list[dict] = []
    label = pl.col("_source").str.to_lowercase()
    raw = raw.with_columns(
        pl.when(label.is_not_null() & (label.str.strip_chars() != ""))
        .then(label.replace_strict({k: v[0] for k, v in SOURCES.items()}, default="other"))
        .alias("channel"),
        label.replace_strict({k: v[1] for k, v in SOURCES.items()}, default="inbound").alias("direction"),
        pl.col("_tags")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("tags"),
        pl.lit(SOURCE).alias("source"),
    )
    tracked_bad = pl.col("_tracked").is_not_null() & ~pl.col("_tracked").str.contains(":")
    for r in raw.filter(tracked_bad).iter_rows(named=True):
        reason = "Time tracked must be HH:MM[:SS]"
        rejects.append(_reject(r["source_row"], "Time tracked", reason, r["_tracked"], r["source_id"]))
    raw = raw.with_columns(pl.when(~tracked_bad).then(pl.col("_tracked")).alias("handle_s"))
    raw = _status(raw, warnings)
    raw = _first_reply(raw, ctx, warnings)
    if rejects:
        raw = raw.filter(~pl.col("source_row").is_in([r["source_row"] for r in rejects]))
    contacts, bad = conform("contacts", raw, ctx)
    csat, bad_csat = _csat(raw, ctx)
    tables = {"contacts": contacts} | ({"csat": csat} if csat.height else {})
    all_rejects = pl.concat([pl.DataFrame(rejects, schema=REJECT_SCHEMA), bad, bad_csat])
    return Parsed("contacts", tables, rows_read=frame.height, rejects=all_rejects, warnings=warnings)


_NEEDED = {"ticket_id": "Ticket ID", "created_time": "Created time", "source": "Source"}


def _reject(row: int, column: str, reason: str, value: object, record_id: str | None = None) -> dict:
    raw = "" if value is None else str(value)
    return {"source_row": row, "column_name": column, "reason": reason, "raw": raw, "record_id": record_id}


def _status(raw: pl.DataFrame, warnings: list[str]) -> pl.DataFrame:
    label = pl.col("_status").str.to_lowercase()
    custom = raw.filter(pl.col("_status").is_not_null() & ~label.is_in(list(STATUSES)))["_status"].unique().sort()
    if custom.len():
        warnings.append(f"Freshdesk custom statuses read as open: {', '.join(custom.to_list())}")
    return raw.with_columns(
        pl.when(pl.col("_status").is_not_null()).then(label.replace_strict(STATUSES, default="open")).alias("status")
    )


def _first_reply(raw: pl.DataFrame, ctx: ReadContext, warnings: list[str]) -> pl.DataFrame:
    """Initial response time, else Created time + First response time (business hours)."""
    created = read_times("created_at", raw["created_at"], ctx).cast(pl.Int64)
    micros = (parse_seconds(raw["_frt"]) * 1_000_000).cast(pl.Int64)
    fallback = (created + micros).cast(pl.Datetime("us")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    used = raw["_initial"].is_null() & fallback.is_not_null()
    if used.any():
        warnings.append(
            f"first reply of {used.sum()} ticket(s) computed as Created time + First response time (in hrs), "
            "which counts business hours only"
        )
    return raw.with_columns(first_reply_at=pl.coalesce(raw["_initial"], fallback))


def _csat(raw: pl.DataFrame, ctx: ReadContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    answered = raw.filter(pl.col("_survey").is_not_null())
    if not answered.height:
        return pl.DataFrame(), pl.DataFrame(schema=REJECT_SCHEMA)
    score = pl.col("_survey").str.to_lowercase().replace_strict(SURVEY, default=None, return_dtype=pl.Float64)
    unknown = answered.filter(score.is_null()).select(
        "source_row",
        pl.lit("Survey results").alias("column_name"),
        pl.lit("unknown Freshdesk survey answer; ticket kept without a csat row").alias("reason"),
        pl.col("_survey").alias("raw"),
        pl.col("source_id").alias("record_id"),
    )
    frame = answered.filter(score.is_not_null()).select(
        "source_row",
        pl.lit(SOURCE).alias("source"),
        ("ticket:" + pl.col("source_id")).alias("source_id"),
        pl.col("source_id").alias("contact_source_id"),
        pl.coalesce("updated_at", "resolved_at").alias("responded_at"),
        score.alias("score"),
        pl.lit("1-5").alias("scale"),
        *([pl.col(EXTRA)] if EXTRA in raw.columns else []),
    )
    csat, bad = conform("csat", frame, ctx)
    return csat, pl.concat([unknown, bad])
