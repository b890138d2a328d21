"""Zendesk Support rules shared by the zendesk_* connectors (docs/vendor-formats.md#zendesk-support).

Every ticket becomes one ``contacts`` row with ``source = "zendesk"`` and ``source_id`` = the
ticket id. The format modules turn their records into a frame of *text* columns named below;
:func:`finish` derives the rest and hands it to :func:`connectors.conform.conform`.

- channel: ``via.channel`` (API string or integer via id) or the CSV ``Via`` label, by
  :func:`channel_of`: voice/phone/call/voicemail → phone; whatsapp; sms/text; twitter, facebook,
  instagram… → social; chat and native messaging → chat; mail → email; ``Closed ticket`` (a
  follow-up created when the customer writes to a closed ticket, by email) → email; web form,
  web widget, feedback tab, mobile SDK, help centre → web. Every other value Zendesk reports —
  ``api`` / ``web_service`` (tickets an integration created), ``any_channel`` (Channel framework
  integrations), ``rule``, ``sample_ticket``, ticket sharing, batch, an unknown via id — is channel
  ``other``: loaded, and shown as "other", never counted as web. An empty ``Via`` is quarantined.
- direction: outbound when Zendesk says so (via label or ``via.source.rel`` containing
  "outbound", via ids 35/46); the API formats also call a ticket outbound when an agent or admin
  (sideloaded ``users[].role``) submitted it for another requester through the agent interface
  (``via.channel = web``). Otherwise inbound.
- status is lower-cased (the CSV writes ``Solved``).
- first_reply_at = created_at + first reply time (calendar minutes); resolved_at, only for
  solved/closed tickets, = the solve stamp, else created_at + full resolution time (minutes).
- A ticket seen more than once (the time-based incremental export repeats tickets) is kept in
  its newest version (``updated_at``, then the later record); the older copies are folded.
- is_transferred when the ticket went through more than one group (``group_stations > 1``).
- A ticket's own satisfaction (good/bad) becomes a secondary ``csat`` row keyed
  ``ticket-<id>`` (legacy CSAT keeps one current rating per ticket, so the satisfaction-ratings
  connector uses the same key and a rating is never counted twice); ``offered``/``unoffered``
  are not responses. Its time is the rating's ``updated_at`` when known, else the ticket's.
"""

from __future__ import annotations

import json
import re

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext
from connectors.conform import conform, read_times

SOURCE = "zendesk"
# Text columns a format module may fill (canonical names, plus the helpers starting with "_").
CONTACT_TEXT = (
    *"source_id channel direction created_at updated_at status agent queue dialled_number".split(),
    *"customer_email customer_phone_raw customer_ref handle_s agent_replies subject".split(),
    "_reply_min",  # first reply time, calendar minutes
    "_full_min",  # full resolution time, calendar minutes
    "_solved_at",  # latest solve stamp
    "_group_stations",
    "_csat_score",  # "good" / "bad" (any case); other values are not responses
    "_csat_at",
)
FRAME_SCHEMA: dict[str, pl.DataType] = {
    **{c: pl.String() for c in CONTACT_TEXT},
    "tags": pl.List(pl.String()),
    "source_row": pl.Int64(),
}
_NUMBERS = {  # helper column: (the canonical column it feeds, what it is)
    "_reply_min": ("first_reply_at", "first reply time in minutes"),
    "_full_min": ("resolved_at", "full resolution time in minutes"),
    "_group_stations": ("is_transferred", "group stations"),
}

_VIA_IDS = {
    0: "web",
    4: "email",
    5: "other",
    17: "web",
    23: "social",
    26: "social",
    27: "email",
    29: "chat",
    30: "social",
}
_VIA_IDS |= {33: "phone", 34: "phone", 35: "phone", 38: "social", 41: "social", 44: "phone", 45: "phone"}
_VIA_IDS |= {46: "phone", 48: "web", 49: "web", 50: "web", 56: "web", 57: "sms"}
_OUTBOUND_VIA_IDS = {35, 46}
_CHANNEL_WORDS = (  # first match wins, on the lower-cased label with "_" as spaces
    (r"whatsapp", "whatsapp"),
    (r"\b(sms|text)\b", "sms"),
    (r"voice|phone|\bcall|\bcti\b|\btalk\b", "phone"),
    (r"twitter|facebook|instagram|messenger|tweet|linkedin|wechat|\bline\b|\bx\b", "social"),
    (r"chat|messaging", "chat"),
    (r"closed ticket", "email"),
    (r"mail", "email"),
    (r"\bapi\b|web service", "other"),  # created by an integration through the API
    (r"web|form|widget|feedback tab|dropbox|sdk|mobile|help ?cent", "web"),
)


