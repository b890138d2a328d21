"""First contact resolution.

**Repeat-contact method** (default, window W = ``fcr_window_h``, 168 h): eligible = handled
inbound contacts (not abandoned) with a known customer and ``created_at + W ≤ as_of``. A
contact is resolved when it is not transferred and the same customer makes no other inbound
contact for the recall, on any channel, abandoned ones included, with ``created_at`` in
``(c.created_at, c.created_at + W]``. FCR = resolved / eligible. ``pending`` = handled inbound
contacts with a known customer whose window has not closed yet.

**Zendesk one-touch** (option): over Zendesk tickets that are solved or closed with a known
reply count, resolved = fewer than 2 agent replies; ``pending`` = Zendesk tickets not yet
solved.

Filters narrow the contacts measured; repeats are looked for among all the recall's contacts
(``next_at``: the customer's next inbound contact, kept at load time by store/derived/).
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Options, Scope, complete_phases, grouped, run

# The contacts FCR measures (over ``c``): handled inbound contacts with a known customer.
HANDLED_WITH_CUSTOMER_SQL = "direction = 'inbound' AND customer_h IS NOT NULL AND NOT is_abandoned"


def window_closed_sql(options: Options) -> str:
    """``created_at + W ≤ as_of``: the contact's repeat window has closed."""
    return f"created_at + INTERVAL {int(options.fcr_window_h)} HOUR <= $as_of"


def eligible_sql(options: Options) -> str:
    """The FCR eligibility predicate (repeat-contact method), over ``c``."""
    return f"{HANDLED_WITH_CUSTOMER_SQL} AND {window_closed_sql(options)}"


def came_back_sql(options: Options) -> str:
    """The customer's next inbound contact for the recall (any channel, abandoned ones included:
    ``next_at``) falls in ``(created_at, created_at + W]``."""
    return f"coalesce(next_at <= created_at + INTERVAL {int(options.fcr_window_h)} HOUR, false)"


def fcr(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket: eligible (``n``), resolved, pending, rate."""
    select, group = grouped(by)
    options = scope.options
    if options.fcr_method == "zendesk_one_touch":
        body = f"""
        SELECT {select},
            count(*) FILTER (status IN ('solved', 'closed') AND agent_replies IS NOT NULL) AS n,
            count(*) FILTER (status IN ('solved', 'closed') AND agent_replies < 2) AS resolved,
            count(*) FILTER (status NOT IN ('solved', 'closed') OR status IS NULL) AS pending
        FROM c WHERE source = 'zendesk' AND direction = 'inbound' GROUP BY {group}"""
    else:
        body = repeat_contact_sql(options, by)
    return fcr_frame(run(con, body, scope), by)


def repeat_contact_sql(options: Options, by: str, repeated: bool = False) -> str:
    """The repeat-contact method's counts per bucket (n, resolved, pending) over ``c``; with
    ``repeated``, also the eligible contacts followed by a repeat (metrics/repeats.py)."""
    select, group = grouped(by)
    closed = window_closed_sql(options)
    also = f", count(*) FILTER ({closed} AND {came_back_sql(options)}) AS repeated" if repeated else ""
    return f"""
        SELECT {select},
            count(*) FILTER ({closed}) AS n,
            count(*) FILTER ({closed} AND NOT is_transferred AND NOT {came_back_sql(options)}) AS resolved,
            count(*) FILTER (NOT ({closed})) AS pending{also}
        FROM c WHERE {HANDLED_WITH_CUSTOMER_SQL} GROUP BY {group}"""


def fcr_frame(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """:func:`fcr`'s result from its counts per bucket (n, resolved, pending)."""
    frame = frame.select(by, "n", "resolved", "pending")
    frame = complete_phases(frame, {"n": 0, "resolved": 0, "pending": 0}) if by == "phase" else frame.sort(by)
    return frame.with_columns(pl.when(pl.col("n") > 0).then(pl.col("resolved") / pl.col("n")).alias("rate"))
