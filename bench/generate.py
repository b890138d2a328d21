"""Seeded, vectorised generator of a recall at benchmark scale, in the exports' own layouts.

One call to :func:`generate` writes, into ``<cache>/<label>/`` (reused when complete):

- ``recall.toml``            the recall definition (sample_data's car-seat recall);
- ``registry.csv``           canonical registry, ``contacts / 2`` affected units (1 contact per 0.5 unit);
- ``contacts.csv``           canonical contacts CSV, ``n_contacts`` rows (CSV family);
- ``notifications.csv``      canonical outreach events, about 3 per notified affected customer;
- ``csat.csv``               canonical survey responses, about 10 % of handled contacts;
- ``zendesk_tickets.csv``    the non-phone contacts as a Zendesk admin CSV export (CSV family);
- ``amazon_connect.ndjson``  the phone contacts as Amazon Connect contact records (nested JSON);
- ``delta_10k.csv``          a 10,000-row canonical contacts export (8,000 new, 2,000 updates) for
                             the "load into a full store" measure.

Everything is drawn from one ``numpy.random.Generator(seed)`` column by column (no per-row
Python) and written with polars. Data are clean by construction (E.164 phones, lower-case
emails, UTC ``...Z`` stamps), so the canonical files need no normalisation to be read by the
pandas baseline. The canonical store used for the report, pages and baseline is loaded from the
canonical files only; the Zendesk and Connect renderings exist to time those connectors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from sample_data.generate import (
    ANNOUNCED_AT,
    CAMPAIGN,
    CLOSED_AT,
    EXPORT_AT,
    HOTLINE,
    HOTLINE_NUMBER,
    MAIN_NUMBER,
    ONGOING_FROM,
    RECALL_ID,
    RECALL_TAG,
    RECALL_TOML,
    START,
)

VERSION = 1  # bump when the generated data change, so cached folders are rebuilt
CACHE = Path(__file__).parent / ".data"
AS_OF = EXPORT_AT.replace(tzinfo=None)  # report time for every measure: the exports' time
DELTA_ROWS = 10_000
CHANNELS = ("phone", "email", "chat", "web", "sms", "whatsapp", "social")
CHANNEL_P = (0.50, 0.25, 0.10, 0.05, 0.04, 0.04, 0.02)
VIA = {"email": "Mail", "chat": "Native Messaging", "web": "Web form", "sms": "Text", "whatsapp": "WhatsApp"}
STATES = ("CA", "TX", "FL", "NY", "IL", "PA", "OH", "GA", "NC", "MI")
US = 1_000_000  # microseconds per second


@dataclass(frozen=True)
class Dataset:
    """The files of one generated scale."""

    folder: Path
    n_contacts: int

    def path(self, name: str) -> Path:
        return self.folder / name

    @property
    def canonical(self) -> list[Path]:
        """The files that make the canonical store (recall first)."""
        names = ("recall.toml", "registry.csv", "contacts.csv", "notifications.csv", "csat.csv")
        return [self.folder / n for n in names]


def parse_scale(text: str) -> int:
    """``100k`` → 100000, ``1m`` → 1000000, ``2000`` → 2000."""
    t = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def label(n: int) -> str:
    """1000000 → ``1m``, 100000 → ``100k``."""
    for suffix, size in (("m", 1_000_000), ("k", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def _us(t: datetime) -> int:
    return int(t.astimezone(UTC).timestamp() * US)


def _stamp(col: str | pl.Expr) -> pl.Expr:
    """Microseconds since the epoch → ``YYYY-MM-DDTHH:MM:SSZ`` (null stays null)."""
    e = pl.col(col) if isinstance(col, str) else col
    return e.cast(pl.Datetime("us")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _opt(values: np.ndarray, mask: np.ndarray) -> pl.Series:
    """``values`` where ``mask``, else null."""
    return pl.Series(values).scatter(np.flatnonzero(~mask), None)


def _contact_times(rng: np.random.Generator, n: int) -> np.ndarray:
    """Creation instants: a trickle before the announcement, the day-one spike, a decaying first
    week, the ongoing level and a tail after closing."""
    a, a24, og, cl = _us(ANNOUNCED_AT), _us(ANNOUNCED_AT) + 86_400 * US, _us(ONGOING_FROM), _us(CLOSED_AT)
    bounds = [(_us(START), a), (a, a24), (a24, og), (og, cl), (cl, _us(EXPORT_AT) - 3600 * US)]
    which = rng.choice(5, size=n, p=(0.05, 0.20, 0.30, 0.40, 0.05))
    lo = np.array([b[0] for b in bounds])[which]
    hi = np.array([b[1] for b in bounds])[which]
    frac = rng.random(n)
    frac = np.where(which == 2, frac**2, frac)  # decay through the first week
    return (lo + frac * (hi - lo)).astype(np.int64)


def build_frames(n_contacts: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """The canonical tables as polars frames (times as µs since the epoch in ``*_at`` columns)."""
    rng = np.random.default_rng(seed)
    n_units = max(n_contacts // 2, 10)
    n_owners = max(int(n_units / 1.25), 5)
    owner_of_unit = np.concatenate([np.arange(n_owners), rng.integers(0, n_owners, n_units - n_owners)])
    remedied = rng.random(n_units) < 0.4
    remedy_at = _us(ANNOUNCED_AT) + (rng.random(n_units) * (_us(EXPORT_AT) - _us(ANNOUNCED_AT))).astype(np.int64)
    owners = pl.DataFrame({"o": np.arange(n_owners)}).with_columns(
        pl.format("REG-{}", pl.col("o").cast(pl.String).str.zfill(8)).alias("customer_ref"),
        pl.format("owner{}@example.com", pl.col("o")).alias("customer_email"),
        pl.format("+1{}", (2_000_000_000 + pl.col("o")).cast(pl.String)).alias("customer_phone"),
    )
    registry = (
        pl.DataFrame(
            {
                "unit": np.arange(n_units),
                "o": owner_of_unit,
                "lot": rng.integers(0, 21, n_units),
                "region": np.array(STATES)[rng.integers(0, len(STATES), n_units)],
                "remedy": np.array(("refund", "replace", "repair"))[rng.integers(0, 3, n_units)],
                "remedy_completed_at": _opt(remedy_at, remedied),
            }
        )
        .join(owners, on="o", how="left")
        .sort("unit")
        .select(
            pl.lit(RECALL_ID).alias("recall_id"),
            pl.format("HCS-{}", pl.col("unit").cast(pl.String).str.zfill(9)).alias("unit_id"),
            pl.format("L{}", pl.col("lot")).alias("lot"),
            "customer_ref",
            "customer_email",
            "customer_phone",
            "region",
            "remedy",
            "remedy_completed_at",
        )
    )

    n = n_contacts
    channel = np.array(CHANNELS)[rng.choice(len(CHANNELS), size=n, p=CHANNEL_P)]
    phone = channel == "phone"
    outbound = phone & (rng.random(n) < 0.05)
    who = rng.random(n)  # < 0.8 an owner, < 0.95 another customer, else unknown
    owner = rng.integers(0, n_owners, n)
    other = rng.integers(0, max(n // 10, 1), n)
    recall = rng.random(n) < 0.85  # matches a rule; the rest is general support traffic
    created = _contact_times(rng, n)
    abandoned = phone & ~outbound & (rng.random(n) < 0.12)
    wait = np.where(phone & ~outbound, np.round(rng.exponential(45.0, n)), np.nan)
    talk = np.round(rng.lognormal(np.log(300), 0.5, n))
    hold = np.round(rng.exponential(30.0, n))
    wrap = np.round(rng.exponential(60.0, n))
    answered_call = phone & ~abandoned & (~outbound | (rng.random(n) < 0.6))
    ticket_handle = np.round(rng.lognormal(np.log(420), 0.6, n))
    reply_at = created + (rng.exponential(3 * 3600, n) * US).astype(np.int64)
    resolved = ~phone & (rng.random(n) < 0.85)
    resolved_at = reply_at + (rng.exponential(20 * 3600, n) * US).astype(np.int64)
    wait_us = np.nan_to_num(wait).astype(np.int64) * US
    call_end = created + wait_us + ((talk + hold + wrap) * US).astype(np.int64)
    email = np.where(who < 0.8, np.char.add(np.char.add("owner", owner.astype(str)), "@example.com"), "")
    email = np.where(
        (who >= 0.8) & (who < 0.95), np.char.add(np.char.add("cust", other.astype(str)), "@example.org"), email
    )
    phone_no = np.where(
        who < 0.8,
        np.char.add("+1", (2_000_000_000 + owner).astype(str)),
        np.char.add("+1", (3_000_000_000 + other).astype(str)),
    )
    phone_no = np.where(who < 0.95, phone_no, "")
    status = np.where(
        phone,
        np.where(answered_call, "answered", np.where(abandoned, "abandoned", "unanswered")),
        np.where(resolved, np.where(rng.random(n) < 0.7, "closed", "solved"), "open"),
    )
    contacts = pl.DataFrame(
        {
            "source": np.where(phone, "five9", "zendesk"),
            "source_id": np.where(phone, 300_000_000_000 + np.arange(n), 1_000_000 + np.arange(n)).astype(str),
            "channel": channel,
            "direction": np.where(outbound, "outbound", "inbound"),
            "created_at": created,
            "answered_at": _opt(created + wait_us, answered_call),
            "first_reply_at": _opt(reply_at, ~phone),
            "resolved_at": _opt(resolved_at, resolved),
            "updated_at": np.where(phone, call_end, np.where(resolved, resolved_at, reply_at)),
            "status": status,
            "is_abandoned": np.where(abandoned, "true", "false"),
            "is_transferred": np.where(~abandoned & (rng.random(n) < 0.08), "true", "false"),
            "wait_s": wait,
            "talk_s": np.where(answered_call, talk, np.nan),
            "hold_s": np.where(answered_call, hold, np.nan),
            "wrap_s": np.where(answered_call, wrap, np.nan),
            "handle_s": np.where(answered_call, talk + hold + wrap, np.where(phone, np.nan, ticket_handle)),
            "agent": np.where(abandoned, "", np.char.add("Agent ", rng.integers(1, 400, n).astype(str))),
            "queue": np.where(recall, np.where(phone, HOTLINE, "Recall Team"), "General Support"),
            "reason": np.array(("Buckle latch", "Remedy status", "Is my seat affected", "Billing", "Shipping"))[
                np.where(recall, rng.integers(0, 3, n), rng.integers(3, 5, n))
            ],
            "tags": np.where(~phone & recall, f"{RECALL_TAG} buckle", np.where(phone, "", "general")),
            "dialled_number": np.where(phone & ~outbound, np.where(recall, HOTLINE_NUMBER, MAIN_NUMBER), ""),
            "agent_replies": np.where(phone, -1, rng.integers(0, 4, n)),
            "customer_email": np.where(phone, "", email),
            "customer_phone": np.where(phone | (channel == "sms") | (channel == "whatsapp"), phone_no, ""),
            "customer_ref": np.where(~phone & (who < 0.95), np.char.add("zd-", (500_000 + owner).astype(str)), ""),
        }
    ).with_columns(
        pl.col("wait_s", "talk_s", "hold_s", "wrap_s", "handle_s").fill_nan(None).cast(pl.Int64),
        pl.when(pl.col("agent_replies") >= 0).then(pl.col("agent_replies")).alias("agent_replies"),
        *[pl.col(c).replace("", None) for c in ("agent", "tags", "dialled_number", "customer_email")],
        *[pl.col(c).replace("", None) for c in ("customer_phone", "customer_ref")],
    )

    handled = contacts.with_row_index("i").filter(
        (pl.col("direction") == "inbound") & (pl.col("is_abandoned") == "false")
    )
    rated = handled.filter(pl.Series(rng.random(handled.height) < 0.10))
    k = rated.height
    phone_rated = (rated["channel"] == "phone").to_numpy()
    csat = rated.select(
        "source",
        pl.format("svy-{}", pl.col("i")).alias("source_id"),
        pl.col("source").alias("contact_source"),
        pl.col("source_id").alias("contact_source_id"),
        pl.min_horizontal(pl.col("updated_at") + 86_400 * US, pl.lit(_us(EXPORT_AT))).alias("responded_at"),
        pl.Series("score", np.where(phone_rated, rng.integers(1, 6, k), (rng.random(k) < 0.7).astype(int))),
        pl.Series("scale", np.where(phone_rated, "1-5", "good_bad")),
    )

    sent_to = owners.filter(pl.Series(rng.random(n_owners) < 0.9))
    m = sent_to.height
    sent = _us(ANNOUNCED_AT) + (rng.random(m) * 3600 * US).astype(np.int64)
    by_sms = rng.random(m) < 0.2
    delivered = rng.random(m) < 0.92
    opened = delivered & (rng.random(m) < 0.5)
    clicked = opened & (rng.random(m) < 0.3)
    events = []
    for status, mask, lag in (
        ("sent", np.ones(m, bool), 0),
        ("delivered", delivered, 60),
        ("bounced", ~delivered, 60),
        ("opened", opened & ~by_sms, 7200),
        ("read", opened & by_sms, 600),
        ("clicked", clicked, 9000),
    ):
        events.append(
            sent_to.with_columns(pl.Series("sent", sent), pl.Series("sms", by_sms))
            .filter(pl.Series(mask))
            .select(
                pl.when(pl.col("sms")).then(pl.lit("twilio")).otherwise(pl.lit("sendgrid")).alias("source"),
                pl.format("msg-{}:{}", pl.col("o"), pl.lit(status)).alias("source_id"),
                pl.when(pl.col("sms")).then(pl.lit("sms")).otherwise(pl.lit("email")).alias("channel"),
                pl.when(pl.col("sms")).then(None).otherwise(pl.col("customer_email")).alias("customer_email"),
                pl.when(pl.col("sms")).then(pl.col("customer_phone")).alias("customer_phone"),
                pl.lit(status).alias("status"),
                (pl.col("sent") + lag * US).alias("status_at"),
                pl.lit(CAMPAIGN).alias("campaign"),
            )
        )
    notifications = pl.concat(events).sort("status_at", "source_id")
    return {"registry": registry, "contacts": contacts, "csat": csat, "notifications": notifications}


def _canonical_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write a canonical CSV: ``*_at`` columns as UTC ``...Z`` stamps."""
    frame.with_columns([_stamp(c).alias(c) for c in frame.columns if c.endswith("_at")]).write_csv(path)


