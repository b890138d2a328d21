"""Repeat contacts: why customers came back, and on which channel.

A **repeated contact** is a contact the repeat-contact FCR method (``metrics.fcr``, window
W = ``fcr_window_h``) counts as eligible but not resolved *because of a repeat*: a handled
inbound contact (not abandoned) with a known customer and ``created_at + W ≤ as_of``, followed
by another inbound contact of the same customer for the recall (any channel, abandoned ones
included) with ``created_at`` in ``(c.created_at, c.created_at + W]``. Transferred contacts
without a repeat are not repeated contacts. The **repeat** is the earliest such later contact.

- ``repeat_reasons``: per phase of the first contact (and ``all``), the first contact's
  ``reason`` (empty → ``(no reason)``), the number of repeated contacts with it and its share of
  the phase's repeated contacts.
- ``channel_switches``: per phase (and ``all``), repeated contacts counted by first contact
  channel → repeat channel.

Filters narrow the first contacts; repeats are looked for among all the recall's contacts.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Options, Scope, complete_phases, grouped, run
from metrics.fcr import came_back_sql, eligible_sql, fcr, fcr_frame, repeat_contact_sql
from metrics.scope import PHASES

NO_REASON = "(no reason)"


def _repeated(options: Options) -> str:
    """CTE ``rep``: the repeated contacts with ``reason`` and ``repeat_channel``, continuing
    ``WITH <scope>`` (``next_at``/``next_channel``: the customer's next inbound contact)."""
    return f""",
    rep AS (
        SELECT phase, channel, coalesce(reason, '{NO_REASON}') AS reason, next_channel AS repeat_channel
        FROM c WHERE {eligible_sql(options)} AND {came_back_sql(options)})"""


def repeat_rate(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket: n (FCR-eligible contacts), repeated (those followed by a repeat), rate."""
    select, group = grouped(by)
    body = f"""
    SELECT {select}, count(*) AS n, count(*) FILTER ({came_back_sql(scope.options)}) AS repeated
    FROM c WHERE {eligible_sql(scope.options)} GROUP BY {group}"""
    return _rate_frame(run(con, body, scope), by)


def _rate_frame(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    frame = frame.select(by, "n", "repeated")
    frame = complete_phases(frame, {"n": 0, "repeated": 0}) if by == "phase" else frame
    return frame.with_columns(pl.when(pl.col("n") > 0).then(pl.col("repeated") / pl.col("n")).alias("rate"))


def fcr_and_repeats(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """:func:`metrics.fcr.fcr` (rows with ``metric`` = ``fcr``) and :func:`repeat_rate` (``metric`` =
    ``repeat_rate``) stacked, each with its own columns: with the repeat-contact FCR method both
    come from one pass over the contacts (repeat rate's n is FCR's eligible n)."""
    if scope.options.fcr_method == "zendesk_one_touch":
        first, repeats = fcr(con, scope, by), repeat_rate(con, scope, by)
    else:
        counts = run(con, repeat_contact_sql(scope.options, by, repeated=True), scope)
        eligible = counts if by == "phase" else counts.filter(pl.col("n") > 0).sort(by)  # days with eligible contacts
        first, repeats = fcr_frame(counts, by), _rate_frame(eligible, by)
    return pl.concat(
        [first.with_columns(metric=pl.lit("fcr")), repeats.with_columns(metric=pl.lit("repeat_rate"))],
        how="diagonal",
    )


def repeat_reasons(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per phase (``all`` included) and reason: contacts, share (of the phase's repeated
    contacts), ordered by phase, then most frequent reason first."""
    body = f"""{_repeated(scope.options)}
    SELECT CASE WHEN grouping(phase) = 1 THEN 'all' ELSE phase END AS phase, reason, count(*) AS contacts
    FROM rep GROUP BY GROUPING SETS ((phase, reason), (reason))"""
    frame = run(con, body, scope)
    rank = {p: i for i, p in enumerate((*PHASES, "all"))}
    return (
        frame.with_columns((pl.col("contacts") / pl.col("contacts").sum().over("phase")).alias("share"))
        .sort(pl.col("phase").replace_strict(rank, return_dtype=pl.Int32), -pl.col("contacts"), "reason")
        .select("phase", "reason", "contacts", "share")
    )


def channel_switches(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per phase (``all`` included), first contact channel and repeat channel: contacts."""
    body = f"""{_repeated(scope.options)}
    SELECT CASE WHEN grouping(phase) = 1 THEN 'all' ELSE phase END AS phase,
        channel AS first_channel, repeat_channel, count(*) AS contacts
    FROM rep GROUP BY GROUPING SETS ((phase, channel, repeat_channel), (channel, repeat_channel))"""
    frame = run(con, body, scope)
    rank = {p: i for i, p in enumerate((*PHASES, "all"))}
    return frame.sort(pl.col("phase").replace_strict(rank, return_dtype=pl.Int32), "first_channel", "repeat_channel")
