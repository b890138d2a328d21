"""``customer_facts``: one row per (recall, affected customer = distinct registry customer id):

- ``units``, ``regions`` and ``lots`` of their units (distinct; ``(unknown)`` for none);
- ``remedied_at``: the latest ``remedy_completed_at`` when every unit has one;
- ``notified_at``: their first outreach event, any status;
- ``reached_at``: the first of ``reached_by_event_at`` (a delivered, read, opened or clicked event)
  and ``reached_by_call_at`` (an answered outbound call);
- ``engaged_at``: the first of ``engaged_by_event_at`` (a read, clicked or replied event) and
  ``engaged_by_contact_at`` (an inbound contact).

Each moment is "by t" exactly when ≤ t. The event part (``notified_at``, ``reached_by_event_at``,
``engaged_by_event_at``) and the contact part (``reached_by_call_at``, ``engaged_by_contact_at``)
can be recomputed alone (:func:`update_part`). Rules: store/derived/rules.py.
"""

from __future__ import annotations

import duckdb

from store.derived.rules import (
    ANSWERED_CALL_SQL,
    CUSTOMER_HASH_SQL,
    ENGAGED_SQL,
    GROUPS_SQL,
    REACHED_SQL,
    REGISTRY_ID_SQL,
)
from store.derived.touched import count

DDL = """CREATE TABLE IF NOT EXISTS customer_facts (recall_id VARCHAR, customer_id VARCHAR, customer_h UBIGINT,
    units BIGINT, regions VARCHAR[], lots VARCHAR[], remedied_at TIMESTAMP, notified_at TIMESTAMP,
    reached_by_event_at TIMESTAMP, engaged_by_event_at TIMESTAMP,
    reached_by_call_at TIMESTAMP, engaged_by_contact_at TIMESTAMP, reached_at TIMESTAMP, engaged_at TIMESTAMP)"""

# The parts of customer_facts, each aggregated from one kind of fact per (recall_id, customer_id),
# the columns each writes, and the narrow columns each reads.
EVENT_PART = f"""min(status_at) AS notified_at,
        min(status_at) FILTER (status IN {REACHED_SQL}) AS reached_by_event_at,
        min(status_at) FILTER (status IN {ENGAGED_SQL}) AS engaged_by_event_at"""
CONTACT_PART = f"""min(created_at) FILTER ({ANSWERED_CALL_SQL}) AS reached_by_call_at,
        min(created_at) FILTER (direction = 'inbound') AS engaged_by_contact_at"""
PARTS = {
    "notification_facts": (
        EVENT_PART,
        ("notified_at", "reached_by_event_at", "engaged_by_event_at"),
        "status, status_at",
    ),
    "contact_facts": (
        CONTACT_PART,
        ("reached_by_call_at", "engaged_by_contact_at"),
        "direction, channel, answered_at, talk_s, created_at",
    ),
}


def facts_sql(customers: str | None) -> str:
    """SELECT the whole facts of the affected customers in relation ``customers`` (recall_id,
    customer_id, customer_h), or of every one when None."""
    registry_only = f"SEMI JOIN {customers} k USING (recall_id, customer_id)" if customers else ""
    facts_only = f"WHERE customer_h IN (SELECT customer_h FROM {customers})" if customers else ""
    return f"""WITH units AS (
    SELECT * FROM (SELECT a.recall_id, {REGISTRY_ID_SQL} AS customer_id, a.region, a.lot, a.remedy_completed_at
                   FROM affected a)
    {registry_only} WHERE customer_id IS NOT NULL),
owners AS (
    SELECT recall_id, customer_id, count(*) AS units, {GROUPS_SQL},
        CASE WHEN count(remedy_completed_at) = count(*) THEN max(remedy_completed_at) END AS remedied_at
    FROM units GROUP BY ALL),
by_events AS (SELECT recall_id, customer_id, {EVENT_PART} FROM notification_facts {facts_only} GROUP BY ALL),
by_contacts AS (SELECT recall_id, customer_id, {CONTACT_PART} FROM contact_facts {facts_only} GROUP BY ALL)
SELECT recall_id, customer_id, {CUSTOMER_HASH_SQL} AS customer_h, units, regions, lots, remedied_at, notified_at,
    reached_by_event_at, engaged_by_event_at, reached_by_call_at, engaged_by_contact_at,
    least(reached_by_event_at, reached_by_call_at) AS reached_at,
    least(engaged_by_event_at, engaged_by_contact_at) AS engaged_at
FROM owners LEFT JOIN by_events USING (recall_id, customer_id) LEFT JOIN by_contacts USING (recall_id, customer_id)"""


def delete(con: duckdb.DuckDBPyConnection, customers: str) -> None:
    """Delete the customer facts of the (recall_id, customer_id) in ``customers``."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _customer_rows AS SELECT rowid AS _rid, recall_id, customer_id "
        f"FROM customer_facts WHERE customer_h IN (SELECT customer_h FROM {customers})"
    )
    con.execute(
        "DELETE FROM customer_facts WHERE rowid IN "
        f"(SELECT _rid FROM _customer_rows SEMI JOIN {customers} k USING (recall_id, customer_id))"
    )
    con.execute("DROP TABLE _customer_rows")


def update_part(con: duckdb.DuckDBPyConnection, customers: str, facts: str, theirs_in: str | None = None) -> None:
    """Recompute the part of ``customers``' (customer_h) facts that comes from ``facts``
    (contact_facts or notification_facts), and their ``reached_at``/``engaged_at``; customers
    without a registry row have no customer facts and are skipped. ``theirs_in``: a relation
    already holding every row of ``facts`` of ``customers`` (with the part's inputs), read instead."""
    part, columns, inputs = PARTS[facts]
    theirs = f"WHERE customer_h IN (SELECT customer_h FROM {customers})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _customer_rows AS SELECT rowid AS _rid, recall_id, customer_id "
                f"FROM customer_facts {theirs}")  # fmt: skip
    if not count(con, "_customer_rows"):  # none of them is an affected customer
        con.execute("DROP TABLE _customer_rows")
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _recomputed_part AS
        SELECT f._rid AS rid, x.* EXCLUDE (recall_id, customer_id)
        FROM _customer_rows f
        LEFT JOIN (SELECT recall_id, customer_id, {part}
                   FROM (SELECT recall_id, customer_id, {inputs} FROM {theirs_in or f"{facts} {theirs}"})
                   GROUP BY ALL) x
               USING (recall_id, customer_id)"""
    )

    def now(c: str) -> str:  # a column's value after the update
        return f"p.{c}" if c in columns else f"f.{c}"

    sets = ", ".join(f"{c} = p.{c}" for c in columns)
    con.execute(
        f"UPDATE customer_facts f SET {sets}, "
        f"reached_at = least({now('reached_by_event_at')}, {now('reached_by_call_at')}), "
        f"engaged_at = least({now('engaged_by_event_at')}, {now('engaged_by_contact_at')}) "
        "FROM _recomputed_part p WHERE f.rowid = p.rid"
    )
    con.execute("DROP TABLE _recomputed_part; DROP TABLE _customer_rows")