def _local(col: str) -> pl.Expr:
    """µs since the epoch → local wall-clock text in the recall's zone (Zendesk admin export)."""
    return (
        pl.col(col)
        .cast(pl.Datetime("us", "UTC"))
        .dt.convert_time_zone("America/Chicago")
        .dt.strftime("%Y-%m-%d %H:%M:%S")
    )


def zendesk_frame(contacts: pl.DataFrame) -> pl.DataFrame:
    """The non-phone contacts as a Zendesk admin CSV export (sample_data/render_vendor.py's layout)."""
    from sample_data.render_vendor import ZENDESK_HEADER

    t = contacts.filter(pl.col("channel") != "phone")
    minutes = ((pl.col("first_reply_at") - pl.col("created_at")) / (60 * US)).round(0).cast(pl.Int64)
    full = ((pl.col("resolved_at") - pl.col("created_at")) / (60 * US)).round(0).cast(pl.Int64)
    cells = {
        "Summation column": pl.lit("1"),
        "Id": pl.col("source_id"),
        "Requester": pl.col("customer_email").str.split("@").list.first(),
        "Requester id": pl.col("customer_ref").str.strip_prefix("zd-"),
        "Requester email": pl.col("customer_email"),
        "Requester domain": pl.col("customer_email").str.split("@").list.last(),
        "Assignee": pl.col("agent"),
        "Group": pl.col("queue"),
        "Subject": pl.col("reason"),
        "Tags": pl.col("tags"),
        "Status": pl.col("status").str.to_titlecase(),
        "Priority": pl.lit("Normal"),
        "Via": pl.col("channel").replace_strict(VIA, default="Facebook Messenger"),
        "Ticket type": pl.lit("Question"),
        "Created at": _local("created_at"),
        "Updated at": _local("updated_at"),
        "Solved at": _local("resolved_at"),
        "Satisfaction Score": pl.when(pl.col("resolved_at").is_not_null())
        .then(pl.lit("Offered"))
        .otherwise(pl.lit("Not Offered")),
        "Group stations": pl.when(pl.col("is_transferred") == "true").then(pl.lit("2")).otherwise(pl.lit("1")),
        "Reopens": pl.lit("0"),
        "Replies": pl.col("agent_replies").cast(pl.String),
        "First reply time in minutes": minutes.cast(pl.String),
        "First resolution time in minutes": full.cast(pl.String),
        "Full resolution time in minutes": full.cast(pl.String),
        "Total time spent (sec) [int]": pl.col("handle_s").cast(pl.String).fill_null("-"),
        "Time spent last update (sec) [int]": pl.lit("-"),
    }
    return t.select([cells.get(h, pl.lit(None, pl.String)).alias(h) for h in ZENDESK_HEADER])


