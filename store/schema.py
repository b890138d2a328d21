"""The canonical schema, declared once.

The canonical tables' DDL (store/versions.py), the polars dtypes connectors produce
(`polars_schema()`), the canonical CSV layout (docs/canonical-format.md) and validation all derive
from `TABLES`; `ddl()` makes the ledger.

Logical types: ``str``, ``int``, ``float``, ``bool``, ``ts`` (UTC instant, stored as a naive
UTC ``TIMESTAMP``), ``str_list`` (list of strings; written as text, the items are separated by the
column's ``separators``). Column names carry units: ``_at`` for instants, ``_s`` for seconds,
``is_`` for booleans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

DUCKDB_TYPES = {
    "str": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "ts": "TIMESTAMP",
    "str_list": "VARCHAR[]",
}
POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "ts": pl.Datetime("us"),
    "str_list": pl.List(pl.String()),
}

CHANNELS = ("phone", "email", "chat", "whatsapp", "sms", "social", "web", "other")
DIRECTIONS = ("inbound", "outbound")
NOTIFICATION_STATUSES = (
    "sent",
    "delivered",
    "read",
    "opened",
    "clicked",
    "bounced",
    "failed",
    "replied",
)
CSAT_SCALES = ("1-5", "good_bad", "0-10")
REMEDIES = ("refund", "replace", "repair", "destroy")
# Where a unit sits in the supply chain, and why a unit that cannot be remedied is accounted for
# (docs/regulator-reports.md#registry-columns).
SUPPLY_CHAIN_LEVELS = ("manufacturer", "distributor", "retailer", "consumer")
DISPOSITIONS = ("exported", "stolen", "scrapped", "not_notified", "no_remedy_needed", "other")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    separators: str = ",;|\\s"  # str_list written as text: a regex character class of item separators
    aliases: tuple[str, ...] = ()  # other headers the canonical CSV reader accepts for it (connectors/canonical_csv.py)


@dataclass(frozen=True)
class Table:
    """A canonical table: its natural key and its data columns (lineage columns are added)."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str
    versioned_by: str | None = None  # column whose newer value wins when a key is seen again
    lineage: bool = True  # ingest_id and source_row columns
    extra_ddl: tuple[str, ...] = field(default=())
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # hash column → the columns it hashes
    canonical: bool = True  # False: written by a connector only, not a canonical CSV layout

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column

CONTACTS = Table(
    "contacts",
    key=("source", "source_id"),
    versioned_by="updated_at",
    doc="One customer interaction: a ticket, case or conversation, or a call (its parent leg).",
    columns=(
        C("source", "str", "System the row came from (zendesk, amazon_connect, canonical, …).", True),
        C("source_id", "str", "Natural key in that system (ticket id, ContactId, CallSid).", True),
        C("recall_id", "str", "Recall named in the file or at upload; empty = decided by match rules."),
        C("channel", "str", "Contact channel.", True, CHANNELS),
        C("direction", "str", "inbound (customer-initiated) or outbound.", True, DIRECTIONS),
        C("created_at", "ts", "When the contact started (ticket created, call entered the system).", True),
        C("answered_at", "ts", "When an agent answered (calls, chats)."),
        C("first_reply_at", "ts", "First public agent reply (tickets)."),
        C("resolved_at", "ts", "Last solve / close time (tickets)."),
        C("updated_at", "ts", "Version stamp: of two rows with one key, the newer wins."),
        C("status", "str", "Ticket status (new/open/pending/hold/solved/closed) or call outcome."),
        C("is_abandoned", "bool", "Caller hung up before an agent answered."),
        C("is_transferred", "bool", "Transferred or escalated to another queue or tier."),
        C("wait_s", "float", "Queue wait before answer or abandon, seconds."),
        C("talk_s", "float", "Agent talk time, seconds."),
        C("hold_s", "float", "Customer hold time, seconds."),
        C("wrap_s", "float", "After-contact work, seconds."),
        C("handle_s", "float", "Handle time; for calls talk + hold + wrap when not given."),
        C("agent", "str", "Handling agent (last one for transferred contacts)."),
        C("queue", "str", "Queue or group."),
        C("reason", "str", "Contact reason / disposition."),
        C("tags", "str_list", "Helpdesk tags (match rules use them)."),
        C("dialled_number", "str", "Number the customer dialled, E.164 (match rules use it)."),
        C("agent_replies", "int", "Public agent replies on the ticket (Zendesk one-touch FCR)."),
        C("customer_email", "str", "Customer email, trimmed and lower-cased."),
        C("customer_phone", "str", "Customer phone, E.164 (empty until its country is known)."),
        C("customer_phone_raw", "str", "Customer phone as written in the export."),
        C("customer_ref", "str", "Customer id in the source system."),
        C(
            "subject",
            "str",
            "Subject or title of the ticket, case or email; alert reasons come from its words when the contact "
            "has no reason and no tags (docs/alerts.md#contact-reason-patterns).",
            aliases=("title", "ticket_subject", "case_subject", "email_subject"),
        ),
    ),
)

