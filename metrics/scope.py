"""Which rows a recall's metrics see, as SQL CTEs.

Every metric query starts ``WITH {scope_ctes()} ...`` (the regulator reports'
``scope_ctes(by_channel=True)``) and is run with the parameters ``rid`` (recall id), ``as_of``
(naive UTC timestamp), ``channels``, ``start`` and ``end``. The CTEs are:

``r``      the recall row.
``reg``    the recall's registry: one row per affected unit with its ``customer_id``
           (``customer_ref``, else ``email:<email>``, else ``phone:<E.164>``; null when none).
``c_all``  the recall's contacts created at or before ``as_of``, with ``customer_id``,
           ``customer_h`` (null exactly when the customer is unknown: test it rather than the text,
           which costs a scan of every id), ``affected`` (the customer is one of ``people``), ``phase``,
           ``day``, ``is_ticket``, ``next_at`` and ``next_channel``, and with ``by_channel`` the
           first-contact flags ``first_inbound``, ``first_on_channel`` (rules: store/derived/contact_facts.py).
``c``      ``c_all`` narrowed by the shared filters (parameters ``channels``, a list or null, and
           ``start``/``end``, local dates or null). Metrics measure ``c``; look-ups that must
           see every contact (FCR's repeat contacts) use ``c_all``.
``n``      the recall's outreach events at or before ``as_of``, with ``customer_id``, ``customer_h`` and
           ``affected``.
``people`` the recall's affected customers (distinct registry ``customer_id``, and ``customer_h``) with
           ``units``, ``regions``, ``lots`` and,
           as of ``as_of`` (null when not yet), ``remedied_at``, ``notified_at``, ``reached_at``,
           ``engaged_at``, and with ``by_channel`` every moment of customer_facts (by regulator channel;
           rules: store/derived/customer_facts.py).

``c_all`` and ``n`` read the derived tables kept at load time. With ``QUERY_TIME`` set they are
computed from the canonical tables by the same rules instead (slow; the equivalence test compares
both). ``next_at`` over all contacts or over those up to ``as_of`` differs only when the next
contact is after ``as_of``, which no metric distinguishes from "none" (a window ends at ≤ ``as_of``).
"""

from __future__ import annotations

from functools import cache

from store.derived.customer_facts import (
    CONTACT_INPUTS,
    CONTACT_MOMENTS,
    EVENT_INPUTS,
    EVENT_MOMENTS,
    FUNNEL_MOMENTS,
    MOMENTS,
    part_sql,
)
from store.derived.rules import (
    CONTACT_MATCH_SQL,
    CUSTOMER_HASH_SQL,
    DAY_SQL,
    EVENT_MATCH_SQL,
    GROUPS_SQL,
    IDENTITY_SQL,
    NEXT_SQL,
    PHASE_SQL,
    REGISTRY_ID_SQL,
    SEQUENCE_SQL,
)
from store.phases import ONGOING_AFTER, PHASES, phase_bounds

__all__ = ["ONGOING_AFTER", "PHASES", "PHASE_LABELS", "phase_bounds", "scope_ctes", "bucket_sql"]

PHASE_LABELS = {
    "pre_announcement": "Before announcement",
    "day_one": "Day one",
    "during": "During the recall",
    "ongoing": "Ongoing",
    "after": "After the recall",
    "all": "Whole recall",
}

FILTERED = """(CAST($channels AS VARCHAR[]) IS NULL OR list_contains(CAST($channels AS VARCHAR[]), channel))
    AND (CAST($start AS DATE) IS NULL OR day >= CAST($start AS DATE))
    AND (CAST($end AS DATE) IS NULL OR day <= CAST($end AS DATE))"""

# The recall and its registry, and the filtered contacts, the same on both paths.
_COMMON = f"""
r AS (SELECT * FROM recalls WHERE recall_id = $rid),
reg AS (SELECT a.*, {REGISTRY_ID_SQL} AS customer_id FROM affected a WHERE a.recall_id = $rid)"""
_FILTERED_C = f"c AS (SELECT * FROM c_all WHERE {FILTERED})"

PEOPLE_MOMENTS = ("remedied_at", "notified_at", "reached_at", "engaged_at")  # as of $as_of, in ``people``
# A contact's or event's customer is an affected customer: a registry customer id.
_MEMBER = "coalesce(customer_id IN (SELECT customer_id FROM reg), false)"


