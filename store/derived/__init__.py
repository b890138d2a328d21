"""Derived tables: each recall's contacts, outreach events and affected customers with identity,
phase and coverage moments resolved, kept in step with the canonical tables inside the transaction
of every load and undo. One module per table: ``contact_facts``, ``notification_facts``,
``customer_facts`` (what each row holds); ``rules`` (the SQL rules, shared with the query-time
path of metrics/scope.py); ``touched`` (what a write touched).

Contact and event facts carry ``key_h`` (their row's key hash, store/schema.py) and every fact
``customer_h`` (the hash of recall and customer) so that maintenance finds rows by one integer
column. A hash selects a superset of the rows meant (a collision adds a row, which is recomputed to
the same value), never fewer; exact rows are matched on their real keys.

**Maintenance** (:func:`refresh`, after writers record what they touched):
- a recall touched: every fact is rebuilt (rare: a recall definition changed);
- otherwise the facts of the touched contacts and events, of those sharing an email or phone
  with a touched registry row (old or new version) and of those of a touched registry customer
  (whether their customer is affected may change), and the place of every contact of their
  customers among theirs (``next_at``, ``first_inbound`` …; before and after); the whole customer
  facts of customers with a touched registry row, and only the event part or the contact part of
  customers whose events or contacts changed.
The cost follows the touched rows and their customers' histories, not the size of the store.
Identity depends only on the registry, never on load order. tests/test_derived.py checks every
metric against the same rules evaluated at query time on random loads.
"""

from __future__ import annotations

import duckdb

from store.derived import contact_facts, customer_facts, notification_facts
from store.derived.rules import CUSTOMER_HASH_SQL
from store.derived.touched import TOUCH_COLUMNS, count, ensure, forget, stale_keys, touch_ingest, touch_rows
from store.versions import CURRENT, stored

__all__ = ["TABLES", "TOUCH_COLUMNS", "VERSION", "create", "init", "rebuild", "refresh", "touch_ingest", "touch_rows"]

VERSION = 8  # bump when a rule or a column changes: stores built by another version are rebuilt on open
TABLES = ("contact_facts", "notification_facts", "customer_facts")
_DDL = (contact_facts.DDL, notification_facts.DDL, customer_facts.DDL)
_FACTS_OF = {"contacts": ("contact_facts", contact_facts.facts_sql), "notifications": ("notification_facts",
             notification_facts.facts_sql)}  # fmt: skip


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create the derived tables; recreate and rebuild them when the store was built by another VERSION."""
    con.execute("CREATE TABLE IF NOT EXISTS derived_state (version INTEGER NOT NULL)")
    if con.execute("SELECT list(version) FROM derived_state").fetchall()[0][0] == [VERSION]:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for table in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _DDL:
            con.execute(statement)
        rebuild(con)
        con.execute("DELETE FROM derived_state")
        con.execute("INSERT INTO derived_state VALUES (?)", [VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def create(con: duckdb.DuckDBPyConnection) -> None:
    """The derived tables of a new, empty store (in the caller's transaction)."""
    con.execute("CREATE TABLE derived_state (version INTEGER NOT NULL)")
    for statement in _DDL:
        con.execute(statement)
    con.execute("INSERT INTO derived_state VALUES (?)", [VERSION])


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every fact from the canonical tables."""
    con.execute("DELETE FROM contact_facts")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new_contact_facts AS {contact_facts.facts_sql('contacts')}")
    contact_facts.insert_with_next(con, "_new_contact_facts")
    con.execute("DROP TABLE _new_contact_facts")
    con.execute("DELETE FROM notification_facts")
    con.execute(f"INSERT INTO notification_facts BY NAME {notification_facts.facts_sql('notifications')}")
    con.execute("DELETE FROM customer_facts")
    con.execute(f"INSERT INTO customer_facts BY NAME {customer_facts.facts_sql(None)}")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the facts in step with what was touched since the last refresh (module docstring)."""
    ensure(con)
    if count(con, "_touched_recalls"):
        rebuild(con)
    else:
        # Customers whose whole facts are recomputed: those of touched registry rows, before and after.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _registry_customers AS SELECT *, {CUSTOMER_HASH_SQL} AS customer_h "
            "FROM (SELECT DISTINCT recall_id, customer_id FROM _touched_affected WHERE customer_id IS NOT NULL)"
        )
        contact_customers = _refresh_rows(con, "contacts")
        event_customers = _refresh_rows(con, "notifications")
        if count(con, "_registry_customers"):
            customer_facts.delete(con, "_registry_customers")
            con.execute(f"INSERT INTO customer_facts BY NAME {customer_facts.facts_sql('_registry_customers')}")
        if contact_customers:  # from the facts renew_next read (contact_facts.py)
            customer_facts.update_part(con, "_customers_of_contacts", "contact_facts", "_customer_contacts")
        if event_customers:
            customer_facts.update_part(con, "_customers_of_notifications", "notification_facts")
        con.execute(
            "DROP TABLE _registry_customers; DROP TABLE IF EXISTS _customers_of_contacts; "
            "DROP TABLE IF EXISTS _customers_of_notifications; DROP TABLE IF EXISTS _customer_contacts"
        )
    forget(con)


def _refresh_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Recompute the facts of the stale rows of ``table`` (contacts or notifications; for contacts
    also the place of every contact of their customers among theirs: rules.SEQUENCE_SQL). Leaves
    ``_customers_of_<table>`` (customer_h): the customers of those rows before and after; returns
    how many.

    Only the stale rows are read whole (mostly the rows just written, at the end of the table);
    facts elsewhere are reached through narrow columns, since a scattered read in a column store
    costs a scan of every column it reads."""
    facts, facts_sql = _FACTS_OF[table]
    if not stale_keys(con, table):
        con.execute("DROP TABLE _stale_keys")
        return 0
    stale = "key_h IN (SELECT key_h FROM _stale_keys)"
    versions = stored(table)  # rowids are the versions table's (store/versions.py)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _stale_rowids AS SELECT rowid AS rid FROM {versions} WHERE {stale} AND {CURRENT}"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _replaced_facts AS SELECT rowid AS _rid, customer_h FROM {facts} "
                f"WHERE {stale}")  # fmt: skip
    con.execute(f"DELETE FROM {facts} WHERE rowid IN (SELECT _rid FROM _replaced_facts)")
    # Every row stale (a table's first load): read the table itself, not a filter of all its rows.
    every_row = count(con, "_stale_rowids") == count(con, table)
    rows = (
        table
        if every_row
        else f"(SELECT * EXCLUDE (replaced_by) FROM {versions} WHERE rowid IN (SELECT rid FROM _stale_rowids))"
    )
    if every_row and table == "contacts":  # every contact fact is new: place each as it is inserted
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new_contact_facts AS {facts_sql(rows)}")
        contact_facts.insert_with_next(con, "_new_contact_facts")
        con.execute("DROP TABLE _new_contact_facts")
    else:
        con.execute(f"INSERT INTO {facts} BY NAME {facts_sql(rows)}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _customers_of_{table} AS SELECT DISTINCT customer_h FROM (
            SELECT customer_h FROM _replaced_facts UNION ALL SELECT customer_h FROM {facts} WHERE {stale})
        WHERE customer_h IS NOT NULL"""
    )
    if table == "contacts":
        contact_facts.renew_next(con, f"_customers_of_{table}", placed=every_row)
    con.execute("DROP TABLE _stale_keys; DROP TABLE _stale_rowids; DROP TABLE _replaced_facts")
    return count(con, f"_customers_of_{table}")