CSAT = Table(
    "csat",
    key=("source", "source_id"),
    versioned_by="responded_at",
    doc="One survey response, linked to the contact it was about.",
    links={"contact_h": ("contact_source", "contact_source_id")},  # = the contact's key_h
    columns=(
        C("source", "str", "System the response came from.", True),
        C("source_id", "str", "Response id.", True),
        C("contact_source", "str", "`source` of the linked contact (default: this row's source)."),
        C("contact_source_id", "str", "`source_id` of the linked contact.", True),
        C("responded_at", "ts", "When the customer answered.", True),
        C("score", "float", "Raw score (1–5, 0–10; good = 1, bad = 0)."),
        C("scale", "str", "Scale of `score`.", True, CSAT_SCALES),
        C("is_satisfied", "bool", "4–5 on 1–5, good on good/bad; empty on 0–10 (NPS, not CSAT)."),
    ),
)

NOTIFICATIONS = Table(
    "notifications",
    key=("source", "source_id"),
    doc="One outreach event (sent, delivered, read, opened, clicked, bounced, failed, replied).",
    columns=(
        C("source", "str", "Outreach system.", True),
        C("source_id", "str", "Event id (or message id + status).", True),
        C("recall_id", "str", "Recall named in the file or at upload; empty = decided by campaign."),
        C("channel", "str", "email, sms, whatsapp, phone or letter.", True),
        C("customer_email", "str", "Recipient email, trimmed and lower-cased."),
        C("customer_phone", "str", "Recipient phone, E.164."),
        C("customer_phone_raw", "str", "Recipient phone as written."),
        C("status", "str", "Event type.", True, NOTIFICATION_STATUSES),
        C("status_at", "ts", "When the event happened.", True),
        Column(
            "campaign",
            "str_list",
            "Campaign names, categories, tags or ids: every one the event lists (match rules test each); "
            "as text separated by `,` `;` or `|` (names may hold spaces).",
            separators=",;|",
        ),
    ),
)

AFFECTED = Table(
    "affected",
    key=("recall_id", "unit_id"),
    doc="One affected unit in the recall registry (registration, order line, consignee).",
    columns=(
        C("recall_id", "str", "Recall the unit belongs to.", True),
        C("unit_id", "str", "Serial, lot or VIN.", True),
        C("lot", "str", "Lot or batch, for breakdowns."),
        C("customer_ref", "str", "Registry customer id."),
        C("customer_email", "str", "Owner email, trimmed and lower-cased."),
        C("customer_phone", "str", "Owner phone, E.164."),
        C("customer_phone_raw", "str", "Owner phone as written."),
        C("region", "str", "Region, state or country."),
        C(
            "supply_chain_level",
            "str",
            "Where the unit sits: with the manufacturer, a distributor, a retailer or a consumer (empty = unknown).",
            False,
            SUPPLY_CHAIN_LEVELS,
        ),
        C("remedy", "str", "Remedy chosen (destroy = destroyed or disposed of).", False, REMEDIES),
        C("remedy_completed_at", "ts", "When the remedy was completed."),
        C(
            "disposition",
            "str",
            "Why a unit that was not remedied is accounted for: exported, stolen, scrapped "
            "(destroyed by its owner), not notified (no address), inspected and found not to need the remedy, "
            "other (empty = none recorded).",
            False,
            DISPOSITIONS,
        ),
        C("disposition_at", "ts", "When the disposition was learnt or happened."),
    ),
)

RECALLS = Table(
    "recalls",
    key=("recall_id",),
    doc="One recall, from its TOML definition.",
    columns=(
        C("recall_id", "str", "Recall id.", True),
        C("name", "str", "Short name.", True),
        C("product", "str", "Product recalled."),
        C("timezone", "str", "IANA reporting zone.", True),
        C("country", "str", "ISO country for phone numbers written without a country code."),
        C("announced_at", "ts", "Announcement (A).", True),
        C("ongoing_from", "ts", "Start of the ongoing phase (default A + 168 h)."),
        C("closed_at", "ts", "Close of the recall."),
        C("match_tags", "str_list", "Helpdesk tags that put a contact in this recall."),
        C("match_queues", "str_list", "Queue names (case-insensitive)."),
        C("match_numbers", "str_list", "Dialled numbers, E.164."),
        C("match_campaigns", "str_list", "Outreach campaigns (case-insensitive)."),
    ),
)

