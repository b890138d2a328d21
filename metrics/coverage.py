"""Coverage of affected customers (design §5), as of ``as_of``.

Person ledger, over the recall's affected customers (distinct registry ``customer_id``;
units with no known owner feed only the unit ledger):
- **notified**: at least one outreach event of any status (failed and bounced included);
- **reached**: a delivered, read, opened or clicked event, or an answered outbound call
  (an outbound phone contact with ``answered_at`` or talk time);
- **engaged**: a read, clicked or replied event, or an inbound contact for the recall (an
  email open alone is not engagement);
- **remedied**: every one of the customer's units has ``remedy_completed_at ≤ as_of``.
Unit ledger: affected units, remedied units, correction rate = remedied / affected units.
A breakdown (``by`` = ``region`` or ``lot``) counts a customer in each group holding one of
their units. The per-customer times are ``people`` (metrics/scope.py, kept at load time).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from metrics.base import run

FUNNEL = ("affected_customers", "notified", "reached", "engaged", "remedied")
BREAKDOWNS = ("region", "lot")


def coverage(con: duckdb.DuckDBPyConnection, recall_id: str, as_of: datetime, by: str | None = None) -> pl.DataFrame:
    """One row (or one per ``by`` value): the funnel counts, affected_units, remedied_units."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"coverage breakdown must be one of {BREAKDOWNS}")
    groups = (
        f"SELECT DISTINCT coalesce({by}, '(unknown)') AS grp, customer_id FROM reg WHERE customer_id IS NOT NULL"
        if by
        else "SELECT 'all' AS grp, customer_id FROM people"
    )
    key = f"coalesce({by}, '(unknown)')" if by else "'all'"
    body = f""",
    groups AS ({groups}),
    units AS (SELECT {key} AS grp, count(*) AS affected_units,
                     count(*) FILTER (remedy_completed_at <= $as_of) AS remedied_units
              FROM reg GROUP BY 1)
    SELECT u.grp AS {by or "scope"},
        count(p.customer_id) AS affected_customers,
        count(p.notified_at) AS notified, count(p.reached_at) AS reached,
        count(p.engaged_at) AS engaged, count(p.remedied_at) AS remedied,
        any_value(u.affected_units) AS affected_units, any_value(u.remedied_units) AS remedied_units
    FROM units u LEFT JOIN groups g ON g.grp = u.grp LEFT JOIN people p ON p.customer_id = g.customer_id
    GROUP BY u.grp ORDER BY affected_units DESC, u.grp"""
    frame = run(con, body, recall_id, as_of)
    if frame.height == 0 and by is None:
        frame = pl.DataFrame({"scope": ["all"]}).with_columns(
            [pl.lit(0, pl.Int64).alias(k) for k in (*FUNNEL, "affected_units", "remedied_units")]
        )
    return frame
