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
CALL_SQL = "direction = 'outbound' AND channel = 'phone'"  # an outbound recall phone call, answered or not
# The channels regulators ask by (docs/regulator-reports.md#figures), and how ours map onto them
# (any case; every other channel is 'other'): outreach channels onto notice channels, contact channels
# onto the channels consumer contacts are counted by.
REGULATOR_CHANNELS = ("phone", "email", "mail", "other_electronic", "other")
NOTICE_CHANNELS = {
    "phone": "phone",
    "email": "email",
    "letter": "mail",
    "mail": "mail",
    "post": "mail",
    "sms": "other_electronic",
    "whatsapp": "other_electronic",
}
CONTACT_CHANNELS = {
    "phone": "phone",
    "email": "email",
    "letter": "mail",
    "mail": "mail",
    "chat": "other_electronic",
    "web": "other_electronic",
    "social": "other_electronic",
    "sms": "other_electronic",
    "whatsapp": "other_electronic",
}


def regulator_channel_sql(column: str, mapping: dict[str, str]) -> str:
    """The regulator channel of ``column`` by ``mapping`` (NOTICE_CHANNELS or CONTACT_CHANNELS);
    'other' when unmapped."""
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE lower({column}) {whens} ELSE 'other' END"


NOTICE_CHANNEL_SQL = regulator_channel_sql("channel", NOTICE_CHANNELS)  # an outreach event's
CONTACT_CHANNEL_SQL = regulator_channel_sql("channel", CONTACT_CHANNELS)  # a contact's


# Over a customer's registry rows: the distinct regions and lots of their units, '(unknown)' for none.
# A plain list aggregate, sorted and made distinct afterwards: an ordered or DISTINCT aggregate keeps
# every group's input in memory it cannot spill (a 5M-unit registry ran out of a 1 GB limit).
GROUPS_SQL = """list_sort(list_distinct(list(coalesce(region, '(unknown)')))) AS regions,
        list_sort(list_distinct(list(coalesce(lot, '(unknown)')))) AS lots"""
# Over rows of one recall, an inbound contact's place among its customer's inbound contacts:
# ``next_at``/``next_channel``, the next one (created strictly later; ties broken by source,
# source_id); ``first_inbound``, whether it is the first (by created_at, source, source_id), and
# ``first_on_channel``, the first on its regulator channel (CONTACT_CHANNELS). Null for other contacts.
INBOUND_OF_CUSTOMER = "direction = 'inbound' AND customer_id IS NOT NULL"  # the contacts given a place


def sequence_sql(hashed: bool = False, firsts: bool = True) -> str:
    """The place columns (``next_at``, ``next_channel``, and with ``firsts`` ``first_inbound``,
    ``first_on_channel``) over rows with recall_id, customer_id, direction, created_at, channel,
    source and source_id. ``hashed``: the rows also have ``customer_h`` (CUSTOMER_HASH_SQL, a function
    of recall and customer), put first in every partition: the same partitions, told apart on an
    integer before the text (a first load's 8.5M facts windowed 2.5 s sooner)."""
    by = f"PARTITION BY {'customer_h, ' if hashed else ''}recall_id, customer_id, direction"
    when = f"WHEN {INBOUND_OF_CUSTOMER} THEN"
    later = f"OVER ({by} ORDER BY created_at RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP)"
    columns = [
        f"CASE {when} min(created_at) {later} END AS next_at",
        f"CASE {when} arg_min(channel, (created_at, source, source_id)) {later} END AS next_channel",
    ]
    if firsts:
        columns += [
            f"CASE {when} row_number() OVER ({by} ORDER BY created_at, source, source_id) = 1 END AS first_inbound",
            f"CASE {when} row_number() OVER ({by}, {CONTACT_CHANNEL_SQL} ORDER BY created_at, source, source_id) = 1 "
            "END AS first_on_channel",
        ]
    return ",\n    ".join(columns)


NEXT_SQL = sequence_sql(firsts=False)
SEQUENCE_SQL = sequence_sql()
SEQUENCE_COLUMNS = ("next_at", "next_channel", "first_inbound", "first_on_channel")


def registry_ids_sql(rows: str) -> str:
    """CTEs ``ids_e``/``ids_p``: (recall, address) → registry customer id (the smallest when several
    units share the address), for the addresses of the relation ``rows``; ``ids_o``: the registry
    customer ids that are a customer_ref spelled ``email:…`` or ``phone:…``."""
    return f"""ids_e AS (
    SELECT a.recall_id, a.customer_email, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_email IN (SELECT customer_email FROM {rows}) GROUP BY ALL),
ids_p AS (
    SELECT a.recall_id, a.customer_phone, min({REGISTRY_ID_SQL}) AS customer_id FROM affected a
    WHERE a.customer_phone IN (SELECT customer_phone FROM {rows}) GROUP BY ALL),
ids_o AS (  -- registry customer references spelled like an address's own id (rare; see AFFECTED_SQL)
    SELECT DISTINCT a.recall_id, a.customer_ref AS customer_id FROM affected a
    WHERE a.customer_ref LIKE 'email:%' OR a.customer_ref LIKE 'phone:%')"""


OWN_ID_SQL = "coalesce('email:' || x.customer_email, 'phone:' || x.customer_phone)"
IDENTITY_JOINS_SQL = f"""LEFT JOIN ids_e e ON e.recall_id = r.recall_id AND e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.recall_id = r.recall_id AND p.customer_phone = x.customer_phone
    LEFT JOIN ids_o o ON o.recall_id = r.recall_id AND o.customer_id = {OWN_ID_SQL}"""
# Whether a contact's or event's customer (IDENTITY_SQL) is one of the recall's affected customers
# (a registry customer id): found by its email or phone, or its own id is a registry customer_ref.
AFFECTED_SQL = "(e.customer_id IS NOT NULL OR p.customer_id IS NOT NULL OR o.customer_id IS NOT NULL)"
