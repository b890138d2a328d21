"""Derived tables: each recall's contacts and outreach events with identity and phase resolved,
kept in step with the canonical tables inside the transaction of every load and undo.

``contact_facts`` — one row per (recall, contact the recall holds): every ``contacts`` column, with
``recall_id`` = that recall, plus
  ``customer_id``   the recall registry's id (``customer_ref``, else ``email:<email>``, else
                    ``phone:<E.164>``) of a unit with the contact's email, else its phone (the
                    smallest id when several units share the address), else ``email:<email>``,
                    else ``phone:<E.164>``, else null;
  ``phase``         design §4, A = announced_at: pre_announcement t < A; day_one A ≤ t < A+24 h;
                    during A+24 h ≤ t < ongoing_from; ongoing ongoing_from ≤ t < closed_at; after;
  ``day``           local date of ``created_at`` in the recall's zone;
  ``is_ticket``     channel other than phone;
  ``next_at``, ``next_channel``  for an inbound contact with a customer: the earliest later
                    inbound contact of that customer for the recall (``created_at`` strictly later;
                    ties broken by source, source_id); null otherwise.
A recall holds the contacts naming it and those naming none that match a rule (a tag in
``match_tags``, the queue, case-insensitively, in ``match_queues``, the dialled number in
``match_numbers``).

``notification_facts`` — one row per (recall, outreach event it holds: named, or ``campaign`` in
``match_campaigns`` case-insensitively), every ``notifications`` column plus ``customer_id``.

``customer_facts`` — one row per (recall, affected customer = distinct registry customer id):
  ``units``, ``remedied_at`` (the latest ``remedy_completed_at`` when every unit has one),
  ``notified_at`` (first outreach event, any status), ``reached_at`` (first delivered, read,
  opened or clicked event, or first answered outbound call), ``engaged_at`` (first read,
  clicked or replied event, or first inbound contact). Each is "by t" exactly when ≤ t.

**Maintenance.** Writers record what they touched (:func:`touch_ingest` for the rows an ingest
wrote or replaced — called before an undo too —, :func:`touch_rows` for rows changed in place);
:func:`refresh` then recomputes, in the same transaction:
- when a recall was touched: every fact (rare: a recall definition changed);
- otherwise the touched contacts and events, and those sharing an email or phone with a touched
  registry row (old or new version), ``next_at`` of every customer of those contacts, and the
  customer facts of every customer involved (before and after). The cost follows the touched
  rows and their customers' histories, not the size of the store.
Identity depends only on the registry, never on load order. tests/test_derived.py checks every
metric against the same rules evaluated at query time (``metrics.scope``) on random loads.
"""

from __future__ import annotations

import duckdb

VERSION = 2  # bump when a rule above changes: stores built by another version are rebuilt on open

# The contacts columns metrics read (identity inputs, tags, raw phones and lineage stay in ``contacts``).
CONTACT_COLUMNS = (
    "source, source_id, recall_id, channel, direction, created_at, answered_at, first_reply_at, resolved_at, "
    "updated_at, status, is_abandoned, is_transferred, wait_s, talk_s, handle_s, agent, queue, reason, agent_replies"
)
_CONTACT_SELECT = ", ".join("r.recall_id" if c == "recall_id" else f"x.{c}" for c in CONTACT_COLUMNS.split(", "))
TABLES = ("contact_facts", "notification_facts", "customer_facts")
DDL = (
    f"""CREATE TABLE IF NOT EXISTS contact_facts AS SELECT {CONTACT_COLUMNS}, NULL::VARCHAR AS customer_id,
        NULL::VARCHAR AS phase, NULL::DATE AS day, NULL::BOOLEAN AS is_ticket,
        NULL::TIMESTAMP AS next_at, NULL::VARCHAR AS next_channel FROM contacts LIMIT 0""",
    """CREATE TABLE IF NOT EXISTS notification_facts AS
        SELECT *, NULL::VARCHAR AS customer_id FROM notifications LIMIT 0""",
    """CREATE TABLE IF NOT EXISTS customer_facts (recall_id VARCHAR, customer_id VARCHAR, units BIGINT,
        remedied_at TIMESTAMP, notified_at TIMESTAMP, reached_at TIMESTAMP, engaged_at TIMESTAMP)""",
)

