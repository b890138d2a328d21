"""``customer_facts``: one row per (recall, affected customer = distinct registry customer id):

- ``units``, ``regions`` and ``lots`` of their units (distinct; ``(unknown)`` for none);
- ``remedied_at``: the latest ``remedy_completed_at`` when every unit has one;
- ``notified_at``: their first outreach event, any status;
- ``reached_at``: the first of ``reached_by_event_at`` (a delivered, read, opened or clicked event)
  and ``reached_by_call_at`` (an answered outbound call);
- ``engaged_at``: the first of ``engaged_by_event_at`` (a read, clicked or replied event) and
  ``engaged_by_contact_at`` (an inbound contact);
- per regulator channel ``<ch>`` (rules.REGULATOR_CHANNELS; outreach channels mapped by
  NOTICE_CHANNELS, contact channels by CONTACT_CHANNELS): ``notified_<ch>_at``,
  ``reached_<ch>_by_event_at``, ``engaged_<ch>_by_event_at`` (the same three rules over that
  channel's outreach events) and ``engaged_<ch>_by_contact_at`` (an inbound contact on it);
  ``called_at``: their first outbound recall phone call, answered or not. The regulator reports
  count customers by these (metrics/regulator/figures.py).

Each moment is "by t" exactly when ≤ t. The event part (the moments ``…_by_event_at`` and
``notified_…``) and the contact part (``reached_by_call_at``, ``called_at``, ``…_by_contact_at``)
can be recomputed alone (:func:`update_part`). Rules: store/derived/rules.py.
"""

from __future__ import annotations

import duckdb

from store.derived.rules import (
    ANSWERED_CALL_SQL,
    CALL_SQL,
    CONTACT_CHANNEL_SQL,
    CUSTOMER_HASH_SQL,
    ENGAGED_SQL,
    GROUPS_SQL,
    NOTICE_CHANNEL_SQL,
    REACHED_SQL,
    REGISTRY_ID_SQL,
    REGULATOR_CHANNELS,
)
from store.derived.touched import count

# The moments of one part, name → aggregate over that part's inputs (below).
EVENT_MOMENTS = {
    "notified_at": "min(status_at)",
    "reached_by_event_at": f"min(status_at) FILTER (status IN {REACHED_SQL})",
    "engaged_by_event_at": f"min(status_at) FILTER (status IN {ENGAGED_SQL})",
}
for _ch in REGULATOR_CHANNELS:
    EVENT_MOMENTS |= {
        f"notified_{_ch}_at": f"min(status_at) FILTER (notice_channel = '{_ch}')",
        f"reached_{_ch}_by_event_at": f"min(status_at) FILTER (notice_channel = '{_ch}' AND status IN {REACHED_SQL})",
        f"engaged_{_ch}_by_event_at": f"min(status_at) FILTER (notice_channel = '{_ch}' AND status IN {ENGAGED_SQL})",
    }
CONTACT_MOMENTS = {
    "reached_by_call_at": f"min(created_at) FILTER ({ANSWERED_CALL_SQL})",
    "engaged_by_contact_at": "min(created_at) FILTER (direction = 'inbound')",
    "called_at": f"min(created_at) FILTER ({CALL_SQL})",
}
for _ch in REGULATOR_CHANNELS:
    CONTACT_MOMENTS[f"engaged_{_ch}_by_contact_at"] = (
        f"min(created_at) FILTER (direction = 'inbound' AND contact_channel = '{_ch}')"
    )
MOMENTS = (*EVENT_MOMENTS, *CONTACT_MOMENTS)  # every moment column, in the table's order
# The moments of the coverage funnel; the others are by regulator channel.
FUNNEL_MOMENTS = (
    "notified_at",
    "reached_by_event_at",
    "engaged_by_event_at",
    "reached_by_call_at",
    "engaged_by_contact_at",
)

DDL = f"""CREATE TABLE IF NOT EXISTS customer_facts (recall_id VARCHAR, customer_id VARCHAR, customer_h UBIGINT,
    units BIGINT, regions VARCHAR[], lots VARCHAR[], remedied_at TIMESTAMP,
    {", ".join(f"{m} TIMESTAMP" for m in MOMENTS)}, reached_at TIMESTAMP, engaged_at TIMESTAMP)"""


def part_sql(moments: dict[str, str]) -> str:
    """The aggregates of ``moments`` (name → aggregate), as a select list."""
    return ",\n        ".join(f"{sql} AS {name}" for name, sql in moments.items())


# The parts of customer_facts, each aggregated from one kind of fact per (recall_id, customer_id),
# the columns each writes, and the narrow inputs each reads (a select list over that fact table).
EVENT_PART = part_sql(EVENT_MOMENTS)
CONTACT_PART = part_sql(CONTACT_MOMENTS)
EVENT_INPUTS = f"status, status_at, {NOTICE_CHANNEL_SQL} AS notice_channel"
CONTACT_INPUTS = f"direction, channel, answered_at, talk_s, created_at, {CONTACT_CHANNEL_SQL} AS contact_channel"
PARTS = {
    "notification_facts": (EVENT_PART, tuple(EVENT_MOMENTS), EVENT_INPUTS),
    "contact_facts": (CONTACT_PART, tuple(CONTACT_MOMENTS), CONTACT_INPUTS),
}