def connect_frame(contacts: pl.DataFrame) -> pl.DataFrame:
    """The phone contacts as Amazon Connect contact records (nested structs, written as NDJSON)."""
    t = contacts.filter(pl.col("channel") == "phone")
    inbound = pl.col("direction") == "inbound"
    answered = pl.col("answered_at").is_not_null()
    ts = _stamp
    return t.select(
        pl.lit("2017-03-10").alias("AWSContactTraceRecordFormatVersion"),
        pl.lit("111122223333").alias("AWSAccountId"),
        pl.format("{}-0000-4000-8000-000000000000", pl.col("source_id")).alias("ContactId"),
        pl.lit(None, pl.String).alias("InitialContactId"),
        pl.lit("VOICE").alias("Channel"),
        pl.when(inbound).then(pl.lit("INBOUND")).otherwise(pl.lit("OUTBOUND")).alias("InitiationMethod"),
        ts("created_at").alias("InitiationTimestamp"),
        ts("updated_at").alias("DisconnectTimestamp"),
        ts("updated_at").alias("LastUpdateTimestamp"),
        pl.lit("CUSTOMER_DISCONNECT").alias("DisconnectReason"),
        pl.when(pl.col("customer_phone").is_not_null())
        .then(pl.struct(pl.col("customer_phone").alias("Address"), pl.lit("TELEPHONE_NUMBER").alias("Type")))
        .alias("CustomerEndpoint"),
        pl.when(pl.col("dialled_number").is_not_null())
        .then(pl.struct(pl.col("dialled_number").alias("Address"), pl.lit("TELEPHONE_NUMBER").alias("Type")))
        .alias("SystemEndpoint"),
        pl.struct(
            pl.col("queue").alias("Name"),
            pl.when(inbound).then(ts("created_at")).alias("EnqueueTimestamp"),
            pl.when(inbound).then(pl.col("wait_s")).alias("Duration"),
        ).alias("Queue"),
        pl.when(pl.col("agent").is_not_null())
        .then(
            pl.struct(
                pl.col("agent").alias("Username"),
                pl.when(answered).then(ts("answered_at")).alias("ConnectedToAgentTimestamp"),
                pl.col("talk_s").alias("AgentInteractionDuration"),
                pl.col("hold_s").alias("CustomerHoldDuration"),
                pl.col("wrap_s").alias("AfterContactWorkDuration"),
            )
        )
        .alias("Agent"),
        pl.struct(pl.col("reason").alias("contact_reason")).alias("Attributes"),
        pl.when(pl.col("is_transferred") == "true")
        .then(pl.struct(pl.lit("Tier 2").alias("Address"), pl.lit("TELEPHONE_NUMBER").alias("Type")))
        .alias("TransferredToEndpoint"),
    )