# SQL rules shared with the query-time path (metrics/scope.py); ``x`` is the contact or event, ``r``
# the recall, ``e``/``p`` the registry ids by email/phone.
PHASE_SQL = """CASE WHEN x.created_at < r.announced_at THEN 'pre_announcement'
             WHEN x.created_at < r.announced_at + INTERVAL 24 HOUR THEN 'day_one'
             WHEN x.created_at < r.ongoing_from THEN 'during'
             WHEN r.closed_at IS NULL OR x.created_at < r.closed_at THEN 'ongoing'
             ELSE 'after' END"""
DAY_SQL = "CAST(timezone(r.timezone, timezone('UTC', x.created_at)) AS DATE)"
IDENTITY_SQL = "coalesce(e.customer_id, p.customer_id, 'email:' || x.customer_email, 'phone:' || x.customer_phone)"
REGISTRY_ID_SQL = "coalesce(a.customer_ref, 'email:' || a.customer_email, 'phone:' || a.customer_phone)"
CONTACT_MATCH_SQL = """x.recall_id = r.recall_id OR (x.recall_id IS NULL AND (
            list_has_any(x.tags, r.match_tags)
            OR list_contains(r.match_queues, lower(x.queue))
            OR list_contains(r.match_numbers, x.dialled_number)))"""
EVENT_MATCH_SQL = """x.recall_id = r.recall_id
    OR (x.recall_id IS NULL AND list_contains(r.match_campaigns, lower(x.campaign)))"""
# What a writer records per touched row (columns of the table aliased ``a``).
_TOUCH = {
    "contacts": "source VARCHAR, source_id VARCHAR",
    "notifications": "source VARCHAR, source_id VARCHAR",
    "affected": "recall_id VARCHAR, customer_id VARCHAR, email VARCHAR, phone VARCHAR",
    "recalls": "recall_id VARCHAR",
}
TOUCH_COLUMNS = {
    "contacts": "a.source, a.source_id",
    "notifications": "a.source, a.source_id",
    "affected": f"a.recall_id, {REGISTRY_ID_SQL}, a.customer_email, a.customer_phone",
    "recalls": "a.recall_id",
}
REACHED_SQL = "('delivered', 'read', 'opened', 'clicked')"
ENGAGED_SQL = "('read', 'clicked', 'replied')"
ANSWERED_CALL_SQL = "direction = 'outbound' AND channel = 'phone' AND (answered_at IS NOT NULL OR talk_s > 0)"
# Over rows of one recall: the next inbound contact of the same customer (see the docstring).
_NEXT = """OVER (PARTITION BY recall_id, customer_id, direction ORDER BY created_at
               RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP)"""
NEXT_SQL = f"""CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL THEN min(created_at) {_NEXT} END AS next_at,
    CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL
         THEN arg_min(channel, (created_at, source, source_id)) {_NEXT} END AS next_channel"""


def _ids(rows: str) -> str:
    """CTEs ``ids_e``/``ids_p``: (recall, address) → registry customer id, for the addresses of ``rows``."""
    return f"""ids_e AS (
    SELECT a.recall_id, a.customer_email, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_email IN (SELECT customer_email FROM {rows}) GROUP BY ALL),
ids_p AS (
    SELECT a.recall_id, a.customer_phone, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_phone IN (SELECT customer_phone FROM {rows}) GROUP BY ALL)"""


def _identity_joins() -> str:
    return """LEFT JOIN ids_e e ON e.recall_id = r.recall_id AND e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.recall_id = r.recall_id AND p.customer_phone = x.customer_phone"""


def contact_facts_sql(rows: str) -> str:
    """SELECT the facts (``next_at`` not yet set) of the contacts in relation ``rows``."""
    return f"""WITH {_ids(rows)}
SELECT {_CONTACT_SELECT}, {IDENTITY_SQL} AS customer_id, {PHASE_SQL} AS phase, {DAY_SQL} AS day,
    x.channel <> 'phone' AS is_ticket
FROM {rows} x JOIN recalls r ON {CONTACT_MATCH_SQL}
    {_identity_joins()}"""


