"""Which rows a recall's metrics see: recall assignment, identity and phase, as SQL.

Every metric query starts ``WITH {scope_ctes()} ...`` and is run with the parameters
``rid`` (recall id) ``as_of`` (naive UTC timestamp), ``channels``, ``start`` and ``end``. The CTEs are:

``r``      the recall row.
``reg``    the recall's registry: one row per affected unit with its ``customer_id``
           (``customer_ref``, else ``email:<email>``, else ``phone:<E.164>``; null when none).
``ids_e``, ``ids_p``  email → customer_id and phone → customer_id from the registry (the
           smallest id when several registry rows share an email or phone).
``c_all``  the recall's contacts created at or before ``as_of``: those naming the recall, and
           those naming none that match a rule (a tag in ``match_tags``, the queue, case-
           insensitively, in ``match_queues``, the dialled number in ``match_numbers``). Adds
           ``customer_id`` = registry id by email, else by phone, else ``email:…``, else
           ``phone:…``, else null; ``phase`` (design §4: A = announced_at;
           pre_announcement t < A; day_one A ≤ t < A+24 h; during A+24 h ≤ t < ongoing_from;
           ongoing ongoing_from ≤ t < closed_at; after t ≥ closed_at); ``day`` (local date of
           ``created_at`` in the recall's zone); ``is_ticket`` (channel other than phone).
``c``      ``c_all`` narrowed by the shared filters (parameters ``channels``, a list or null, and
           ``start``/``end``, local dates or null). Metrics measure ``c``; look-ups that must
           see every contact (FCR's repeat contacts) use ``c_all``.
``n``      the recall's notification events at or before ``as_of`` (named, or matched by
           ``campaign`` case-insensitively), with ``customer_id`` resolved the same way.

Identity is resolved here, at query time, so results never depend on load order.
"""

from __future__ import annotations

PHASES = ("pre_announcement", "day_one", "during", "ongoing", "after")
PHASE_LABELS = {
    "pre_announcement": "Before announcement",
    "day_one": "Day one",
    "during": "During the recall",
    "ongoing": "Ongoing",
    "after": "After the recall",
    "all": "Whole recall",
}

_IDENTITY = """coalesce(e.customer_id, p.customer_id,
        'email:' || {t}.customer_email, 'phone:' || {t}.customer_phone)"""


FILTERED = """(CAST($channels AS VARCHAR[]) IS NULL OR list_contains(CAST($channels AS VARCHAR[]), channel))
    AND (CAST($start AS DATE) IS NULL OR day >= CAST($start AS DATE))
    AND (CAST($end AS DATE) IS NULL OR day <= CAST($end AS DATE))"""


def scope_ctes() -> str:
    """The shared CTEs (without the leading WITH)."""
    ident_c = _IDENTITY.format(t="x")
    return f"""
r AS (SELECT * FROM recalls WHERE recall_id = $rid),
reg AS (
    SELECT a.*, coalesce(a.customer_ref, 'email:' || a.customer_email, 'phone:' || a.customer_phone)
        AS customer_id
    FROM affected a WHERE a.recall_id = $rid),
ids_e AS (SELECT customer_email, min(customer_id) AS customer_id FROM reg
          WHERE customer_email IS NOT NULL AND customer_id IS NOT NULL GROUP BY ALL),
ids_p AS (SELECT customer_phone, min(customer_id) AS customer_id FROM reg
          WHERE customer_phone IS NOT NULL AND customer_id IS NOT NULL GROUP BY ALL),
c_all AS (
    SELECT x.*, {ident_c} AS customer_id,
        CASE WHEN x.created_at < r.announced_at THEN 'pre_announcement'
             WHEN x.created_at < r.announced_at + INTERVAL 24 HOUR THEN 'day_one'
             WHEN x.created_at < r.ongoing_from THEN 'during'
             WHEN r.closed_at IS NULL OR x.created_at < r.closed_at THEN 'ongoing'
             ELSE 'after' END AS phase,
        CAST(timezone(r.timezone, timezone('UTC', x.created_at)) AS DATE) AS day,
        x.channel <> 'phone' AS is_ticket
    FROM contacts x
    JOIN r ON x.recall_id = r.recall_id OR (x.recall_id IS NULL AND (
            list_has_any(x.tags, r.match_tags)
            OR list_contains(r.match_queues, lower(x.queue))
            OR list_contains(r.match_numbers, x.dialled_number)))
    LEFT JOIN ids_e e ON e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.customer_phone = x.customer_phone
    WHERE x.created_at <= $as_of),
c AS (SELECT * FROM c_all WHERE {FILTERED}),
n AS (
    SELECT x.*, {ident_c} AS customer_id
    FROM notifications x
    JOIN r ON x.recall_id = r.recall_id
        OR (x.recall_id IS NULL AND list_contains(r.match_campaigns, lower(x.campaign)))
    LEFT JOIN ids_e e ON e.customer_email = x.customer_email
    LEFT JOIN ids_p p ON p.customer_phone = x.customer_phone
    WHERE x.status_at <= $as_of)"""


def bucket_sql(by: str) -> str:
    """The grouping column of ``c`` for a grain: ``phase`` or ``day``."""
    if by not in ("phase", "day"):
        raise ValueError(f"grain must be 'phase' or 'day', not {by!r}")
    return by