def channel_of(via: object) -> str | None:
    """Canonical channel of a ``via.channel`` value (string or integer id) or a CSV ``Via`` label;
    ``other`` for any value that is none of ours; None when empty."""
    if isinstance(via, bool) or via is None or (isinstance(via, str) and not via.strip()):
        return None
    if isinstance(via, int) or (isinstance(via, str) and via.strip().isdigit()):
        return _VIA_IDS.get(int(via), "other")
    label = str(via).lower().replace("_", " ").strip()
    return next((channel for pattern, channel in _CHANNEL_WORDS if re.search(pattern, label)), "other")


def says_outbound(*values: object) -> bool:
    """True when a via label, ``via.source.rel`` or via id marks an outbound contact."""
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and v in _OUTBOUND_VIA_IDS:
            return True
        if isinstance(v, str) and ("outbound" in v.lower() or v.strip() in {"35", "46"}):
            return True
    return False


def text(v: object) -> str | None:
    """A JSON scalar as text (None stays None; lists and objects are not scalars)."""
    if v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def calendar(metric: object) -> str | None:
    """``{calendar, business}`` minutes (or a bare number) → calendar minutes as text."""
    return text(metric.get("calendar")) if isinstance(metric, dict) else text(metric)


def reject(source_row: int, column: str, reason: str, raw: object, record_id: object = None) -> dict[str, object]:
    """A quarantine entry; ``record_id`` (the ticket id) is found in ``raw`` when it is the ticket."""
    raw_text = raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)
    rid = None if record_id is None else str(record_id)
    return {"source_row": source_row, "column_name": column, "reason": reason, "raw": raw_text[:2000], "record_id": rid}


def _minutes_after(created: pl.Expr, minutes: str) -> pl.Expr:
    return (created + pl.duration(seconds=(pl.col(minutes) * 60).round(0).cast(pl.Int64))).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def finish(
    frame: pl.DataFrame, rejects: list[dict[str, object]], rows_read: int, ctx: ReadContext, warnings: list[str]
) -> Parsed:
    """Contacts (primary) and ticket-embedded csat from a frame of :data:`FRAME_SCHEMA` columns."""
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace({"": None, "-": None}) for c in _NUMBERS)
    for col, (target, label) in _NUMBERS.items():
        bad = frame.filter(pl.col(col).is_not_null() & pl.col(col).cast(pl.Float64, strict=False).is_null())
        reason = f"cannot read {label} as a number"
        rejects += [reject(r, target, reason, v, i) for r, v, i in bad.select("source_row", col, "source_id").rows()]
    rejected = {r["source_row"] for r in rejects}
    frame = frame.filter(~pl.col("source_row").is_in(list(rejected)))
    frame = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in _NUMBERS).with_columns(
        read_times("created_at", frame["created_at"], ctx).alias("_created")
    )
    frame = frame.with_columns(pl.col("status").str.strip_chars().str.to_lowercase())  # CSV: "Solved"
    done = pl.col("status").is_in(["solved", "closed"])
    frame = frame.with_columns(
        pl.lit(SOURCE).alias("source"),
        _minutes_after(pl.col("_created"), "_reply_min").alias("first_reply_at"),
        pl.when(done)
        .then(pl.coalesce("_solved_at", _minutes_after(pl.col("_created"), "_full_min")))
        .alias("resolved_at"),
        (pl.col("_group_stations") > 1).alias("is_transferred"),
    )
    contacts, contact_rejects = conform("contacts", frame.drop([c for c in frame.columns if c.startswith("_")]), ctx)
    before = contacts.height
    if contacts["source_id"].n_unique() < before:  # repeated tickets: keep each one's newest version
        contacts = contacts.sort(["updated_at", "source_row"], descending=True, nulls_last=True).unique(
            "source_id", keep="first", maintain_order=True
        )
    contacts = contacts.sort("source_row")
    if before > contacts.height:
        warnings = [*warnings, f"{before - contacts.height} repeated tickets folded into their newest version"]
    score = pl.col("_csat_score").str.strip_chars().str.to_lowercase()
    csat_in = frame.filter(
        score.is_in(["good", "bad"]) & pl.col("source_row").is_in(contacts["source_row"].implode())
    ).select(
        pl.lit(SOURCE).alias("source"),
        ("ticket-" + pl.col("source_id").str.strip_chars()).alias("source_id"),
        pl.lit(SOURCE).alias("contact_source"),
        pl.col("source_id").alias("contact_source_id"),
        pl.coalesce("_csat_at", "resolved_at", "updated_at").alias("responded_at"),  # solve time: a lower bound
        pl.when(score == "good").then(1.0).otherwise(0.0).alias("score"),
        pl.lit("good_bad").alias("scale"),
        "source_row",
    )
    csat, csat_rejects = conform("csat", csat_in, ctx)
    own = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    return Parsed(
        "contacts",
        {"contacts": contacts, "csat": csat},
        rows_read=rows_read,
        rows_folded=before - contacts.height,
        rejects=pl.concat([own, contact_rejects, csat_rejects]),
        warnings=warnings,
    )