def facts_sql(customers: str | None) -> str:
    """SELECT the whole facts of the affected customers in relation ``customers`` (recall_id,
    customer_id, customer_h), or of every one when None."""
    registry_only = f"SEMI JOIN {customers} k USING (recall_id, customer_id)" if customers else ""
    # Only the facts of affected customers: the others have no row here.
    facts_only = (
        f"WHERE affected AND customer_h IN (SELECT customer_h FROM {customers})" if customers else "WHERE affected"
    )
    return f"""WITH units AS (
    SELECT * FROM (SELECT a.recall_id, {REGISTRY_ID_SQL} AS customer_id, a.region, a.lot, a.remedy_completed_at
                   FROM affected a)
    {registry_only} WHERE customer_id IS NOT NULL),
owners AS (
    SELECT recall_id, customer_id, count(*) AS units, {GROUPS_SQL},
        CASE WHEN count(remedy_completed_at) = count(*) THEN max(remedy_completed_at) END AS remedied_at
    FROM units GROUP BY ALL),
by_events AS (
    SELECT recall_id, customer_id, {EVENT_PART}
    FROM (SELECT recall_id, customer_id, customer_h, affected, {EVENT_INPUTS} FROM notification_facts) {facts_only}
    GROUP BY ALL),
by_contacts AS (
    SELECT recall_id, customer_id, {CONTACT_PART}
    FROM (SELECT recall_id, customer_id, customer_h, affected, {CONTACT_INPUTS} FROM contact_facts) {facts_only}
    GROUP BY ALL)
SELECT recall_id, customer_id, {CUSTOMER_HASH_SQL} AS customer_h, units, regions, lots, remedied_at,
    {", ".join(MOMENTS)},
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


# update_part: above this many customers touched, their rows are rewritten (an in-place UPDATE of a dozen
# columns of millions of rows is far slower), their part computed this many at a time (its hash
# table stays within the store's memory limit while the load's own rows are held too).
REWRITE_OVER = 100_000
SLICE = 1_000_000
# reached_at and engaged_at are each the first of two moments, one from each part.
_COMBINED = ("reached_by_event_at", "reached_by_call_at", "engaged_by_event_at", "engaged_by_contact_at")


def update_part(con: duckdb.DuckDBPyConnection, customers: str, facts: str, theirs_in: str | None = None) -> None:
    """Recompute the part of ``customers``' (customer_h) facts that comes from ``facts``
    (contact_facts or notification_facts), and their ``reached_at``/``engaged_at``; customers
    without a registry row have no customer facts and are skipped. ``theirs_in``: a relation
    already holding every row of ``facts`` of ``customers`` (with the part's inputs, ``affected``
    and ``customer_h``), read instead.

    Up to REWRITE_OVER customers, only the rows whose part changed are updated: every moment is a
    minimum, so most customers a load touches keep theirs (a later contact changes no first)."""
    part, columns, inputs = PARTS[facts]
    theirs = f"WHERE customer_h IN (SELECT customer_h FROM {customers})"
    few = count(con, customers) <= REWRITE_OVER  # customers bounds the rows: the in-place update is certain
    held = "".join(f", {c}" for c in dict.fromkeys((*columns, *_COMBINED))) if few else ""  # compared, combined
    con.execute(f"CREATE OR REPLACE TEMP TABLE _customer_rows AS SELECT rowid AS _rid, recall_id, customer_id, "
                f"customer_h{held} FROM customer_facts {theirs}")  # fmt: skip
    n = count(con, "_customer_rows")
    rows = f"{theirs_in} WHERE affected" if theirs_in else f"{facts} {theirs} AND affected"

    def recomputed(i: int = 0, slices: int = 1) -> str:  # the part of slice i of _customer_rows (k)
        return f"""(SELECT k._rid, p.* EXCLUDE (recall_id, customer_id) FROM _customer_rows k
            LEFT JOIN (SELECT recall_id, customer_id, {part}
                       FROM (SELECT recall_id, customer_id, {inputs} FROM {rows} AND customer_h % {slices} = {i})
                       GROUP BY ALL) p USING (recall_id, customer_id)
            WHERE k.customer_h % {slices} = {i})"""

    def now(c: str, held: str = "f") -> str:  # a column's value after the update
        return f"p.{c}" if c in columns else f"{held}.{c}"

    def reached(held: str = "f") -> str:
        return f"least({now('reached_by_event_at', held)}, {now('reached_by_call_at', held)})"

    def engaged(held: str = "f") -> str:
        return f"least({now('engaged_by_event_at', held)}, {now('engaged_by_contact_at', held)})"

    if n and few:
        changed = " OR ".join(f"p.{c} IS DISTINCT FROM k.{c}" for c in columns)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _recomputed_part AS SELECT p.*, {reached('k')} AS reached_at, "
            f"{engaged('k')} AS engaged_at FROM {recomputed()} p JOIN _customer_rows k USING (_rid) WHERE {changed}"
        )
        sets = ", ".join(f"{c} = p.{c}" for c in (*columns, "reached_at", "engaged_at"))
        con.execute(f"UPDATE customer_facts f SET {sets} FROM _recomputed_part p WHERE f.rowid = p._rid")
        con.execute("DROP TABLE _recomputed_part")
    elif n:
        slices = -(-n // SLICE)
        replaced = ", ".join(f"p.{c} AS {c}" for c in columns)
        for i in range(slices):
            con.execute(
                f"INSERT INTO customer_facts BY NAME "
                f"SELECT f.* REPLACE ({replaced}, {reached()} AS reached_at, {engaged()} AS engaged_at) "
                f"FROM customer_facts f JOIN {recomputed(i, slices)} p ON f.rowid = p._rid"
            )
        con.execute("DELETE FROM customer_facts WHERE rowid IN (SELECT _rid FROM _customer_rows)")
    con.execute("DROP TABLE _customer_rows")