def notification_facts_sql(rows: str) -> str:
    """SELECT the facts of the outreach events in relation ``rows``."""
    return f"""WITH {_ids(rows)}
SELECT x.* REPLACE (r.recall_id AS recall_id), {IDENTITY_SQL} AS customer_id
FROM {rows} x JOIN recalls r ON {EVENT_MATCH_SQL}
    {_identity_joins()}"""


def customer_facts_sql(customers: str | None) -> str:
    """SELECT the facts of the affected customers in relation ``customers`` (recall_id,
    customer_id), or of every one when None."""
    only = f"SEMI JOIN {customers} k USING (recall_id, customer_id)" if customers else ""
    return f"""WITH reg AS (
    SELECT * FROM (SELECT a.recall_id, {REGISTRY_ID_SQL} AS customer_id, a.remedy_completed_at FROM affected a)
    {only} WHERE customer_id IS NOT NULL),
people AS (
    SELECT recall_id, customer_id, count(*) AS units,
        CASE WHEN count(remedy_completed_at) = count(*) THEN max(remedy_completed_at) END AS remedied_at
    FROM reg GROUP BY ALL),
ev AS (
    SELECT recall_id, customer_id, min(status_at) AS notified_at,
        min(status_at) FILTER (status IN {REACHED_SQL}) AS reached_n,
        min(status_at) FILTER (status IN {ENGAGED_SQL}) AS engaged_n
    FROM notification_facts {only} GROUP BY ALL),
calls AS (
    SELECT recall_id, customer_id, min(created_at) FILTER ({ANSWERED_CALL_SQL}) AS reached_c,
        min(created_at) FILTER (direction = 'inbound') AS engaged_c
    FROM contact_facts {only} GROUP BY ALL)
SELECT recall_id, customer_id, units, remedied_at, notified_at,
    least(reached_n, reached_c) AS reached_at, least(engaged_n, engaged_c) AS engaged_at
FROM people LEFT JOIN ev USING (recall_id, customer_id) LEFT JOIN calls USING (recall_id, customer_id)"""


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create the derived tables; recreate and rebuild them when the store was built by another VERSION."""
    con.execute("CREATE TABLE IF NOT EXISTS derived_state (version INTEGER NOT NULL)")
    current = con.execute("SELECT list(version) FROM derived_state").fetchall()[0][0] == [VERSION]
    if current:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for table in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in DDL:
            con.execute(statement)
        rebuild(con)
        con.execute("DELETE FROM derived_state")
        con.execute("INSERT INTO derived_state VALUES (?)", [VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every fact from the canonical tables."""
    con.execute("DELETE FROM contact_facts")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS {contact_facts_sql('contacts')}")
    _insert_contact_facts(con, "_new")
    con.execute("DROP TABLE _new")
    con.execute("DELETE FROM notification_facts")
    con.execute(f"INSERT INTO notification_facts BY NAME {notification_facts_sql('notifications')}")
    con.execute("DELETE FROM customer_facts")
    con.execute(f"INSERT INTO customer_facts BY NAME {customer_facts_sql(None)}")


def _insert_contact_facts(con: duckdb.DuckDBPyConnection, rows: str) -> None:
    """Insert the facts ``rows`` (all of each customer's contacts) with ``next_at``/``next_channel``,
    windowed over the key columns only (cheaper than sorting whole rows)."""
    con.execute(
        f"INSERT INTO contact_facts BY NAME SELECT x.*, k.next_at, k.next_channel FROM {rows} x "
        f"JOIN (SELECT source, source_id, recall_id, {NEXT_SQL} FROM {rows}) k USING (source, source_id, recall_id)"
    )


def _touch_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in _TOUCH.items():
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS _touched_{table} ({columns})")


