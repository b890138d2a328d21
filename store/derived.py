"""Derived tables: each recall's contacts and outreach events with identity and phase resolved,
kept in step with the canonical tables inside the transaction of every load and undo.

``contact_facts`` — one row per (recall, contact the recall holds): every ``contacts`` column, with
``recall_id`` = that recall, plus
  ``customer_id``   the recall registry's id (``customer_ref``, else ``email:<email>``, else
                    ``phone:<E.164>``) of a unit with the contact's email, else its phone (the
                    smallest id when several units share the address), else ``email:<email>``,
                    else ``phone:<E.164>``, else null;
  ``phase``         docs/phases.md#bounds, A = announced_at: pre_announcement t < A; day_one A ≤ t < A+24 h;
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
  ``units``, ``regions`` and ``lots`` (of their units, distinct, ``(unknown)`` for none),
  ``remedied_at`` (the latest ``remedy_completed_at`` when every unit has one),
  ``notified_at`` (first outreach event, any status), ``reached_at`` (first delivered, read,
  opened or clicked event — ``reached_n`` —, or first answered outbound call — ``reached_c`` —,
  whichever is first), ``engaged_at`` (first read, clicked or replied event — ``engaged_n`` —, or
  first inbound contact — ``engaged_c``). Each is "by t" exactly when ≤ t.

Contact and event facts carry ``key_h`` (their row's key hash, store/schema.py) and every fact
``customer_h`` (:data:`CUSTOMER_HASH_SQL` of recall and customer) so that maintenance finds rows
by one integer column. A hash selects a superset of the rows meant (a collision adds a row, which
is recomputed to the same value), never fewer; exact rows are matched on their real keys.

**Maintenance.** Writers record what they touched (:func:`touch_ingest` for the rows an ingest
wrote or replaced — called before an undo too —, :func:`touch_rows` for rows changed in place);
:func:`refresh` then recomputes, in the same transaction:
- when a recall was touched: every fact (rare: a recall definition changed);
- otherwise the touched contacts and events, and those sharing an email or phone with a touched
  registry row (old or new version), and ``next_at`` of every contact of their customers (before
  and after); the whole customer facts of customers with a touched registry row, and only the
  outreach part (``notified_at``, ``reached_n``, ``engaged_n``) or the contact part
  (``reached_c``, ``engaged_c``) of customers whose events or contacts changed. The cost follows
  the touched rows and their customers' histories, not the size of the store.
Identity depends only on the registry, never on load order. tests/test_derived.py checks every
metric against the same rules evaluated at query time (``metrics.scope``) on random loads.
"""

from __future__ import annotations

import duckdb

VERSION = 5  # bump when a rule above changes: stores built by another version are rebuilt on open

