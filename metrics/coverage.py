"""Coverage of affected customers (docs/metrics.md#coverage), as of ``as_of``.

Person ledger, over the recall's affected customers (distinct registry ``customer_id``;
units with no known owner feed only the unit ledger):
- **notified**: at least one outreach event of any status (failed and bounced included);
- **reached**: a delivered, read, opened or clicked event, or an answered outbound call
  (an outbound phone contact with ``answered_at`` or talk time);
- **engaged**: a read, clicked or replied event, or an inbound contact for the recall (an
  email open alone is not engagement);
- **remedied**: every one of the customer's units has ``remedy_completed_at ≤ as_of``.
The stages are not nested: reached needs no notification (an answered outbound call), engaged
needs no reach (an inbound contact), remedied needs no engagement. :func:`funnel_outside` counts,
per stage, the customers in it who are not in the stage before.
Unit ledger: affected units, remedied units, **correction rate** = remedied / affected units
(:func:`correction_rate`). Shares of affected customers (:func:`coverage_shares`): reached ÷
affected customers, remedied ÷ affected customers.
A breakdown (``by`` = ``region`` or ``lot``) counts a customer in each group holding one of
their units (``people.regions`` / ``lots``). The per-customer times are ``people``
(metrics/scope.py, kept at load time).
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, ratio, run

FUNNEL = ("affected_customers", "notified", "reached", "engaged", "remedied")
BREAKDOWNS = ("region", "lot")


def coverage(con: duckdb.DuckDBPyConnection, scope: Scope, by: str | None = None) -> pl.DataFrame:
    """One row (or one per ``by`` value): the funnel counts, affected_units, remedied_units."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"coverage breakdown must be one of {BREAKDOWNS}")
    grouped = f""",
    groups AS (
        SELECT grp, count(*) AS affected_customers, count(notified_at) AS notified, count(reached_at) AS reached,
            count(engaged_at) AS engaged, count(remedied_at) AS remedied
        FROM (SELECT unnest({by}s) AS grp, * FROM people) GROUP BY grp),
    units AS (SELECT coalesce({by}, '(unknown)') AS grp, count(*) AS affected_units,
                     count(*) FILTER (remedy_completed_at <= $as_of) AS remedied_units
              FROM affected WHERE recall_id = $rid GROUP BY 1)
    SELECT u.grp AS {by}, {", ".join(f"coalesce(g.{k}, 0) AS {k}" for k in FUNNEL)},
        u.affected_units, u.remedied_units
    FROM units u LEFT JOIN groups g USING (grp)
    ORDER BY affected_units DESC, u.grp"""
    # The whole recall: every count is one pass over people and the registry.
    whole = """
        SELECT 'all' AS scope, count(*) AS affected_customers, count(notified_at) AS notified,
            count(reached_at) AS reached, count(engaged_at) AS engaged, count(remedied_at) AS remedied,
            (SELECT count(*) FROM affected WHERE recall_id = $rid) AS affected_units,
            (SELECT count(*) FROM affected WHERE recall_id = $rid AND remedy_completed_at <= $as_of) AS remedied_units
        FROM people HAVING affected_units > 0"""
    frame = run(con, whole if by is None else grouped, scope.unfiltered())
    if frame.height == 0 and by is None:
        frame = pl.DataFrame({"scope": ["all"]}).with_columns(
            [pl.lit(0, pl.Int64).alias(k) for k in (*FUNNEL, "affected_units", "remedied_units")]
        )
    return frame


def correction_rate(remedied_units: int, affected_units: int) -> float | None:
    """Remedied units ÷ affected units; None without affected units. The one definition: the
    catalog's tile, the review (overall, consumer level, per region and lot) and the CPSC and NHTSA
    forms (correction / completion rate) all call it."""
    return ratio(remedied_units, affected_units)


def coverage_shares(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """:func:`coverage`'s row with reached_share and remedied_share (of affected customers) and
    correction_rate (of affected units); null shares without affected customers or units."""
    row = coverage(con, scope).row(0, named=True)
    people = row["affected_customers"]
    return pl.DataFrame(
        [
            {
                **row,
                "reached_share": ratio(row["reached"], people),
                "remedied_share": ratio(row["remedied"], people),
                "correction_rate": correction_rate(row["remedied_units"], row["affected_units"]),
            }
        ],
        schema_overrides={k: pl.Float64 for k in ("reached_share", "remedied_share", "correction_rate")},
    )


def funnel_notes(outside: dict[str, int], labels: dict[str, str]) -> list[str]:
    """One sentence per stage that is not a subset of the stage before (:func:`funnel_outside`),
    with each stage's label from ``labels`` (the catalog's)."""
    return [
        f"{labels[k]} is not a subset of {labels[b].lower()}: {outside[k]:,} "
        f"{labels[k].lower()} customer{'s' if outside[k] != 1 else ''} "
        f"{'were' if outside[k] != 1 else 'was'} not {labels[b].lower()}."
        for b, k in zip(FUNNEL, FUNNEL[1:], strict=False)
        if outside.get(k)
    ]


def funnel_outside(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, int]:
    """``{stage: customers in it but not in the stage before}`` for each funnel stage after the
    first, as of ``scope.as_of`` (every customer of ``people`` is affected, so none is outside it)."""
    missing = {"affected_customers": "false", "notified": "notified_at IS NULL", "reached": "reached_at IS NULL",
               "engaged": "engaged_at IS NULL", "remedied": "remedied_at IS NULL"}  # fmt: skip
    counts = ", ".join(
        f"count(*) FILTER (NOT ({missing[stage]}) AND {missing[before]}) AS {stage}"
        for before, stage in zip(FUNNEL, FUNNEL[1:], strict=False)
    )
    return run(con, f"\n    SELECT {counts} FROM people", scope.unfiltered()).row(0, named=True)