def ticket_row(
    t: dict,
    source_row: int,
    users: dict[str, dict],
    groups: dict[str, str],
    metrics: dict[str, dict],
) -> dict[str, object]:
    """A ticket object (API / admin JSON) → a :data:`FRAME_SCHEMA` row. ``users``, ``groups`` and
    ``metrics`` are the sideloads by id (metrics by ticket id); a ticket's own ``metric_set`` is
    used when no sideload has it."""
    via = t.get("via") if isinstance(t.get("via"), dict) else {}
    src = via.get("source") if isinstance(via.get("source"), dict) else {}
    sender = src.get("from") if isinstance(src.get("from"), dict) else {}
    to = src.get("to") if isinstance(src.get("to"), dict) else {}
    tid = text(t.get("id"))
    requester = users.get(text(t.get("requester_id")) or "", {})
    submitter = users.get(text(t.get("submitter_id")) or "", {})
    assignee = users.get(text(t.get("assignee_id")) or "", {})
    agent_created = (
        submitter.get("role") in ("agent", "admin")
        and text(t.get("submitter_id")) != text(t.get("requester_id"))
        and via.get("channel") == "web"
    )
    outbound = says_outbound(via.get("channel"), src.get("rel")) or agent_created
    channel = channel_of(via.get("channel"))
    metric = metrics.get(tid or "") or (t.get("metric_set") if isinstance(t.get("metric_set"), dict) else {})
    rating = t.get("satisfaction_rating") if isinstance(t.get("satisfaction_rating"), dict) else {}
    tags = t.get("tags") if isinstance(t.get("tags"), list) else []
    return {
        "source_id": tid,
        "channel": channel,
        "direction": "outbound" if outbound else "inbound",
        "created_at": text(t.get("created_at")),
        "updated_at": text(t.get("updated_at")),
        "status": text(t.get("status")),
        "agent": text(assignee.get("name")) or text(t.get("assignee_id")),
        "queue": groups.get(text(t.get("group_id")) or "") or text(t.get("group_id")),
        "dialled_number": text(to.get("phone")) if channel == "phone" and not outbound else None,
        "customer_email": text(requester.get("email")) or text(sender.get("address")),
        "customer_phone_raw": text(requester.get("phone")) or text(sender.get("phone")),
        "customer_ref": text(t.get("requester_id")),
        "subject": text(t.get("subject")) or text(t.get("raw_subject")),
        "handle_s": None,
        "agent_replies": text(metric.get("replies")),
        "_reply_min": calendar(metric.get("reply_time_in_minutes")),
        "_full_min": calendar(metric.get("full_resolution_time_in_minutes")),
        "_solved_at": text(metric.get("solved_at")),
        "_group_stations": text(metric.get("group_stations")),
        "_csat_score": text(rating.get("score")),
        "_csat_at": text(rating.get("updated_at")),
        "tags": [str(x) for x in tags if x is not None],
        "source_row": source_row,
    }


def tickets_to_rows(
    tickets: list[tuple[int, object]],
    users: dict[str, dict],
    groups: dict[str, str],
    metrics: dict[str, dict],
) -> tuple[pl.DataFrame, list[dict[str, object]]]:
    """(frame, rejects) for numbered ticket objects: non-objects, deleted tickets and tickets
    without a via channel are quarantined with a reason."""
    rows: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    for n, t in tickets:
        if not isinstance(t, dict):
            rejects.append(reject(n, "", "record is not a JSON object (a ticket)", t))
            continue
        if str(t.get("status", "")).strip().lower() == "deleted":
            rejects.append(
                reject(n, "status", "deleted ticket: not a contact", {"id": t.get("id"), "status": "deleted"})
            )
            continue
        row = ticket_row(t, n, users, groups, metrics)
        if row["channel"] is None:
            raw = (t.get("via") or {}).get("channel") if isinstance(t.get("via"), dict) else t.get("via")
            rejects.append(reject(n, "channel", "ticket has no via channel", raw, t.get("id")))
            continue
        rows.append(row)
    return pl.DataFrame(rows, schema=FRAME_SCHEMA), rejects


def by_id(items: object, key: str = "id") -> dict[str, dict]:
    """A sideload list → {id as text: object}."""
    if not isinstance(items, list):
        return {}
    return {text(x.get(key)) or "": x for x in items if isinstance(x, dict) and x.get(key) is not None}