# The contacts columns metrics read (identity inputs, tags, raw phones and lineage stay in ``contacts``).
CONTACT_COLUMNS = (
    "source, source_id, recall_id, channel, direction, created_at, answered_at, first_reply_at, resolved_at, "
    "updated_at, status, is_abandoned, is_transferred, wait_s, talk_s, handle_s, agent, queue, reason, agent_replies, "
    "key_h"
)
_CONTACT_SELECT = ", ".join("r.recall_id" if c == "recall_id" else f"x.{c}" for c in CONTACT_COLUMNS.split(", "))
TABLES = ("contact_facts", "notification_facts", "customer_facts")
DDL = (
    f"""CREATE TABLE IF NOT EXISTS contact_facts AS SELECT {CONTACT_COLUMNS}, NULL::VARCHAR AS customer_id,
        NULL::UBIGINT AS customer_h, NULL::VARCHAR AS phase, NULL::DATE AS day, NULL::BOOLEAN AS is_ticket,
        NULL::TIMESTAMP AS next_at, NULL::VARCHAR AS next_channel FROM contacts LIMIT 0""",
    """CREATE TABLE IF NOT EXISTS notification_facts AS
        SELECT *, NULL::VARCHAR AS customer_id, NULL::UBIGINT AS customer_h FROM notifications LIMIT 0""",
    """CREATE TABLE IF NOT EXISTS customer_facts (recall_id VARCHAR, customer_id VARCHAR, customer_h UBIGINT,
        units BIGINT, regions VARCHAR[], lots VARCHAR[], remedied_at TIMESTAMP, notified_at TIMESTAMP,
        reached_n TIMESTAMP, engaged_n TIMESTAMP,
        reached_c TIMESTAMP, engaged_c TIMESTAMP, reached_at TIMESTAMP, engaged_at TIMESTAMP)""",
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
CUSTOMER_HASH_SQL = (  # null without a customer: those contacts share no customer's facts
    "CASE WHEN customer_id IS NOT NULL THEN md5_number_lower(concat_ws(chr(31), recall_id, customer_id)) END"
)
CONTACT_MATCH_SQL = """x.recall_id = r.recall_id OR (x.recall_id IS NULL AND (
            list_has_any(x.tags, r.match_tags)
            OR list_contains(r.match_queues, lower(x.queue))
            OR list_contains(r.match_numbers, x.dialled_number)))"""
EVENT_MATCH_SQL = """x.recall_id = r.recall_id
    OR (x.recall_id IS NULL AND list_contains(r.match_campaigns, lower(x.campaign)))"""
# What a writer records per touched row (columns of the table aliased ``a``).
_TOUCH = {
    "contacts": "key_h UBIGINT",
    "notifications": "key_h UBIGINT",
    "affected": "recall_id VARCHAR, customer_id VARCHAR, email VARCHAR, phone VARCHAR",
    "recalls": "recall_id VARCHAR",
}
TOUCH_COLUMNS = {
    "contacts": "a.key_h",
    "notifications": "a.key_h",
    "affected": f"a.recall_id, {REGISTRY_ID_SQL}, a.customer_email, a.customer_phone",
    "recalls": "a.recall_id",
}
REACHED_SQL = "('delivered', 'read', 'opened', 'clicked')"
# Over a customer's registry rows: the distinct regions and lots of their units, '(unknown)' for none.
# A plain list aggregate, sorted and made distinct afterwards: an ordered or DISTINCT aggregate keeps
# every group's input in memory it cannot spill (a 5M-unit registry ran out of a 1 GB limit).
GROUPS_SQL = """list_sort(list_distinct(list(coalesce(region, '(unknown)')))) AS regions,
        list_sort(list_distinct(list(coalesce(lot, '(unknown)')))) AS lots"""
ENGAGED_SQL = "('read', 'clicked', 'replied')"
ANSWERED_CALL_SQL = "direction = 'outbound' AND channel = 'phone' AND (answered_at IS NOT NULL OR talk_s > 0)"
# Over rows of one recall: the next inbound contact of the same customer (see the docstring).
_NEXT = """OVER (PARTITION BY recall_id, customer_id, direction ORDER BY created_at
               RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP)"""
NEXT_SQL = f"""CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL THEN min(created_at) {_NEXT} END AS next_at,
    CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL
         THEN arg_min(channel, (created_at, source, source_id)) {_NEXT} END AS next_channel"""
# The parts of customer_facts, each from one kind of fact (``x``), per (recall_id, customer_id).
_OUTREACH_PART = f"""min(status_at) AS notified_at, min(status_at) FILTER (status IN {REACHED_SQL}) AS reached_n,
        min(status_at) FILTER (status IN {ENGAGED_SQL}) AS engaged_n"""
_CONTACT_PART = f"""min(created_at) FILTER ({ANSWERED_CALL_SQL}) AS reached_c,
        min(created_at) FILTER (direction = 'inbound') AS engaged_c"""


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
SELECT *, {CUSTOMER_HASH_SQL} AS customer_h FROM (
    SELECT {_CONTACT_SELECT}, {IDENTITY_SQL} AS customer_id, {PHASE_SQL} AS phase, {DAY_SQL} AS day,
        x.channel <> 'phone' AS is_ticket
    FROM {rows} x JOIN recalls r ON {CONTACT_MATCH_SQL}
    {_identity_joins()})"""


def notification_facts_sql(rows: str) -> str:
    """SELECT the facts of the outreach events in relation ``rows``."""
    return f"""WITH {_ids(rows)}
SELECT *, {CUSTOMER_HASH_SQL} AS customer_h FROM (
    SELECT x.* REPLACE (r.recall_id AS recall_id), {IDENTITY_SQL} AS customer_id
    FROM {rows} x JOIN recalls r ON {EVENT_MATCH_SQL}
    {_identity_joins()})"""


def customer_facts_sql(customers: str | None) -> str:
    """SELECT the whole facts of the affected customers in relation ``customers`` (recall_id,
    customer_id, customer_h), or of every one when None."""
    reg_only = f"SEMI JOIN {customers} k USING (recall_id, customer_id)" if customers else ""
    facts_only = f"WHERE customer_h IN (SELECT customer_h FROM {customers})" if customers else ""
    return f"""WITH reg AS (
    SELECT * FROM (SELECT a.recall_id, {REGISTRY_ID_SQL} AS customer_id, a.region, a.lot, a.remedy_completed_at
                   FROM affected a)
    {reg_only} WHERE customer_id IS NOT NULL),
people AS (
    SELECT recall_id, customer_id, count(*) AS units, {GROUPS_SQL},
        CASE WHEN count(remedy_completed_at) = count(*) THEN max(remedy_completed_at) END AS remedied_at
    FROM reg GROUP BY ALL),
ev AS (SELECT recall_id, customer_id, {_OUTREACH_PART} FROM notification_facts {facts_only} GROUP BY ALL),
calls AS (SELECT recall_id, customer_id, {_CONTACT_PART} FROM contact_facts {facts_only} GROUP BY ALL)
SELECT recall_id, customer_id, {CUSTOMER_HASH_SQL} AS customer_h, units, regions, lots, remedied_at, notified_at,
    reached_n, engaged_n, reached_c, engaged_c,
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
        # Customers whose whole facts are recomputed: those of touched registry rows, before and after.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _registry_customers AS SELECT *, {CUSTOMER_HASH_SQL} AS customer_h "
            "FROM (SELECT DISTINCT recall_id, customer_id FROM _touched_affected WHERE customer_id IS NOT NULL)"
        )
        contact_customers = _refresh_facts(con, "contacts", "contact_facts")
        event_customers = _refresh_facts(con, "notifications", "notification_facts")
        if _count(con, "_registry_customers"):
            _delete_customers(con, "_registry_customers")
            con.execute(f"INSERT INTO customer_facts BY NAME {customer_facts_sql('_registry_customers')}")
        if contact_customers:
            _update_part(con, "_changed_contacts", "contact_facts", _CONTACT_PART, ("reached_c", "engaged_c"))
        if event_customers:
            _update_part(
                con,
                "_changed_notifications",
                "notification_facts",
                _OUTREACH_PART,
                ("notified_at", "reached_n", "engaged_n"),
            )
        con.execute(
            "DROP TABLE _registry_customers; DROP TABLE IF EXISTS _changed_contacts; "
            "DROP TABLE IF EXISTS _changed_notifications"
        )
    for table in _TOUCH:
        con.execute(f"DELETE FROM _touched_{table}")


