"""The person ledger of the regulator reports: per kind of event and channel, the affected customers
who had one in the period and by its end, and the events themselves (docs/regulator-reports.md#figures;
the kinds and their rules are in metrics/regulator/figures.py's docstring)."""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.periods import Period
from metrics.regulator.run import run_period
from store.derived.rules import (
    ANSWERED_CALL_SQL,
    CONTACT_CHANNEL_SQL,
    ENGAGED_SQL,
    NOTICE_CHANNEL_SQL,
    REACHED_SQL,
    REGULATOR_CHANNELS,
)

# Every event falls in one class; a (kind, channel) figure is the union of some classes (_FACETS).
# Outreach events: notice channel × what the status says (nothing, reached, reached and engaged,
# engaged); inbound and outbound phone contacts: answered call, unanswered call, inbound per channel.
_NOTICE = REGULATOR_CHANNELS
_STATUS_CLASS = f"""CASE WHEN status IN {REACHED_SQL} AND status IN {ENGAGED_SQL} THEN 2
    WHEN status IN {REACHED_SQL} THEN 1 WHEN status IN {ENGAGED_SQL} THEN 3 ELSE 0 END"""
_ANSWERED, _UNANSWERED, _INBOUND, _REMEDIED = 20, 21, 22, 27


def _notice(channel: str, *statuses: int) -> set[int]:
    return {_NOTICE.index(channel) * 4 + s for s in statuses}


def _facets() -> dict[tuple[str, str], set[int]]:
    """(kind, channel) → the classes of its events (every kind also on channel ``all``)."""
    out: dict[tuple[str, str], set[int]] = {}
    for i, ch in enumerate(_NOTICE):
        out["notified", ch] = _notice(ch, 0, 1, 2, 3)
        out["reached", ch] = _notice(ch, 1, 2) | ({_ANSWERED} if ch == "phone" else set())
        out["engaged", ch] = _notice(ch, 2, 3) | {_INBOUND + i}
    out["called", "phone"] = {_ANSWERED, _UNANSWERED}
    out["answered", "phone"] = {_ANSWERED}
    out["phone_outreach", "phone"] = {_ANSWERED, _UNANSWERED} | _notice("phone", 0, 1, 2, 3)
    for kind in ("notified", "reached", "engaged", "called", "answered", "phone_outreach"):
        out[kind, "all"] = set().union(*(c for (k, _), c in out.items() if k == kind))
    out["remedied", "all"] = {_REMEDIED}
    return {key: classes for key, classes in out.items() if classes}


_FACETS = _facets()


def _moments() -> dict[tuple[str, str], str]:
    """(kind, channel) → the customer's first moment of it, over the ``people`` CTE's columns
    (store/derived/customer_facts.py): they count by the period's end exactly when it is not null."""
    out: dict[tuple[str, str], str] = {}
    for ch in _NOTICE:
        out["notified", ch] = f"notified_{ch}_at"
        out["reached", ch] = f"reached_{ch}_by_event_at"
        out["engaged", ch] = f"least(engaged_{ch}_by_event_at, engaged_{ch}_by_contact_at)"
    out["reached", "phone"] = "least(reached_phone_by_event_at, reached_by_call_at)"
    out["called", "phone"] = out["called", "all"] = "called_at"
    out["answered", "phone"] = out["answered", "all"] = "reached_by_call_at"
    out["phone_outreach", "phone"] = out["phone_outreach", "all"] = "least(notified_phone_at, called_at)"
    for kind in ("notified", "reached", "engaged", "remedied"):
        out[kind, "all"] = f"{kind}_at"
    return out


_MOMENTS = _moments()
assert set(_MOMENTS) == set(_FACETS)


# people()'s tables of facets: (kind, channel, class, mask of its classes) per class of each; the
# customers whose first moment of each is by the end, then one row per facet.
_FACET_ROWS = ", ".join(
    f"('{kind}', '{ch}', {cls}, {sum(1 << c for c in classes)})"
    for (kind, ch), classes in _FACETS.items()
    for cls in sorted(classes)
)
_COUNTED = ", ".join(f"count({moment}) AS m{i}" for i, moment in enumerate(_MOMENTS.values()))
_CUMULATIVE = " UNION ALL ".join(
    f"SELECT whole, grp, '{kind}' AS kind, '{ch}' AS channel, m{i} AS cumulative FROM firsts"
    for i, (kind, ch) in enumerate(_MOMENTS)
)
_TIMES = "events, events_period, first_at, last_at, first_period_at, last_period_at"
# An affected customer's events (outreach events; inbound contacts and outbound calls) with the raw
# values their class is made of, and each class from them.
_N_MINE = "SELECT customer_h, customer_id, status_at AS moment_at, channel, status FROM n WHERE affected"
_C_MINE = f"""SELECT customer_h, customer_id, created_at AS moment_at, direction, channel,
            coalesce({ANSWERED_CALL_SQL}, false) AS answered
        FROM c_all WHERE affected AND (direction = 'inbound' OR (direction = 'outbound' AND channel = 'phone'))"""
