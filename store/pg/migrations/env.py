"""Alembic's environment for the PostgreSQL store (store/pg/schema.py): online migrations only, in
one transaction, under the store's load lock (so a migration never runs beside a load)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from store.pg.load import LOAD_LOCK


def run_migrations(config) -> None:
    connectable = sa.create_engine(config.get_main_option("sqlalchemy.url"), poolclass=sa.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK})
            context.run_migrations()
    connectable.dispose()


try:
    _config = context.config  # only set while Alembic runs this file (imported elsewhere: nothing to do)
except (NameError, AttributeError):
    _config = None
if _config is not None:
    run_migrations(_config)