_IN_DIRTY = "key_h IN (SELECT key_h FROM _dirty)"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _dirty(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Temp table ``_dirty`` (key_h): rows of ``table`` whose facts must be recomputed (touched
    rows and rows sharing an address with a touched registry row); returns how many."""
    by_address = (
        f"""UNION SELECT key_h FROM {table}
            WHERE customer_email IN (SELECT email FROM _touched_affected)
               OR customer_phone IN (SELECT phone FROM _touched_affected)"""
        if _count(con, "_touched_affected")
        else ""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dirty AS SELECT DISTINCT key_h FROM _touched_{table} {by_address}")
    return _count(con, "_dirty")


def fetch_by_hash(con: duckdb.DuckDBPyConnection, target: str, table: str, column: str, keys: str) -> None:
    """Temp table ``target``: the rows of ``table`` (``_rid`` = their rowid, then every column)
    whose ``column`` (a hash) is in ``keys.column``. Found by one scan of that integer column, then
    fetched by rowid: filtering a wide row by a hash would decompress every column of the table."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rids AS SELECT rowid AS rid FROM {table} "
        f"WHERE {column} IN (SELECT {column} FROM {keys})"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT rowid AS _rid, * FROM {table} "
        "WHERE rowid IN (SELECT rid FROM _rids)"
    )
    con.execute("DROP TABLE _rids")