_NOTICE_INDEX = " ".join(f"WHEN '{ch}' THEN {i * 4}" for i, ch in enumerate(_NOTICE))
_CONTACT_INDEX = " ".join(f"WHEN '{ch}' THEN {_INBOUND + i}" for i, ch in enumerate(_NOTICE))
_NOTICE_CLASS = f"(CASE {NOTICE_CHANNEL_SQL} {_NOTICE_INDEX} END) + {_STATUS_CLASS}"
_CONTACT_CLASS = f"""CASE WHEN direction = 'inbound' THEN CASE {CONTACT_CHANNEL_SQL} {_CONTACT_INDEX} END
        WHEN answered THEN {_ANSWERED} ELSE {_UNANSWERED} END"""
_BY_TIME = """count(*) AS events, count(*) FILTER (moment_at > $period_start) AS events_period,
            min(moment_at) AS first_at, max(moment_at) AS last_at,
            min(moment_at) FILTER (moment_at > $period_start) AS first_period_at,
            max(moment_at) FILTER (moment_at > $period_start) AS last_period_at"""
# The event figures of the whole recall: per class of event (``per_class``), then per (kind, channel).
_PER_CLASS = f"""per_class AS (
        SELECT cls, sum(events) AS events, sum(events_period) AS events_period, min(first_at) AS first_at,
            max(last_at) AS last_at, min(first_period_at) AS first_period_at, max(last_period_at) AS last_period_at
        FROM (SELECT {_NOTICE_CLASS} AS cls, {_TIMES}
              FROM (SELECT channel, status, {_BY_TIME} FROM n_mine GROUP BY ALL)
              UNION ALL
              SELECT {_CONTACT_CLASS}, {_TIMES}
              FROM (SELECT direction, channel, answered, {_BY_TIME} FROM c_mine GROUP BY ALL))
        GROUP BY ALL
        UNION ALL
        SELECT {_REMEDIED}, remedied_events, remedied_period, remedied_first_at, remedied_last_at,
            remedied_first_period_at, remedied_last_period_at
        FROM firsts WHERE whole AND remedied_first_at IS NOT NULL),"""
_WHOLE_EVENTS = """SELECT true AS whole, 'all' AS grp, kind, channel, sum(events_period)::BIGINT AS events_period,
            sum(events)::BIGINT AS events, min(first_at) AS first_at, max(last_at) AS last_at,
            min(first_period_at) AS first_period_at, max(last_period_at) AS last_period_at
        FROM per_class JOIN facets USING (cls) GROUP BY ALL"""
# A group's rows: customers only, no event figures.
_GROUP_EVENTS = """SELECT whole, grp, kind, channel, NULL::BIGINT AS events_period, NULL::BIGINT AS events,
            NULL::TIMESTAMP AS first_at, NULL::TIMESTAMP AS last_at, NULL::TIMESTAMP AS first_period_at,
            NULL::TIMESTAMP AS last_period_at
        FROM cumulative WHERE NOT whole"""


def people(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, by: str | None = None) -> pl.DataFrame:
    """One row per (group, kind, channel) — ``channel = 'all'`` for every channel of the kind;
    ``grp = 'all'`` for the whole recall, else one per ``by`` value (``region`` or ``lot``: a customer
    counts in each group holding one of their units) —: ``period`` and ``cumulative`` (distinct
    affected customers), ``events_period`` and ``events`` (events), ``first_at``/``last_at`` (by the
    end) and ``first_period_at``/``last_period_at`` (in the period). Channels: the notice channels
    of NOTICE_CHANNELS for outreach events, ``phone`` for calls, the contact's for inbound contacts.
    Only (group, kind, channel) with an event by the end are listed; with ``by``, the event columns
    are null (customers only)."""
    return _people(con, recall_id, period, whole=by is None, by=by).drop("whole")