def delta_frame(contacts: pl.DataFrame, seed: int = 11) -> pl.DataFrame:
    """A 10k-row canonical contacts export: 8,000 new contacts and 2,000 newer versions of stored ones."""
    rng = np.random.default_rng(seed)
    new = min(8_000, contacts.height)
    fresh = contacts.sample(new, seed=seed, with_replacement=new > contacts.height).with_columns(
        pl.format("delta-{}", pl.int_range(pl.len())).alias("source_id")
    )
    idx = rng.choice(contacts.height, size=min(DELTA_ROWS - new, contacts.height), replace=False)
    updated = contacts[np.sort(idx)].with_columns(pl.col("updated_at") + 3600 * US, pl.lit("closed").alias("status"))
    return pl.concat([fresh, updated.with_columns(pl.col("status").cast(fresh["status"].dtype))])


def generate(n_contacts: int, cache: Path = CACHE, seed: int = 7) -> Dataset:
    """Write (or reuse) the files for ``n_contacts`` under ``cache``; returns the dataset."""
    folder = cache / f"{label(n_contacts)}-s{seed}-v{VERSION}"
    done = folder / ".complete"
    ds = Dataset(folder, n_contacts)
    if done.exists():
        return ds
    folder.mkdir(parents=True, exist_ok=True)
    frames = build_frames(n_contacts, seed)
    (folder / "recall.toml").write_text(RECALL_TOML)
    for name in ("registry", "contacts", "notifications", "csat"):
        _canonical_csv(frames[name], folder / f"{name}.csv")
    _canonical_csv(delta_frame(frames["contacts"]), folder / "delta_10k.csv")
    zendesk_frame(frames["contacts"]).write_csv(folder / "zendesk_tickets.csv")
    connect_frame(frames["contacts"]).write_ndjson(folder / "amazon_connect.ndjson")
    counts = {k: v.height for k, v in frames.items()}
    done.write_text(json.dumps(counts))
    return ds