CALL_LEGS = Table(
    "call_legs",
    key=("source", "source_id"),
    versioned_by="updated_at",
    canonical=False,
    doc=(
        "One leg of a telephony call as the vendor reported it (Twilio Voice). A customer call is one "
        "``contacts`` row folded from its legs; the legs are kept so that a leg arriving in another file "
        "than its parent is folded in when both are known (connectors/twilio_voice_json.py)."
    ),
    columns=(
        C("source", "str", "Telephony system.", True),
        C("source_id", "str", "The leg's id (CallSid).", True),
        C("parent_id", "str", "The leg that dialled this one (parent_call_sid), for a dialled leg."),
        C("direction", "str", "The vendor's direction (inbound, outbound-api, outbound-dial…)."),
        C("status", "str", "The leg's final status (completed, no-answer, busy…)."),
        C("started_at", "ts", "When the leg started (else was created)."),
        C("ended_at", "ts", "When the leg ended."),
        C("updated_at", "ts", "Version stamp: of two rows with one key, the newer wins."),
        C("duration_s", "float", "Seconds the leg was connected."),
        C("from_number", "str", "Calling party as written."),
        C("to_number", "str", "Called party as written (client:agent for an agent's leg)."),
        C("answered_by", "str", "human, machine_start… (answering machine detection)."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (RECALLS, CONTACTS, CSAT, NOTIFICATIONS, AFFECTED, CALL_LEGS)}
LINEAGE = (("ingest_id", "BIGINT"), ("source_row", "BIGINT"))
# Every canonical and history row also carries ``key_h``: :func:`key_hash_sql` of its natural key.
# Writers find stored rows through it (one narrow integer scan instead of the key's text) and then
# compare the key itself, so a hash collision can never merge two rows.
KEY_HASH = ("key_h", "UBIGINT")


def hash_sql(columns: tuple[str, ...], alias: str | None = None) -> str:
    """The lower 64 bits of the MD5 of ``columns`` joined by U+001F (a stable function: stores
    written by any DuckDB version agree)."""
    prefix = f"{alias}." if alias else ""
    return f"md5_number_lower(concat_ws(chr(31), {', '.join(prefix + c for c in columns)}))"


def key_hash_sql(table: str, alias: str | None = None) -> str:
    """SQL for ``key_h`` of ``table``'s rows. Writers refuse a file that would give two keys one
    ``key_h`` (store/write.py), so a ``key_h`` names one row and a link hash (``Table.links``, e.g.
    a survey response's ``contact_h``) can be joined on alone."""
    return hash_sql(TABLES[table].key, alias)


def internal_columns(table: str) -> list[tuple[str, str]]:
    """(name, SQL type) of the hash columns every row of ``table`` carries: ``key_h``, then links."""
    return [KEY_HASH, *((name, "UBIGINT") for name in TABLES[table].links)]


LEDGER_DDL = (
    """CREATE TABLE IF NOT EXISTS ingests (
        ingest_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        connector VARCHAR NOT NULL, timezone VARCHAR, recall_id VARCHAR,
        rows_read BIGINT NOT NULL, rows_inserted BIGINT NOT NULL, rows_updated BIGINT NOT NULL,
        rows_unchanged BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL,
        loaded_at TIMESTAMP NOT NULL, loaded_by VARCHAR, warnings VARCHAR[],
        undone_at TIMESTAMP, group_id BIGINT)""",
    # One row per failed check: the input row, the record's own id (ticket id, ContactId, CallSid,
    # sg_event_id, wamid, serial…; empty when the record has none), the failing column, why, and the
    # raw input (the failing value, or the whole record as JSON).
    """CREATE TABLE IF NOT EXISTS quarantine (
        ingest_id BIGINT NOT NULL, source_row BIGINT, column_name VARCHAR,
        reason VARCHAR NOT NULL, raw VARCHAR, record_id VARCHAR)""",
    "CREATE SEQUENCE IF NOT EXISTS ingest_seq START 1",
    # A key a load found already stored and left as it was ("unchanged": the same values, or an older
    # version stamp): ``held_ingest`` wrote the stored version, ``by_ingest`` is the later load that
    # holds it too (``same``: with the same values). Undo re-points such a row to its holder
    # instead of deleting it (store/undo.py).
    """CREATE TABLE IF NOT EXISTS holds (
        table_name VARCHAR NOT NULL, key_h UBIGINT NOT NULL, held_ingest BIGINT NOT NULL,
        by_ingest BIGINT NOT NULL, source_row BIGINT, same BOOLEAN NOT NULL)""",
    # Sign-in cookies signed out (SHA-256 of the cookie): a copy replayed later is refused (ui/access.py).
    """CREATE TABLE IF NOT EXISTS signed_out (
        cookie_sha256 VARCHAR PRIMARY KEY, signed_out_at TIMESTAMP NOT NULL)""",
    # Column mappings for "anything else" files, saved by name (store/mappings.py); spec is JSON text.
    """CREATE TABLE IF NOT EXISTS mappings (
        name VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, spec VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
)


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """Column name → polars dtype of a canonical table's data columns."""
    return {c.name: POLARS_TYPES[c.type] for c in TABLES[table].columns}


def ddl() -> list[str]:
    """CREATE statements for the ledger tables (the canonical tables are made by store/versions.py:
    one table of every version of each row, read through two views)."""
    return list(LEDGER_DDL)
