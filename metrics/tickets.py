"""Ticket timing and backlog (tickets = the recall's contacts on channels other than phone).

- **First reply time** = ``first_reply_at − created_at`` of inbound tickets replied to by
  ``as_of``; **resolution time** = ``resolved_at − created_at`` of inbound tickets resolved by
  ``as_of``. Calendar time, in seconds; median and P90 (``quantile_cont``), by the ticket's
  phase or day of creation.
- **Backlog** at the end of each local day (or at ``as_of`` for the current day) = tickets
  created by then and not yet resolved. A ticket is resolved at ``resolved_at``; a solved or
  closed ticket without one counts as resolved at ``updated_at`` (else ``created_at``).
  **Aged backlog** = the part of it created more than 24 h (``AGED_AFTER_H``) before.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.base import Scope, complete_phases, daily_counts_sql, grouped, run

AGED_AFTER_H = 24
_AGED = f"INTERVAL {AGED_AFTER_H} HOUR"
_RESOLVED = """coalesce(resolved_at, CASE WHEN status IN ('solved', 'closed')
                THEN coalesce(updated_at, created_at) END)"""


def ticket_times(con: duckdb.DuckDBPyConnection, scope: Scope, by: str = "phase") -> pl.DataFrame:
    """One row per bucket: frt_n, frt_median_s, frt_p90_s, resolution_n, resolution_median_s,
    resolution_p90_s."""
    select, group = grouped(by)
    frt = "epoch(first_reply_at - created_at)"
    res = "epoch(resolved_at - created_at)"
    body = f""",
    t AS (SELECT *, first_reply_at <= $as_of AS replied, resolved_at <= $as_of AS resolved
          FROM c WHERE is_ticket AND direction = 'inbound')
    SELECT {select},
        count(*) FILTER (replied) AS frt_n,
        quantile_cont({frt}, [0.5, 0.9]) FILTER (replied)[1] AS frt_median_s,
        quantile_cont({frt}, [0.5, 0.9]) FILTER (replied)[2] AS frt_p90_s,
        count(*) FILTER (resolved) AS resolution_n,
        quantile_cont({res}, [0.5, 0.9]) FILTER (resolved)[1] AS resolution_median_s,
        quantile_cont({res}, [0.5, 0.9]) FILTER (resolved)[2] AS resolution_p90_s
    FROM t GROUP BY {group}"""
    frame = run(con, body, scope)
    return complete_phases(frame, {"frt_n": 0, "resolution_n": 0}) if by == "phase" else frame.sort(by)


def backlog(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per local day from the first ticket to ``as_of``: snapshot_at (UTC instant of
    the snapshot), open_tickets, aged_tickets (open and created > 24 h before the snapshot)."""
    # A ticket counts at snapshot S from the first snapshot at or after its creation (so on the
    # local day of the instant just before it) until the first at or after it is resolved; it is
    # aged from the first snapshot later than creation + 24 h. Counted per day, then summed.
    before = "- INTERVAL 1 MICROSECOND"
    body = f""",
    t AS (SELECT created_at, {_RESOLVED} AS resolved_time FROM c WHERE is_ticket),
    bounds AS (SELECT min(day) AS lo FROM c WHERE is_ticket),
    d AS (
        SELECT CAST(g AS DATE) AS day FROM r, bounds b,
            generate_series(b.lo, CAST(timezone(r.timezone, timezone('UTC', $as_of::TIMESTAMP)) AS DATE),
                            INTERVAL 1 DAY) AS s(g)
        WHERE b.lo IS NOT NULL),
    ev AS (
        SELECT 'opened' AS kind, created_at {before} AS moment_at FROM t WHERE created_at <= $as_of
        UNION ALL SELECT 'closed', greatest(created_at, resolved_time) {before} FROM t
            WHERE resolved_time IS NOT NULL AND greatest(created_at, resolved_time) <= $as_of
        UNION ALL SELECT 'aged', created_at + {_AGED} FROM t WHERE created_at + {_AGED} < $as_of
        UNION ALL SELECT 'aged_closed', greatest(created_at + {_AGED}, resolved_time {before}) FROM t
            WHERE created_at + {_AGED} < $as_of AND resolved_time <= $as_of)
    {daily_counts_sql("ev", "(SELECT lo FROM bounds)")},
    cum AS (
        SELECT d.day, sum(coalesce(x.n, 0)) FILTER (x.kind = 'opened') AS opened,
            sum(coalesce(x.n, 0)) FILTER (x.kind = 'closed') AS closed,
            sum(coalesce(x.n, 0)) FILTER (x.kind = 'aged') AS aged,
            sum(coalesce(x.n, 0)) FILTER (x.kind = 'aged_closed') AS aged_closed
        FROM d LEFT JOIN daily x USING (day) GROUP BY d.day)
    SELECT day,
        least(timezone('UTC', timezone(r.timezone, CAST(day + INTERVAL 1 DAY AS TIMESTAMP))), $as_of::TIMESTAMP)
            AS snapshot_at,
        CAST(sum(coalesce(opened, 0) - coalesce(closed, 0)) OVER w AS BIGINT) AS open_tickets,
        CAST(sum(coalesce(aged, 0) - coalesce(aged_closed, 0)) OVER w AS BIGINT) AS aged_tickets
    FROM cum, r WINDOW w AS (ORDER BY day) ORDER BY day"""
    return run(con, body, scope)


def backlog_at(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row: open_tickets, aged_tickets at the instant ``as_of`` — :func:`backlog`'s last row, in
    one pass."""
    body = f""",
    t AS (SELECT created_at, {_RESOLVED} AS resolved_time FROM c WHERE is_ticket)
    SELECT count(*) FILTER (resolved_time IS NULL OR resolved_time > $as_of) AS open_tickets,
        count(*) FILTER ((resolved_time IS NULL OR resolved_time > $as_of)
                         AND created_at < $as_of::TIMESTAMP - {_AGED}) AS aged_tickets
    FROM t"""
    return run(con, body, scope)


def open_backlog(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[int, int]:
    """(open, aged) tickets at the instant ``as_of`` (:func:`backlog_at`)."""
    return backlog_at(con, scope).row(0)
