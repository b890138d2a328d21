"""Derived rules version 8: the regulator reports count customers from ``customer_facts``' first
moments by regulator channel (``notified_<channel>_at`` …, ``called_at``), events from the facts'
``affected`` flag, and consumers who contacted from ``contact_facts.first_inbound`` and
``first_on_channel`` (store/derived/customer_facts.py; store/derived/rules.py ``AFFECTED_SQL``,
``SEQUENCE_SQL``).

The three derived tables hold nothing that is not recomputed from the canonical tables, so they are
recreated (empty) with the columns where a fresh DuckDB store has them, and ``derived_state`` is set
to 0: the next session that opens the store read-write recomputes them (store/pg/derived.py
``ensure_current``). The downgrade recreates the old shapes the same way; the facts are then
recomputed by the next load.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONTACT_FACTS_V7 = (
    ("source", "TEXT"),
    ("source_id", "TEXT"),
    ("recall_id", "TEXT"),
    ("channel", "TEXT"),
    ("direction", "TEXT"),
    ("created_at", "TIMESTAMP"),
    ("answered_at", "TIMESTAMP"),
    ("first_reply_at", "TIMESTAMP"),
    ("resolved_at", "TIMESTAMP"),
    ("updated_at", "TIMESTAMP"),
    ("status", "TEXT"),
    ("is_abandoned", "BOOLEAN"),
    ("is_transferred", "BOOLEAN"),
    ("wait_s", "DOUBLE PRECISION"),
    ("talk_s", "DOUBLE PRECISION"),
    ("handle_s", "DOUBLE PRECISION"),
    ("agent", "TEXT"),
    ("queue", "TEXT"),
    ("reason", "TEXT"),
    ("agent_replies", "BIGINT"),
    ("key_h", "NUMERIC(20)"),
    ("customer_id", "TEXT"),
    ("customer_h", "NUMERIC(20)"),
    ("phase", "TEXT"),
    ("day", "DATE"),
    ("is_ticket", "BOOLEAN"),
    ("next_at", "TIMESTAMP"),
    ("next_channel", "TEXT"),
)
NOTIFICATION_FACTS_V7 = (
    ("source", "TEXT"),
    ("source_id", "TEXT"),
    ("recall_id", "TEXT"),
    ("channel", "TEXT"),
    ("customer_email", "TEXT"),
    ("customer_phone", "TEXT"),
    ("customer_phone_raw", "TEXT"),
    ("status", "TEXT"),
    ("status_at", "TIMESTAMP"),
    ("campaign", "TEXT[]"),
    ("ingest_id", "BIGINT"),
    ("source_row", "BIGINT"),
    ("key_h", "NUMERIC(20)"),
    ("customer_id", "TEXT"),
    ("customer_h", "NUMERIC(20)"),
)
CUSTOMER_FACTS_V7 = (
    ("recall_id", "TEXT"),
    ("customer_id", "TEXT"),
    ("customer_h", "NUMERIC(20)"),
    ("units", "BIGINT"),
    ("regions", "TEXT[]"),
    ("lots", "TEXT[]"),
    ("remedied_at", "TIMESTAMP"),
    ("notified_at", "TIMESTAMP"),
    ("reached_by_event_at", "TIMESTAMP"),
    ("engaged_by_event_at", "TIMESTAMP"),
    ("reached_by_call_at", "TIMESTAMP"),
    ("engaged_by_contact_at", "TIMESTAMP"),
    ("reached_at", "TIMESTAMP"),
    ("engaged_at", "TIMESTAMP"),
)
CHANNELS = ("phone", "email", "mail", "other_electronic", "other")  # the regulator channels, in order


def _inserted(columns: tuple, after: str, new: tuple) -> tuple:
    i = [name for name, _ in columns].index(after) + 1
    return (*columns[:i], *new, *columns[i:])


CONTACT_FACTS_V8 = _inserted(
    _inserted(CONTACT_FACTS_V7, "customer_id", (("affected", "BOOLEAN"),)),
    "next_channel",
    (("first_inbound", "BOOLEAN"), ("first_on_channel", "BOOLEAN")),
)
NOTIFICATION_FACTS_V8 = _inserted(NOTIFICATION_FACTS_V7, "customer_id", (("affected", "BOOLEAN"),))
CUSTOMER_FACTS_V8 = _inserted(
    _inserted(
        CUSTOMER_FACTS_V7,
        "engaged_by_event_at",
        tuple(
            (f"{kind}_{ch}{suffix}", "TIMESTAMP")
            for ch in CHANNELS
            for kind, suffix in (("notified", "_at"), ("reached", "_by_event_at"), ("engaged", "_by_event_at"))
        ),
    ),
    "engaged_by_contact_at",
    (("called_at", "TIMESTAMP"), *((f"engaged_{ch}_by_contact_at", "TIMESTAMP") for ch in CHANNELS)),
)


def _recreate(tables: dict[str, tuple[tuple[str, str], ...]]) -> None:
    for table, columns in tables.items():
        op.execute(f"DROP TABLE {table}")
        op.execute(f"CREATE TABLE {table} ({', '.join(f'{name} {sql}' for name, sql in columns)})")
    op.execute("UPDATE derived_state SET version = 0")  # stale: recomputed on the next read-write open


def upgrade() -> None:
    _recreate(
        {
            "contact_facts": CONTACT_FACTS_V8,
            "notification_facts": NOTIFICATION_FACTS_V8,
            "customer_facts": CUSTOMER_FACTS_V8,
        }
    )


def downgrade() -> None:
    _recreate(
        {
            "contact_facts": CONTACT_FACTS_V7,
            "notification_facts": NOTIFICATION_FACTS_V7,
            "customer_facts": CUSTOMER_FACTS_V7,
        }
    )
