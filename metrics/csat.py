"""Customer satisfaction.

CSAT = satisfied / responses, over responses (``responded_at ≤ as_of``) linked to the recall's
contacts, bucketed by the contact's phase or day. Satisfied: 4–5 on a 1–5 scale, good on
good/bad. 0–10 answers are NPS, not CSAT, and are left out. Each rate has a 95 % Wilson
interval (``ci_low``, ``ci_high``); the UI greys n < 30 and hides n < 5.
With ``breakdown="channel"`` there is one row per bucket and the contact's channel (``all``
included). A response is linked through ``contact_h`` = its contact's ``key_h`` (store/schema.py:
a key hash names one contact).
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, complete_phases, grouped, run, wilson


def csat(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase", breakdown: str | None = None) -> pl.DataFrame:
    """One row per bucket (and ``breakdown`` value): n, satisfied, rate, ci_low, ci_high."""
    if breakdown not in (None, "channel"):
        raise ValueError("CSAT breakdown must be None or 'channel'")
    select, group = grouped(by, breakdown)
    body = f"""
    SELECT {select}, count(*) AS n, count(*) FILTER (s.is_satisfied) AS satisfied
    FROM csat s JOIN c ON c.key_h = s.contact_h
    WHERE s.responded_at <= $as_of AND s.is_satisfied IS NOT NULL GROUP BY {group}"""
    frame = run(con, body, scope)
    keys = (breakdown,) if breakdown else ()
    frame = complete_phases(frame, {"n": 0, "satisfied": 0}, *keys) if by == "phase" else frame.sort(by, *keys)
    intervals = [wilson(k, n) for k, n in zip(frame["satisfied"], frame["n"], strict=True)]
    return frame.with_columns(
        pl.when(pl.col("n") > 0).then(pl.col("satisfied") / pl.col("n")).alias("rate"),
        pl.Series("ci_low", [i[0] if i else None for i in intervals], pl.Float64),
        pl.Series("ci_high", [i[1] if i else None for i in intervals], pl.Float64),
    )
