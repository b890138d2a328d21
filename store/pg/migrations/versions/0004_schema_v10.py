"""DuckDB schema version 10: DuckDB keeps every version of a canonical table's rows in one table,
``<table>_versions``, read through the views ``<table>`` and ``<table>_history``
(store/versions.py). PostgreSQL keeps its two tables per canonical table, whose columns are
those views' columns: only the version number changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 10  # the DuckDB store's version this revision matches


def upgrade() -> None:
    op.execute(f"UPDATE schema_state SET version = {SCHEMA_VERSION}")


def downgrade() -> None:
    op.execute(f"UPDATE schema_state SET version = {SCHEMA_VERSION - 1}")
