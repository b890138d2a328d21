"""The figures every regulator report is made of, for one recall and one period
(docs/regulator-reports.md#figures).

The period is ``(start_at, end_at]`` (metrics/periods.py); every query runs as of its ``status_at``
— ``end_at``, or the report time when earlier — so only what happened by the period's end, and by
the report time, counts. Below, ``end_at`` stands for ``status_at``. Two kinds of figure:

- **units** (the unit ledger: docs/metrics.md#coverage): a unit is *remedied* when its
  ``remedy_completed_at ≤ end_at``, in the period when also ``> start_at``. A unit not remedied by
  ``end_at`` is *accounted for by its disposition* when ``disposition_at ≤ end_at`` (in the period
  when also ``> start_at``); a disposition without a date is counted apart (``undated``), in no period.
  A remedied unit's disposition is ignored.
- **people** (the person ledger: affected customers): the number of distinct affected customers with
  at least one event of a kind in the period (``this period``), or by its end (``cumulative``).
  Kinds: ``notified`` (any outreach event), ``reached`` (delivered, read, opened or clicked, or an
  answered outbound call), ``engaged`` (read, clicked or replied, or an inbound recall contact),
  ``called`` (an outbound recall phone call, answered or not), ``answered`` (one answered), ``phone_outreach`` (a notice
  event by phone or an outbound recall phone call), ``remedied`` (the moment their last
  unit was remedied; channel ``all`` only). The cumulative notified, reached, engaged and remedied are the dashboard's
  coverage funnel at ``end_at`` exactly (metrics/coverage.py), by the same rules.

- **contacts** (inbound recall contacts, the dashboard's Contacts): the distinct consumers who made
  one, per regulator channel, and the contacts with no customer (no email or phone) apart.

Channels are mapped onto the regulators' (``NOTICE_CHANNELS``, ``CONTACT_CHANNELS``).
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from metrics.base import Scope, run
from metrics.periods import Period
from store.derived.rules import ANSWERED_CALL_SQL, ENGAGED_SQL, REACHED_SQL

# Outreach channels (notifications.channel) → the regulators' notice channels.
NOTICE_CHANNELS = {
    "phone": "phone",
    "email": "email",
    "letter": "mail",
    "mail": "mail",
    "post": "mail",
    "sms": "other_electronic",
    "whatsapp": "other_electronic",
}
# Contact channels (contacts.channel) → the channels regulators ask consumer contacts by.
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
CHANNEL_LABELS = {
    "phone": "Phone",
    "email": "Email",
    "mail": "Mail (letter)",
    "other_electronic": "Other electronic (SMS, WhatsApp, chat, web, social)",
    "other": "Other",
}
UNIT_COLUMNS = (
    "units",
    "remedied_period",
    "remedied",
    "disposed_period",
    "disposed",
    "undated",
)


def _case(column: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE lower({column}) {whens} ELSE 'other' END"


def units(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period) -> pl.DataFrame:
    """One row per (level, remedy, disposition) met in the registry — ``unknown`` where not
    recorded — with the unit counts of UNIT_COLUMNS (remedied / disposed: cumulative; ``_period``:
    in the period; ``undated``: disposition without a date, not remedied)."""
    body = """,
    u AS (SELECT coalesce(supply_chain_level, 'unknown') AS level, coalesce(remedy, 'unknown') AS remedy,
                 coalesce(disposition, 'none') AS disposition,
                 coalesce(remedy_completed_at <= $as_of, false) AS is_remedied,
                 coalesce(remedy_completed_at > $period_start AND remedy_completed_at <= $as_of, false) AS in_period,
                 disposition_at
          FROM reg)
    SELECT level, remedy, disposition, count(*) AS units,
        count(*) FILTER (in_period) AS remedied_period,
        count(*) FILTER (is_remedied) AS remedied,
        count(*) FILTER (NOT is_remedied AND disposition <> 'none'
                         AND disposition_at > $period_start AND disposition_at <= $as_of) AS disposed_period,
        count(*) FILTER (NOT is_remedied AND disposition <> 'none' AND disposition_at <= $as_of) AS disposed,
        count(*) FILTER (NOT is_remedied AND disposition <> 'none' AND disposition_at IS NULL) AS undated
    FROM u GROUP BY ALL ORDER BY ALL"""
    return _run(con, body, recall_id, period)


# Every event falls in one class; a (kind, channel) figure is the union of some classes (_FACETS).
# Outreach events: notice channel × what the status says (nothing, reached, reached and engaged,
# engaged); inbound and outbound phone contacts: answered call, unanswered call, inbound per channel.
_NOTICE = ("phone", "email", "mail", "other_electronic", "other")
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


def people(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, by: str | None = None) -> pl.DataFrame:
    """One row per (group, kind, channel) — ``channel = 'all'`` for every channel of the kind;
    ``grp = 'all'`` for the whole recall, else one per ``by`` value (``region`` or ``lot``: a customer
    counts in each group holding one of their units) —: ``period`` and ``cumulative`` (distinct
    affected customers), ``events_period`` and ``events`` (events), ``first_at``/``last_at`` (by the
    end) and ``first_period_at``/``last_period_at`` (in the period). Channels: the notice channels
    of NOTICE_CHANNELS for outreach events, ``phone`` for calls, the contact's for inbound contacts.
    Only (group, kind, channel) with an event are listed."""
    if by not in (None, "region", "lot"):
        raise ValueError("people: by must be None, 'region' or 'lot'")
    # One pass over the events matched to their customer: per (group, class) the event counts and
    # times, and per (group, customer) the classes met, ever and in the period, as bit masks; the
    # customers are then counted per distinct pair of masks, and each figure is read off the
    # classes or masks of its (kind, channel), so no event is repeated per kind.
    notice_index = " ".join(f"WHEN '{ch}' THEN {i * 4}" for i, ch in enumerate(_NOTICE))
    contact_index = " ".join(f"WHEN '{ch}' THEN {_INBOUND + i}" for i, ch in enumerate(_NOTICE))
    facets = ", ".join(
        f"('{kind}', '{ch}', {cls}, {sum(1 << c for c in classes)})"
        for (kind, ch), classes in _FACETS.items()
        for cls in sorted(classes)
    )
    grp = "'all'" if by is None else f"unnest({by}s)"
    body = f""",
    who AS MATERIALIZED (  -- k: one number per (customer, group), for an integer key below
        SELECT customer_h, customer_id, row_number() OVER () AS k, {grp} AS grp, remedied_at FROM people),
    ev AS (
        SELECT customer_h, customer_id, status_at AS moment_at,
            (CASE {_case("channel", NOTICE_CHANNELS)} {notice_index} END) + {_STATUS_CLASS} AS cls
        FROM n
        UNION ALL
        SELECT customer_h, customer_id, created_at,
            CASE WHEN direction = 'inbound' THEN CASE {_case("channel", CONTACT_CHANNELS)} {contact_index} END
                 WHEN {ANSWERED_CALL_SQL} THEN {_ANSWERED} ELSE {_UNANSWERED} END
        FROM c_all WHERE direction = 'inbound' OR (direction = 'outbound' AND channel = 'phone')),
    mine AS (
        SELECT w.grp, w.k, e.moment_at, e.cls
        FROM ev e JOIN who w ON w.customer_h = e.customer_h AND w.customer_id = e.customer_id
        UNION ALL
        SELECT grp, k, remedied_at, {_REMEDIED} FROM who WHERE remedied_at IS NOT NULL),
    per_class AS (
        SELECT grp, cls, count(*) AS events, count(*) FILTER (moment_at > $period_start) AS events_period,
            min(moment_at) AS first_at, max(moment_at) AS last_at,
            min(moment_at) FILTER (moment_at > $period_start) AS first_period_at,
            max(moment_at) FILTER (moment_at > $period_start) AS last_period_at
        FROM mine GROUP BY ALL),
    per_customer AS (
        SELECT grp, bit_or(1 << cls) AS ever,
            bit_or(CASE WHEN moment_at > $period_start THEN 1 << cls ELSE 0 END) AS recent
        FROM mine GROUP BY grp, k),
    masks AS (SELECT grp, ever, recent, count(*) AS customers FROM per_customer GROUP BY ALL),
    facets(kind, channel, cls, mask) AS (VALUES {facets}),
    kinds AS (SELECT DISTINCT kind, channel, mask FROM facets),
    agg AS (
        SELECT grp, kind, channel, sum(events_period)::BIGINT AS events_period,
            sum(events)::BIGINT AS events, min(first_at) AS first_at, max(last_at) AS last_at,
            min(first_period_at) AS first_period_at, max(last_period_at) AS last_period_at
        FROM per_class JOIN facets USING (cls) GROUP BY ALL),
    dist AS (
        SELECT grp, kind, channel, coalesce(sum(customers) FILTER (recent & mask <> 0), 0)::BIGINT AS period,
            coalesce(sum(customers) FILTER (ever & mask <> 0), 0)::BIGINT AS cumulative
        FROM masks, kinds GROUP BY ALL)
    SELECT grp, kind, channel, d.period, d.cumulative, a.events_period, a.events, a.first_at, a.last_at,
        a.first_period_at, a.last_period_at
    FROM agg a JOIN dist d USING (grp, kind, channel) ORDER BY ALL"""
    return _run(con, body, recall_id, period)


def person_states(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period) -> dict[str, int]:
    """Affected customers at the period's end: ``affected``, ``never_notified``, ``not_reached``
    (notified, not reached), ``not_responding`` (notified, not engaged)."""
    body = """
    SELECT count(*) AS affected, count(*) FILTER (notified_at IS NULL) AS never_notified,
        count(*) FILTER (notified_at IS NOT NULL AND reached_at IS NULL) AS not_reached,
        count(*) FILTER (notified_at IS NOT NULL AND engaged_at IS NULL) AS not_responding
    FROM people WHERE $period_start IS NOT NULL"""
    return _run(con, body, recall_id, period).row(0, named=True)


def group_sizes(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, by: str) -> pl.DataFrame:
    """Per ``by`` group (``region`` or ``lot``; ``(unknown)`` when empty): affected_customers (a
    customer in each group holding one of their units), units, remedied, remedied_period."""
    if by not in ("region", "lot"):
        raise ValueError("group_sizes: by must be 'region' or 'lot'")
    body = f""",
    cust AS (SELECT grp, count(*) AS affected_customers FROM (SELECT unnest({by}s) AS grp FROM people) GROUP BY grp),
    un AS (SELECT coalesce({by}, '(unknown)') AS grp, count(*) AS units,
                  count(*) FILTER (remedy_completed_at <= $as_of) AS remedied,
                  count(*) FILTER (remedy_completed_at > $period_start AND remedy_completed_at <= $as_of)
                      AS remedied_period
           FROM reg GROUP BY 1)
    SELECT grp AS {by}, coalesce(c.affected_customers, 0) AS affected_customers, units, remedied, remedied_period
    FROM un LEFT JOIN cust c USING (grp) ORDER BY units DESC, grp"""
    return _run(con, body, recall_id, period)


def contacts(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period) -> pl.DataFrame:
    """Inbound recall contacts (the dashboard's Contacts: docs/metrics.md#contacts) per regulator
    channel (CONTACT_CHANNELS; ``all`` for every channel): ``period`` and ``cumulative`` — distinct
    consumers who made one (a contact's customer: the registry's, else its email, else its phone;
    someone who called twice counts once) —, ``contacts_period`` and ``contacts`` (contacts), and
    ``unknown_period`` and ``unknown`` (contacts with no customer: no email or phone, so no consumer
    they can be told apart as). A channel is listed when it has a contact; ``all`` always."""
    # Per customer the channels met, ever and in the period, as bit masks (one pass, no DISTINCT);
    # customers counted per pair of masks.
    index = " ".join(f"WHEN '{ch}' THEN {i}" for i, ch in enumerate(_NOTICE))
    channels = ", ".join(f"('{ch}', {i})" for i, ch in enumerate(_NOTICE))
    body = f""",
    k AS (SELECT CASE {_case("channel", CONTACT_CHANNELS)} {index} END AS ci, created_at > $period_start AS in_period,
                 customer_h, customer_id
          FROM c_all WHERE direction = 'inbound'),
    per_channel AS (
        SELECT ci, count(*) FILTER (in_period) AS contacts_period, count(*) AS contacts,
            count(*) FILTER (in_period AND customer_h IS NULL) AS unknown_period,
            count(*) FILTER (customer_h IS NULL) AS unknown
        FROM k GROUP BY ci),
    masks AS (
        SELECT ever, recent, count(*) AS customers
        FROM (SELECT bit_or(1 << ci) AS ever, bit_or(CASE WHEN in_period THEN 1 << ci ELSE 0 END) AS recent
              FROM k WHERE customer_h IS NOT NULL GROUP BY customer_h, customer_id)
        GROUP BY ALL),
    dist AS (
        SELECT ci, sum(customers) FILTER (recent & (1 << ci) <> 0) AS period,
            sum(customers) FILTER (ever & (1 << ci) <> 0) AS cumulative
        FROM per_channel, masks GROUP BY ci),
    names(regulator_channel, ci) AS (VALUES {channels})
    SELECT regulator_channel, coalesce(d.period, 0)::BIGINT AS period, coalesce(d.cumulative, 0)::BIGINT AS cumulative,
        p.contacts_period, p.contacts, p.unknown_period, p.unknown
    FROM per_channel p JOIN names USING (ci) LEFT JOIN dist d USING (ci)
    UNION ALL
    SELECT 'all', m.*, p.*  -- one row even when there is no contact
    FROM (SELECT coalesce(sum(customers) FILTER (recent <> 0), 0)::BIGINT, coalesce(sum(customers), 0)::BIGINT
          FROM masks) m,
         (SELECT coalesce(sum(contacts_period), 0)::BIGINT, coalesce(sum(contacts), 0)::BIGINT,
              coalesce(sum(unknown_period), 0)::BIGINT, coalesce(sum(unknown), 0)::BIGINT
          FROM per_channel) p
    ORDER BY regulator_channel  -- one row each"""
    return _run(con, body, recall_id, period)


def remedy_rate_per_day(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, days: int = 28) -> float:
    """Units remedied per day over the ``days`` days up to the period's end."""
    body = f"""
    SELECT count(*) FROM reg
    WHERE remedy_completed_at <= $as_of AND remedy_completed_at > $as_of::TIMESTAMP - INTERVAL {int(days)} DAY
        AND $period_start IS NOT NULL"""
    return _run(con, body, recall_id, period).item() / days


def _run(con: duckdb.DuckDBPyConnection, body: str, recall_id: str, period: Period) -> pl.DataFrame:
    return run(con, body, Scope(recall_id, period.status_at), extra={"period_start": period.start_at})


def pick(frame: pl.DataFrame, column: str, **where: Any) -> Any:
    """The sum of ``column`` over the rows matching ``where`` (0 when none)."""
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items())) if where else frame
    return int(rows[column].sum()) if rows.height else 0
