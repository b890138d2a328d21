"""``contact_facts``: one row per (recall, contact it holds), with ``recall_id`` = that recall:

- the ``contacts`` columns metrics read (:data:`CONTACT_COLUMNS`; identity inputs, tags, raw
  phones and lineage stay in ``contacts``);
- ``customer_id`` — the recall registry's customer with the contact's email, else its phone, else
  ``email:<email>``, else ``phone:<E.164>``, else null — and ``customer_h``, its hash;
- ``phase`` (docs/phases.md), ``day`` (local date of ``created_at`` in the recall's zone) and
  ``is_ticket`` (a channel other than phone);
- ``next_at``, ``next_channel``: for an inbound contact with a customer, that customer's next
  inbound contact for the recall; null otherwise.

A recall holds the contacts naming it and those naming none that match one of its rules (a tag in
``match_tags``, the queue in ``match_queues`` in any case, the dialled number in ``match_numbers``).
Rules: store/derived/rules.py.
"""

from __future__ import annotations

import duckdb

from store.derived.rules import (
    CONTACT_MATCH_SQL,
    CUSTOMER_HASH_SQL,
    DAY_SQL,
    IDENTITY_JOINS_SQL,
    IDENTITY_SQL,
    NEXT_SQL,
    PHASE_SQL,
    registry_ids_sql,
)

CONTACT_COLUMNS = (
    "source, source_id, recall_id, channel, direction, created_at, answered_at, first_reply_at, resolved_at, "
    "updated_at, status, is_abandoned, is_transferred, wait_s, talk_s, handle_s, agent, queue, reason, agent_replies, "
    "key_h"
)
_SELECTED = ", ".join("r.recall_id" if c == "recall_id" else f"x.{c}" for c in CONTACT_COLUMNS.split(", "))
DDL = f"""CREATE TABLE IF NOT EXISTS contact_facts AS SELECT {CONTACT_COLUMNS}, NULL::VARCHAR AS customer_id,
    NULL::UBIGINT AS customer_h, NULL::VARCHAR AS phase, NULL::DATE AS day, NULL::BOOLEAN AS is_ticket,
    NULL::TIMESTAMP AS next_at, NULL::VARCHAR AS next_channel FROM contacts LIMIT 0"""


def facts_sql(rows: str) -> str:
    """SELECT the facts of the contacts in relation ``rows``, ``next_at`` not yet set."""
    return f"""WITH {registry_ids_sql(rows)}
SELECT *, {CUSTOMER_HASH_SQL} AS customer_h FROM (
    SELECT {_SELECTED}, {IDENTITY_SQL} AS customer_id, {PHASE_SQL} AS phase, {DAY_SQL} AS day,
        x.channel <> 'phone' AS is_ticket
    FROM {rows} x JOIN recalls r ON {CONTACT_MATCH_SQL}
    {IDENTITY_JOINS_SQL})"""


def insert_with_next(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Insert the facts in relation ``facts`` (all of each customer's contacts) with
    ``next_at``/``next_channel``, windowed over the key columns only (cheaper than sorting whole rows)."""
    con.execute(
        f"INSERT INTO contact_facts BY NAME SELECT x.*, k.next_at, k.next_channel FROM {facts} x "
        f"JOIN (SELECT source, source_id, recall_id, {NEXT_SQL} FROM {facts}) k USING (source, source_id, recall_id)"
    )


def renew_next(con: duckdb.DuckDBPyConnection, customers: str) -> None:
    """Recompute ``next_at``/``next_channel`` over every contact fact of ``customers`` (customer_h)
    and update the rows where they changed. Leaves ``_customer_contacts``: those facts (rowid
    ``_rid``, the window's columns and the inputs of customer_facts' contact part), read once for
    both; the caller drops it."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _customer_contacts AS SELECT rowid AS _rid, source, source_id, recall_id, "
        "customer_id, direction, created_at, channel, answered_at, talk_s, next_at AS was_at, "
        f"next_channel AS was_channel FROM contact_facts WHERE customer_h IN (SELECT customer_h FROM {customers})"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _changed_next AS SELECT * FROM (
            SELECT _rid, was_at, was_channel, {NEXT_SQL} FROM _customer_contacts)
        WHERE next_at IS DISTINCT FROM was_at OR next_channel IS DISTINCT FROM was_channel"""
    )
    con.execute(
        "UPDATE contact_facts f SET next_at = n.next_at, next_channel = n.next_channel FROM _changed_next n "
        "WHERE f.rowid = n._rid"
    )
    con.execute("DROP TABLE _changed_next")
