"""``notification_facts``: one row per (recall, outreach event it holds — naming it, or with any of its
``campaign`` values in the recall's ``match_campaigns``, any case), every ``notifications`` column plus
``customer_id``, ``affected`` (whether it is one of the recall's affected customers) and ``customer_h``
(rules: store/derived/rules.py)."""

from __future__ import annotations

from store.derived.rules import (
    AFFECTED_SQL,
    CUSTOMER_HASH_SQL,
    EVENT_MATCH_SQL,
    IDENTITY_JOINS_SQL,
    IDENTITY_SQL,
    registry_ids_sql,
)

DDL = """CREATE TABLE IF NOT EXISTS notification_facts AS
    SELECT *, NULL::VARCHAR AS customer_id, NULL::BOOLEAN AS affected, NULL::UBIGINT AS customer_h
    FROM notifications LIMIT 0"""


def facts_sql(rows: str) -> str:
    """SELECT the facts of the outreach events in relation ``rows``."""
    return f"""WITH {registry_ids_sql(rows)}
SELECT *, {CUSTOMER_HASH_SQL} AS customer_h FROM (
    SELECT x.* REPLACE (r.recall_id AS recall_id), {IDENTITY_SQL} AS customer_id, {AFFECTED_SQL} AS affected
    FROM {rows} x JOIN recalls r ON {EVENT_MATCH_SQL}
    {IDENTITY_JOINS_SQL})"""
