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

Channels are mapped onto the regulators' by store/derived/rules.py (``NOTICE_CHANNELS``, ``CONTACT_CHANNELS``).
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from metrics.periods import Period
from metrics.regulator.people import people as people  # a figure of its own module, read from here too
from metrics.regulator.people import people_and_groups as people_and_groups  # and the EU form's one pass
from metrics.regulator.run import run_period
from store.derived.rules import CONTACT_CHANNEL_SQL, REGULATOR_CHANNELS

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
    return run_period(con, body, recall_id, period)


def person_states(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period) -> dict[str, int]:
    """Affected customers at the period's end: ``affected``, ``never_notified``, ``not_reached``
    (notified, not reached), ``not_responding`` (notified, not engaged)."""
    body = """
    SELECT count(*) AS affected, count(*) FILTER (notified_at IS NULL) AS never_notified,
        count(*) FILTER (notified_at IS NOT NULL AND reached_at IS NULL) AS not_reached,
        count(*) FILTER (notified_at IS NOT NULL AND engaged_at IS NULL) AS not_responding
    FROM people WHERE $period_start IS NOT NULL"""
    return run_period(con, body, recall_id, period).row(0, named=True)


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
    return run_period(con, body, recall_id, period)


def contacts(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period) -> pl.DataFrame:
    """Inbound recall contacts (the dashboard's Contacts: docs/metrics.md#contacts) per regulator
    channel (CONTACT_CHANNELS; ``all`` for every channel): ``period`` and ``cumulative`` — distinct
    consumers who made one (a contact's customer: the registry's, else its email, else its phone;
    someone who called twice counts once) —, ``contacts_period`` and ``contacts`` (contacts), and
    ``unknown_period`` and ``unknown`` (contacts with no customer: no email or phone, so no consumer
    they can be told apart as). A channel is listed when it has a contact; ``all`` always."""
    # ``cumulative``: the contacts that are their consumer's first on the channel, or first at all
    # (contact_facts, kept at load time). ``period``: the consumers of the period's contacts, counted
    # per mask of the channels they used. Counts by raw channel first, then by regulator channel.
    index = " ".join(f"WHEN '{ch}' THEN {i}" for i, ch in enumerate(REGULATOR_CHANNELS))
    channels = ", ".join(f"('{ch}', {i})" for i, ch in enumerate(REGULATOR_CHANNELS))
    ci = f"CASE {CONTACT_CHANNEL_SQL} {index} END"
    body = f""",
    k AS (SELECT channel, created_at > $period_start AS in_period, customer_h, customer_id, first_inbound,
                 first_on_channel
          FROM c_all WHERE direction = 'inbound'),
    per_channel AS (
        SELECT {ci} AS ci, sum(contacts_period) AS contacts_period, sum(contacts) AS contacts,
            sum(unknown_period) AS unknown_period, sum(unknown) AS unknown, sum(firsts) AS cumulative,
            sum(firsts_at_all) AS cumulative_all
        FROM (SELECT channel, count(*) FILTER (in_period) AS contacts_period, count(*) AS contacts,
                  count(*) FILTER (in_period AND customer_h IS NULL) AS unknown_period,
                  count(*) FILTER (customer_h IS NULL) AS unknown,
                  count(*) FILTER (first_on_channel) AS firsts, count(*) FILTER (first_inbound) AS firsts_at_all
              FROM k GROUP BY channel)
        GROUP BY ALL),
    masks AS (
        SELECT recent, count(*) AS customers
        FROM (SELECT bit_or(1 << ({ci})) AS recent FROM k WHERE in_period AND customer_h IS NOT NULL
              GROUP BY customer_h, customer_id)
        GROUP BY ALL),
    dist AS (SELECT ci, sum(customers) FILTER (recent & (1 << ci) <> 0) AS period FROM per_channel, masks GROUP BY ci),
    names(regulator_channel, ci) AS (VALUES {channels})
    SELECT regulator_channel, coalesce(d.period, 0)::BIGINT AS period, p.cumulative::BIGINT AS cumulative,
        p.contacts_period::BIGINT AS contacts_period, p.contacts::BIGINT AS contacts,
        p.unknown_period::BIGINT AS unknown_period, p.unknown::BIGINT AS unknown
    FROM per_channel p JOIN names USING (ci) LEFT JOIN dist d USING (ci)
    UNION ALL
    SELECT 'all', m.*, p.*  -- one row even when there is no contact
    FROM (SELECT coalesce(sum(customers), 0)::BIGINT FROM masks) m,
         (SELECT coalesce(sum(cumulative_all), 0)::BIGINT, coalesce(sum(contacts_period), 0)::BIGINT,
              coalesce(sum(contacts), 0)::BIGINT, coalesce(sum(unknown_period), 0)::BIGINT,
              coalesce(sum(unknown), 0)::BIGINT
          FROM per_channel) p
    ORDER BY regulator_channel  -- one row each"""
    return run_period(con, body, recall_id, period)


def remedy_rate_per_day(con: duckdb.DuckDBPyConnection, recall_id: str, period: Period, days: int = 28) -> float:
    """Units remedied per day over the ``days`` days up to the period's end."""
    body = f"""
    SELECT count(*) FROM reg
    WHERE remedy_completed_at <= $as_of AND remedy_completed_at > $as_of::TIMESTAMP - INTERVAL {int(days)} DAY
        AND $period_start IS NOT NULL"""
    return run_period(con, body, recall_id, period).item() / days


def pick(frame: pl.DataFrame, column: str, **where: Any) -> Any:
    """The sum of ``column`` over the rows matching ``where`` (0 when none)."""
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items())) if where else frame
    return int(rows[column].sum()) if rows.height else 0
