"""DuckDB schema version 9: ``contacts.subject`` (and ``contacts_history.subject``), the subject or
title of a ticket, case or email (store/schema.py; alert reasons come from its words when a
contact has no reason and no tags, docs/alerts.md#contact-reason-patterns).

The column sits after ``customer_ref``, where a fresh DuckDB store has it (before the lineage and
hash columns), so the two tables are rebuilt rather than altered: PostgreSQL's ``ADD COLUMN``
only appends, and tests/test_pg_store.py checks the column order against DuckDB's. The rows are
copied in one statement each, inside the migration's transaction (store/pg/migrations/env.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 9  # the DuckDB store's version this revision matches

DATA = (
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
    ("hold_s", "DOUBLE PRECISION"),
    ("wrap_s", "DOUBLE PRECISION"),
    ("handle_s", "DOUBLE PRECISION"),
    ("agent", "TEXT"),
    ("queue", "TEXT"),
    ("reason", "TEXT"),
    ("tags", "TEXT[]"),
    ("dialled_number", "TEXT"),
    ("agent_replies", "BIGINT"),
    ("customer_email", "TEXT"),
    ("customer_phone", "TEXT"),
    ("customer_phone_raw", "TEXT"),
    ("customer_ref", "TEXT"),
)
TAIL = (("ingest_id", "BIGINT"), ("source_row", "BIGINT"), ("key_h", "NUMERIC(20)"))
HISTORY_TAIL = (*TAIL, ("replaced_by", "BIGINT"))


def _rebuild(table: str, columns: tuple[tuple[str, str], ...]) -> None:
    """Recreate ``table`` with ``columns`` (in that order), copying the rows of every column it had."""
    kept = ", ".join(name for name, _ in columns if name != "subject")
    op.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
    op.execute(f"CREATE TABLE {table} ({', '.join(f'{name} {sql}' for name, sql in columns)})")
    op.execute(f"INSERT INTO {table} ({kept}) SELECT {kept} FROM {table}_old")
    op.execute(f"DROP TABLE {table}_old")


def upgrade() -> None:
    with_subject = (*DATA, ("subject", "TEXT"))
    _rebuild("contacts", (*with_subject, *TAIL))
    _rebuild("contacts_history", (*with_subject, *HISTORY_TAIL))
    op.execute("CREATE UNIQUE INDEX contacts_key_h ON contacts (key_h)")  # dropped with the old table
    op.execute(f"UPDATE schema_state SET version = {SCHEMA_VERSION}")


def downgrade() -> None:
    op.execute("ALTER TABLE contacts DROP COLUMN subject")
    op.execute("ALTER TABLE contacts_history DROP COLUMN subject")
    op.execute(f"UPDATE schema_state SET version = {SCHEMA_VERSION - 1}")