def _refresh_facts(con: duckdb.DuckDBPyConnection, table: str, facts: str) -> int:
    """Recompute the facts of the dirty rows of ``table`` (and, for contacts, ``next_at`` of every
    contact of their customers). Leaves ``_changed_<table>`` (customer_h): the customers of those
    rows before and after; returns how many.

    Only the dirty rows are read whole (they are mostly the rows just written, at the end of the
    table); facts elsewhere in the table are reached through narrow columns, since a scattered
    read in a column store costs a scan of every column it reads."""
    if not _dirty(con, table):
        con.execute("DROP TABLE _dirty")
        return 0
    # The dirty rows, by rowid (mostly just written: at the end of the table, a cheap read).
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rids AS SELECT rowid AS rid FROM {table} WHERE {_IN_DIRTY}")
    rows = f"(SELECT * FROM {table} WHERE rowid IN (SELECT rid FROM _rids))"
    fresh = contact_facts_sql(rows) if table == "contacts" else notification_facts_sql(rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _old AS SELECT rowid AS _rid, customer_h FROM {facts} WHERE {_IN_DIRTY}")
    con.execute(f"DELETE FROM {facts} WHERE rowid IN (SELECT _rid FROM _old)")
    con.execute(f"INSERT INTO {facts} BY NAME {fresh}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _changed_{table} AS SELECT DISTINCT customer_h FROM (
            SELECT customer_h FROM _old UNION ALL SELECT customer_h FROM {facts} WHERE {_IN_DIRTY})
        WHERE customer_h IS NOT NULL"""
    )
    if table == "contacts":
        _renew_next(con, f"_changed_{table}")
    con.execute("DROP TABLE _dirty; DROP TABLE _rids; DROP TABLE _old")
    return _count(con, f"_changed_{table}")


def _renew_next(con: duckdb.DuckDBPyConnection, customers: str) -> None:
    """Recompute ``next_at``/``next_channel`` over every contact fact of ``customers`` (customer_h)
    and update the rows where they changed."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _theirs AS SELECT rowid AS _rid, source, source_id, recall_id, customer_id, "
        "direction, created_at, channel, next_at AS was_at, next_channel AS was_channel FROM contact_facts "
        f"WHERE customer_h IN (SELECT customer_h FROM {customers})"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _next AS SELECT * FROM (SELECT _rid, was_at, was_channel, {NEXT_SQL}
            FROM _theirs) WHERE next_at IS DISTINCT FROM was_at OR next_channel IS DISTINCT FROM was_channel"""
    )
    con.execute(
        "UPDATE contact_facts f SET next_at = n.next_at, next_channel = n.next_channel FROM _next n "
        "WHERE f.rowid = n._rid"
    )
    con.execute("DROP TABLE _theirs; DROP TABLE _next")


def _delete_customers(con: duckdb.DuckDBPyConnection, customers: str) -> None:
    """Delete the customer facts of the (recall_id, customer_id) in ``customers``."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _theirs AS SELECT rowid AS _rid, recall_id, customer_id FROM customer_facts "
        f"WHERE customer_h IN (SELECT customer_h FROM {customers})"
    )
    con.execute(
        f"DELETE FROM customer_facts WHERE rowid IN "
        f"(SELECT _rid FROM _theirs SEMI JOIN {customers} k USING (recall_id, customer_id))"
    )
    con.execute("DROP TABLE _theirs")


# What each part of customer_facts reads from its facts (narrow: see _refresh_facts).
_PART_INPUTS = {
    "contact_facts": "direction, channel, answered_at, talk_s, created_at",
    "notification_facts": "status, status_at",
}


def _update_part(
    con: duckdb.DuckDBPyConnection, customers: str, facts: str, part: str, columns: tuple[str, ...]
) -> None:
    """Recompute ``columns`` (the ``part`` aggregates over ``facts``) of the customer facts of
    ``customers`` (customer_h), and their ``reached_at``/``engaged_at``; customers without a
    registry row have none."""
    only = f"WHERE customer_h IN (SELECT customer_h FROM {customers})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _theirs AS SELECT rowid AS _rid, recall_id, customer_id "
        f"FROM customer_facts {only}"
    )
    if not _count(con, "_theirs"):  # none of them is an affected customer
        con.execute("DROP TABLE _theirs")
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _part AS
        SELECT f._rid AS rid, x.* EXCLUDE (recall_id, customer_id)
        FROM _theirs f
        LEFT JOIN (SELECT recall_id, customer_id, {part}
                   FROM (SELECT recall_id, customer_id, {_PART_INPUTS[facts]} FROM {facts} {only}) GROUP BY ALL) x
               USING (recall_id, customer_id)"""
    )
    sets = ", ".join(f"{c} = p.{c}" for c in columns)
    con.execute(f"UPDATE customer_facts f SET {sets} FROM _part p WHERE f.rowid = p.rid")
    con.execute(
        "UPDATE customer_facts f SET reached_at = least(f.reached_n, f.reached_c), "
        "engaged_at = least(f.engaged_n, f.engaged_c) FROM _part p WHERE f.rowid = p.rid"
    )
    con.execute("DROP TABLE _part; DROP TABLE _theirs")
