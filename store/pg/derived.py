"""The derived tables (store/derived/: contact_facts, notification_facts, customer_facts) on
PostgreSQL, from the same rule SQL as on DuckDB (store/derived/rules.py and each table's
``facts_sql``), transpiled (store/pg/dialect.py).

This increment recomputes them whole after each load, in the load's transaction (DuckDB's store
refreshes only what the load touched: store/derived/__init__.py); the same rows either way.
"""

from __future__ import annotations

from store.derived import VERSION, contact_facts, customer_facts, notification_facts
from store.derived.rules import INBOUND_OF_CUSTOMER, SEQUENCE_COLUMNS, SEQUENCE_SQL
from store.pg.connection import LOAD_LOCK, PgConnection
from store.schema import TABLES, internal_columns

# DuckDB's ``x.* REPLACE (r.recall_id AS recall_id)``, spelled out (PostgreSQL has no star REPLACE).
_EVENT_COLUMNS = [
    *TABLES["notifications"].names,
    "ingest_id",
    "source_row",
    *(n for n, _ in internal_columns("notifications")),
]
_EVENT_STAR = "x.* REPLACE (r.recall_id AS recall_id)"
_EVENT_SELECTED = ", ".join("r.recall_id AS recall_id" if c == "recall_id" else f"x.{c}" for c in _EVENT_COLUMNS)


def _columns(con: PgConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def rebuild(con: PgConnection) -> None:
    """Recompute every fact from the canonical tables (inside the caller's transaction)."""
    facts = _columns(con, "contact_facts")
    named = [c for c in facts if c not in SEQUENCE_COLUMNS]
    con.execute("DELETE FROM contact_facts")
    con.execute(f"CREATE TEMP TABLE _new_contact_facts AS {contact_facts.facts_sql('contacts')}")
    con.execute("ANALYZE _new_contact_facts")  # temporary tables get no statistics by themselves
    # next_at … first_on_channel are NULL but for inbound contacts of a known customer (SEQUENCE_SQL), so the
    # window runs over those alone: PostgreSQL evaluates a frame with EXCLUDE row by row, which over
    # one partition of every contact without a customer would take time quadratic in its size.
    con.execute(
        f"INSERT INTO contact_facts ({', '.join([*named, *SEQUENCE_COLUMNS])}) "
        f"SELECT {', '.join('x.' + c for c in named)}, {', '.join('k.' + c for c in SEQUENCE_COLUMNS)} "
        "FROM _new_contact_facts x "
        f"LEFT JOIN (SELECT source, source_id, recall_id, {SEQUENCE_SQL} FROM _new_contact_facts "
        f"WHERE {INBOUND_OF_CUSTOMER}) k USING (source, source_id, recall_id)"
    )
    con.execute("DROP TABLE _new_contact_facts")
    con.execute("DELETE FROM notification_facts")
    events = notification_facts.facts_sql("notifications").replace(_EVENT_STAR, _EVENT_SELECTED)
    columns = ", ".join(_columns(con, "notification_facts"))
    con.execute(f"INSERT INTO notification_facts ({columns}) SELECT {columns} FROM ({events}) AS f")
    con.execute("DELETE FROM customer_facts")
    columns = ", ".join(_columns(con, "customer_facts"))
    con.execute(f"INSERT INTO customer_facts ({columns}) SELECT {columns} FROM ({customer_facts.facts_sql(None)}) AS f")


def ensure_current(con: PgConnection) -> None:
    """Recompute every fact when ``derived_state`` is not this code's rules VERSION (a migration
    that changes the derived tables sets it to 0), in one transaction after every load has committed."""
    if con.execute("SELECT version FROM derived_state").fetchall() == [(VERSION,)]:
        return
    with con.raw.transaction():
        con.raw.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": LOAD_LOCK})
        if con.execute("SELECT version FROM derived_state").fetchall() == [(VERSION,)]:
            return  # another session did it while this one waited
        rebuild(con)
        con.execute("DELETE FROM derived_state")
        con.execute("INSERT INTO derived_state VALUES (?)", [VERSION])
        con.raw.execute("ANALYZE contact_facts, notification_facts, customer_facts")