def people_and_groups(
    con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, by: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``people(…)`` and ``people(…, by)`` from one pass over the period's events (grouping them by
    customer is most of either's time)."""
    both = _people(con, recall_id, period, whole=True, by=by)
    return both.filter(pl.col("whole")).drop("whole"), both.filter(~pl.col("whole")).drop("whole")


def _people(
    con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, whole: bool, by: str | None
) -> pl.DataFrame:
    """:func:`people`'s rows with ``whole`` first (true: the whole recall's, grp 'all'; false: a
    ``by`` group's): the whole recall's when ``whole``, each ``by`` group's when ``by``."""
    if by not in (None, "region", "lot"):
        raise ValueError("people: by must be None, 'region' or 'lot'")
    # ``cumulative``, and the remedied: from the customers' first moments (customer_facts, kept at
    # load time). ``period``: the affected customers of the period's events (``affected``, kept at
    # load time), each counted per mask of the classes they met, then per group. The event figures:
    # counted by the raw values a class is made of, then by class. Each figure is read off the
    # classes or masks of its (kind, channel), so no event is repeated per kind. Below: each customer
    # in each of their groups, each customer of the period's events in each, and the rows of ``agg``.
    in_groups, grouped, agg = [], [], []
    if whole:
        in_groups.append("SELECT true AS whole, 'all' AS grp, * FROM people")
        grouped.append("SELECT true AS whole, 'all' AS grp, recent FROM per_customer")
        agg.append(_WHOLE_EVENTS)
    if by is not None:
        in_groups.append(f"SELECT false AS whole, unnest({by}s) AS grp, * FROM people")
        grouped.append(
            f"SELECT false AS whole, g.grp, recent FROM per_customer "
            f"JOIN (SELECT customer_h, customer_id, unnest({by}s) AS grp FROM people) g USING (customer_h, customer_id)"
        )
        agg.append(_GROUP_EVENTS)
    body = f""",
    firsts AS (
        SELECT whole, grp, {_COUNTED}, count(remedied_at) AS remedied_events,
            count(remedied_at) FILTER (remedied_at > $period_start) AS remedied_period,
            min(remedied_at) AS remedied_first_at, max(remedied_at) AS remedied_last_at,
            min(remedied_at) FILTER (remedied_at > $period_start) AS remedied_first_period_at,
            max(remedied_at) FILTER (remedied_at > $period_start) AS remedied_last_period_at
        FROM ({" UNION ALL ".join(in_groups)}) GROUP BY whole, grp),
    cumulative AS ({_CUMULATIVE}),
    n_mine AS ({_N_MINE}),
    c_mine AS ({_C_MINE}),
    per_customer AS (
        SELECT customer_h, customer_id, bit_or(1 << cls) AS recent
        FROM (SELECT customer_h, customer_id, {_NOTICE_CLASS} AS cls FROM n_mine WHERE moment_at > $period_start
              UNION ALL
              SELECT customer_h, customer_id, {_CONTACT_CLASS} FROM c_mine WHERE moment_at > $period_start)
        GROUP BY customer_h, customer_id),
    masks AS (SELECT whole, grp, recent, count(*) AS customers FROM ({" UNION ALL ".join(grouped)}) GROUP BY ALL),
    facets(kind, channel, cls, mask) AS (VALUES {_FACET_ROWS}),
    recent AS (
        SELECT whole, grp, kind, channel, sum(customers) AS period
        FROM masks, (SELECT DISTINCT kind, channel, mask FROM facets) f WHERE recent & mask <> 0 GROUP BY ALL
        UNION ALL
        SELECT whole, grp, 'remedied', 'all', remedied_period FROM firsts),
    {_PER_CLASS if whole else ""}
    agg AS ({" UNION ALL ".join(agg)})
    SELECT whole, grp, kind, channel, coalesce(r.period, 0)::BIGINT AS period, c.cumulative::BIGINT AS cumulative,
        a.events_period, a.events, a.first_at, a.last_at, a.first_period_at, a.last_period_at
    FROM cumulative c JOIN agg a USING (whole, grp, kind, channel) LEFT JOIN recent r USING (whole, grp, kind, channel)
    WHERE c.cumulative > 0
    ORDER BY ALL"""
    return run_period(con, body, recall_id, period)
