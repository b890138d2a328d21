"""The rules that give a contact or an outreach event its recall, customer, phase and day, and a
customer their coverage moments, as SQL shared by the facts kept at load time (store/derived/) and
the same rules evaluated at query time (metrics/scope.py, for the equivalence test).

Aliases: ``x`` the contact or event, ``r`` the recall, ``a`` a registry row, ``e``/``p`` the
registry customer found by the contact's email / phone.
"""

from __future__ import annotations

from store.phases import phase_sql

# docs/phases.md; store/phases.py declares the bounds once.
PHASE_SQL = phase_sql("x.created_at")
DAY_SQL = "CAST(timezone(r.timezone, timezone('UTC', x.created_at)) AS DATE)"
# A registry row's customer: customer_ref, else email:<email>, else phone:<E.164>.
REGISTRY_ID_SQL = "coalesce(a.customer_ref, 'email:' || a.customer_email, 'phone:' || a.customer_phone)"
# A contact's or event's customer: the registry customer with its email, else its phone, else its own address.
IDENTITY_SQL = "coalesce(e.customer_id, p.customer_id, 'email:' || x.customer_email, 'phone:' || x.customer_phone)"
CUSTOMER_HASH_SQL = (  # null without a customer: those contacts share no customer's facts
    "CASE WHEN customer_id IS NOT NULL THEN md5_number_lower(concat_ws(chr(31), recall_id, customer_id)) END"
)
# A contact belongs to the recall it names, or, naming none, to every recall whose rules it matches.
CONTACT_MATCH_SQL = """x.recall_id = r.recall_id OR (x.recall_id IS NULL AND (
            list_has_any(x.tags, r.match_tags)
            OR list_contains(r.match_queues, lower(x.queue))
            OR list_contains(r.match_numbers, x.dialled_number)))"""
EVENT_MATCH_SQL = """x.recall_id = r.recall_id
    OR (x.recall_id IS NULL AND list_has_any(r.match_campaigns, [lower(c) FOR c IN x.campaign]))"""
REACHED_SQL = "('delivered', 'read', 'opened', 'clicked')"  # statuses that reached the customer
ENGAGED_SQL = "('read', 'clicked', 'replied')"  # statuses that engaged them
ANSWERED_CALL_SQL = "direction = 'outbound' AND channel = 'phone' AND (answered_at IS NOT NULL OR talk_s > 0)"
# Over a customer's registry rows: the distinct regions and lots of their units, '(unknown)' for none.
# A plain list aggregate, sorted and made distinct afterwards: an ordered or DISTINCT aggregate keeps
# every group's input in memory it cannot spill (a 5M-unit registry ran out of a 1 GB limit).
GROUPS_SQL = """list_sort(list_distinct(list(coalesce(region, '(unknown)')))) AS regions,
        list_sort(list_distinct(list(coalesce(lot, '(unknown)')))) AS lots"""
# Over rows of one recall: an inbound contact's customer's next inbound contact (created strictly
# later; ties broken by source, source_id).
_LATER_SAME_CUSTOMER = """OVER (PARTITION BY recall_id, customer_id, direction ORDER BY created_at
               RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP)"""
NEXT_SQL = f"""CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL
         THEN min(created_at) {_LATER_SAME_CUSTOMER} END AS next_at,
    CASE WHEN direction = 'inbound' AND customer_id IS NOT NULL
         THEN arg_min(channel, (created_at, source, source_id)) {_LATER_SAME_CUSTOMER} END AS next_channel"""


def registry_ids_sql(rows: str) -> str:
    """CTEs ``ids_e``/``ids_p``: (recall, address) → registry customer id (the smallest when several
    units share the address), for the addresses of the relation ``rows``."""
    return f"""ids_e AS (
    SELECT a.recall_id, a.customer_email, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_email IN (SELECT customer_email FROM {rows}) GROUP BY ALL),
ids_p AS (
    SELECT a.recall_id, a.customer_phone, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_phone IN (SELECT customer_phone FROM {rows}) GROUP BY ALL)"""


IDENTITY_JOINS_SQL = """LEFT JOIN ids_e e ON e.recall_id = r.recall_id AND e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.recall_id = r.recall_id AND p.customer_phone = x.customer_phone"""