@cache
def _ctes(query_time: bool, by_channel: bool) -> str:
    """The CTEs read from the derived tables kept at load time (store/derived/), or the same rules
    evaluated at query time (for the equivalence test, tests/test_derived.py); the customers'
    moments by regulator channel and the contacts' first-contact flags only ``by_channel``."""
    moments = MOMENTS if by_channel else FUNNEL_MOMENTS
    if not query_time:
        shown = ("remedied_at", *moments, "reached_at", "engaged_at") if by_channel else PEOPLE_MOMENTS
        as_of = ",\n        ".join(f"CASE WHEN {m} <= $as_of THEN {m} END AS {m}" for m in shown)
        return f"""{_COMMON},
c_all AS (SELECT * FROM contact_facts WHERE recall_id = $rid AND created_at <= $as_of),
{_FILTERED_C},
n AS (SELECT * FROM notification_facts WHERE recall_id = $rid AND status_at <= $as_of),
people AS (
    SELECT customer_id, customer_h, units, regions, lots, {as_of}
    FROM customer_facts WHERE recall_id = $rid)"""
    events = part_sql({m: sql for m, sql in EVENT_MOMENTS.items() if m in moments})
    contacts = part_sql({m: sql for m, sql in CONTACT_MOMENTS.items() if m in moments})
    shown = ", ".join(moments) if by_channel else "notified_at"
    return f"""{_COMMON},
ids_e AS (SELECT customer_email, min(customer_id) AS customer_id FROM reg
          WHERE customer_email IS NOT NULL AND customer_id IS NOT NULL GROUP BY ALL),
ids_p AS (SELECT customer_phone, min(customer_id) AS customer_id FROM reg
          WHERE customer_phone IS NOT NULL AND customer_id IS NOT NULL GROUP BY ALL),
c_base AS (
    SELECT x.* REPLACE (r.recall_id AS recall_id), {IDENTITY_SQL} AS customer_id, {PHASE_SQL} AS phase,
        {DAY_SQL} AS day, x.channel <> 'phone' AS is_ticket
    FROM contacts x JOIN r ON {CONTACT_MATCH_SQL}
    LEFT JOIN ids_e e ON e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.customer_phone = x.customer_phone
    WHERE x.created_at <= $as_of),
c_all AS (SELECT *, {SEQUENCE_SQL if by_channel else NEXT_SQL}, {CUSTOMER_HASH_SQL} AS customer_h,
              {_MEMBER} AS affected FROM c_base),
{_FILTERED_C},
n_base AS (
    SELECT x.* REPLACE (r.recall_id AS recall_id), {IDENTITY_SQL} AS customer_id
    FROM notifications x JOIN r ON {EVENT_MATCH_SQL}
    LEFT JOIN ids_e e ON e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.customer_phone = x.customer_phone
    WHERE x.status_at <= $as_of),
n AS (SELECT *, {CUSTOMER_HASH_SQL} AS customer_h, {_MEMBER} AS affected FROM n_base),
people AS (
    SELECT g.customer_id, md5_number_lower(concat_ws(chr(31), $rid, g.customer_id)) AS customer_h,
        g.units, g.regions, g.lots, g.remedied_at, {shown},
        least(ev.reached_by_event_at, k.reached_by_call_at) AS reached_at,
        least(ev.engaged_by_event_at, k.engaged_by_contact_at) AS engaged_at
    FROM (SELECT customer_id, count(*) AS units, {GROUPS_SQL},
              CASE WHEN bool_and(coalesce(remedy_completed_at <= $as_of, false))
                   THEN max(remedy_completed_at) END AS remedied_at
          FROM reg WHERE customer_id IS NOT NULL GROUP BY ALL) g
    LEFT JOIN (SELECT customer_id, {events}
               FROM (SELECT customer_id, {EVENT_INPUTS} FROM n) WHERE customer_id IS NOT NULL GROUP BY ALL) ev
        USING (customer_id)
    LEFT JOIN (SELECT customer_id, {contacts}
               FROM (SELECT customer_id, {CONTACT_INPUTS} FROM c_all) WHERE customer_id IS NOT NULL GROUP BY ALL) k
        USING (customer_id))"""


QUERY_TIME = False  # True: evaluate the rules at query time instead of reading the derived tables


def scope_ctes(by_channel: bool = False) -> str:
    """The shared CTEs (without the leading WITH); ``by_channel``: with the moments by regulator
    channel in ``people`` and the first-contact flags in ``c_all`` (the regulator reports)."""
    return _ctes(QUERY_TIME, by_channel)


def bucket_sql(by: str) -> str:
    """The grouping column of ``c`` for a grain: ``phase`` or ``day``."""
    if by not in ("phase", "day"):
        raise ValueError(f"grain must be 'phase' or 'day', not {by!r}")
    return by