def touch_ingest(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """Record the rows ingest ``ingest_id`` wrote (current rows) and replaced (history)."""
    _touch_tables(con)
    for table, columns in TOUCH_COLUMNS.items():
        con.execute(
            f"INSERT INTO _touched_{table} SELECT {columns} FROM {table} a WHERE ingest_id = $i "
            f"UNION ALL SELECT {columns} FROM {table}_history a WHERE replaced_by = $i",
            {"i": ingest_id},
        )


def touch_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Record rows of ``table`` changed in place, as tuples of ``TOUCH_COLUMNS[table]``."""
    if not rows:
        return
    _touch_tables(con)
    marks = ", ".join("?" for _ in _TOUCH[table].split(","))
    con.executemany(f"INSERT INTO _touched_{table} VALUES ({marks})", rows)


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the facts in step with what was touched since the last refresh (see the module docstring)."""
    _touch_tables(con)
    if _count(con, "_touched_recalls"):
        rebuild(con)
    else:
        # Affected customers whose facts may change, before and after: registry rows, then the
        # customers of every recomputed contact and event.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _customers AS SELECT DISTINCT recall_id, customer_id "
            "FROM _touched_affected WHERE customer_id IS NOT NULL"
        )
        _refresh_contacts(con)
        _refresh_notifications(con)
        if _count(con, "_customers"):
            con.execute("DELETE FROM customer_facts f USING _customers k " + _SAME_CUSTOMER)
            con.execute(f"INSERT INTO customer_facts BY NAME {customer_facts_sql('_customers')}")
        con.execute("DROP TABLE _customers")
    for table in _TOUCH:
        con.execute(f"DELETE FROM _touched_{table}")


_SAME_CUSTOMER = "WHERE f.recall_id = k.recall_id AND f.customer_id = k.customer_id"
_IS_DIRTY = "EXISTS (SELECT 1 FROM _dirty d WHERE d.source = f.source AND d.source_id = f.source_id)"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _dirty(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Temp table ``_dirty``: keys of ``table`` whose facts must be recomputed (touched rows and
    rows sharing an address with a touched registry row); returns how many."""
    by_address = (
        f"""UNION SELECT source, source_id FROM {table}
            WHERE customer_email IN (SELECT email FROM _touched_affected)
               OR customer_phone IN (SELECT phone FROM _touched_affected)"""
        if _count(con, "_touched_affected")
        else ""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _dirty AS SELECT DISTINCT source, source_id FROM _touched_{table} {by_address}"
    )
    return _count(con, "_dirty")


def _changed_customers(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Temp table ``_changed``: the (recall, customer) of the dirty rows of ``facts`` before the
    refresh and in ``_new`` after it; also added to ``_customers``."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _changed AS SELECT DISTINCT recall_id, customer_id FROM (
            SELECT recall_id, customer_id FROM {facts} f WHERE {_IS_DIRTY}
            UNION ALL SELECT recall_id, customer_id FROM _new)
        WHERE customer_id IS NOT NULL"""
    )
    con.execute("INSERT INTO _customers SELECT * FROM _changed")


def _refresh_contacts(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the dirty contacts, and ``next_at`` of every contact of their customers."""
    if not _dirty(con, "contacts"):
        return
    rows = "(SELECT * FROM contacts x SEMI JOIN _dirty d USING (source, source_id))"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS {contact_facts_sql(rows)}")
    _changed_customers(con, "contact_facts")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _kept AS
        SELECT f.* EXCLUDE (next_at, next_channel) FROM contact_facts f
        SEMI JOIN _changed k USING (recall_id, customer_id) WHERE NOT {_IS_DIRTY}"""
    )
    con.execute(f"DELETE FROM contact_facts f WHERE {_IS_DIRTY}")
    con.execute("DELETE FROM contact_facts f USING _changed k " + _SAME_CUSTOMER)
    _insert_contact_facts(con, "(SELECT * FROM _kept UNION ALL BY NAME SELECT * FROM _new)")
    con.execute("DROP TABLE _new; DROP TABLE _changed; DROP TABLE _kept; DROP TABLE _dirty")


def _refresh_notifications(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the dirty outreach events."""
    if _dirty(con, "notifications"):
        rows = "(SELECT * FROM notifications x SEMI JOIN _dirty d USING (source, source_id))"
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS {notification_facts_sql(rows)}")
        _changed_customers(con, "notification_facts")
        con.execute(f"DELETE FROM notification_facts f WHERE {_IS_DIRTY}")
        con.execute("INSERT INTO notification_facts BY NAME SELECT * FROM _new")
        con.execute("DROP TABLE _new; DROP TABLE _changed")
    con.execute("DROP TABLE _dirty")
