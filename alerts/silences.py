"""Silences and acknowledgements (docs/alerts.md#acknowledge-and-silence).

A **silence** has matchers — a rule id, a recall id, a subject; an empty matcher matches any — a
window [starts_at, ends_at) of at most 30 days, a reason and who set it. While it covers an
instance, that instance is still evaluated (its state moves as usual) but sends no notification;
when the window ends, a still-firing instance is notified as if it had just fired (alerts/notify).
Ending a silence early records who and when.

An **acknowledgement** marks the current firing episode of one instance as seen by someone: it
stops the repeat notifications of that episode; the next episode is not acknowledged.

Both are written to ``alert_events`` with who did it (``by``) and when.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

MAX_SILENCE = timedelta(days=30)
Key = tuple[str, str, str]


class SilenceError(ValueError):
    pass


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _event(con: duckdb.DuckDBPyConnection, key: Key, at: datetime, kind: str, by: str | None, note: str | None) -> None:
    state = con.execute(
        "SELECT state, severity FROM alert_state WHERE rule_id = ? AND recall_id = ? AND subject = ?", list(key)
    ).fetchall()
    st, sev = state[0] if state else (None, None)
    con.execute(
        "INSERT INTO alert_events VALUES (nextval('alert_event_seq'), ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
        [*key, at, kind, st, st, sev, by, note, _now()],
    )


def add(
    con: duckdb.DuckDBPyConnection,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    by: str | None,
    rule_id: str | None = None,
    recall_id: str | None = None,
    subject: str | None = None,
) -> int:
    """Store a silence; returns its id. An event is written for each instance it covers now."""
    reason = (reason or "").strip()
    if not reason:
        raise SilenceError("a silence needs a reason (what is being handled, and by whom)")
    if len(reason) > 500:
        raise SilenceError("a silence's reason is at most 500 characters")
    if not starts_at < ends_at <= starts_at + MAX_SILENCE:
        raise SilenceError("a silence must end after it starts, and last at most 30 days")
    sid = con.execute("SELECT nextval('alert_silence_seq')").fetchall()[0][0]
    con.execute(
        "INSERT INTO alert_silences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        [sid, rule_id or None, recall_id or None, subject or None, starts_at, ends_at, reason, by, _now()],
    )
    silence = {"rule_id": rule_id or None, "recall_id": recall_id or None, "subject": subject or None}
    for key in _instances(con):
        if covers(silence, key):
            _event(con, key, starts_at, "silenced", by, f"until {ends_at:%Y-%m-%d %H:%M} UTC: {reason}")
    return sid


def end(con: duckdb.DuckDBPyConnection, silence_id: int, by: str | None, at: datetime | None = None) -> None:
    at = at or _now()
    con.execute(
        "UPDATE alert_silences SET ended_at = ?, ended_by = ? WHERE silence_id = ? AND ended_at IS NULL",
        [at, by, silence_id],
    )
    row = con.execute("SELECT rule_id, recall_id, subject FROM alert_silences WHERE silence_id = ?", [silence_id])
    found = row.fetchall()
    if found:
        silence = dict(zip(("rule_id", "recall_id", "subject"), found[0], strict=True))
        for key in _instances(con):
            if covers(silence, key):
                _event(con, key, at, "unsilenced", by, f"silence {silence_id} ended")


def _instances(con: duckdb.DuckDBPyConnection) -> list[Key]:
    return [tuple(r) for r in con.execute("SELECT rule_id, recall_id, subject FROM alert_state").fetchall()]


def covers(silence: dict[str, Any], key: Key) -> bool:
    return all(silence[m] in (None, "", v) for m, v in zip(("rule_id", "recall_id", "subject"), key, strict=True))


def active_at(con: duckdb.DuckDBPyConnection, at: datetime) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT silence_id, rule_id, recall_id, subject, starts_at, ends_at, reason, created_by FROM alert_silences "
        "WHERE starts_at <= $at AND ends_at > $at AND (ended_at IS NULL OR ended_at > $at) ORDER BY silence_id",
        {"at": at},
    ).fetchall()
    names = ("id", "rule_id", "recall_id", "subject", "starts_at", "until", "reason", "by")
    return [dict(zip(names, r, strict=True)) for r in rows]


def matching(silences: list[dict[str, Any]], key: Key) -> list[dict[str, Any]]:
    return [
        {"id": s["id"], "reason": s["reason"], "until": s["until"], "by": s["by"]} for s in silences if covers(s, key)
    ]


def listing(con: duckdb.DuckDBPyConnection, at: datetime) -> list[dict[str, Any]]:
    """Silences not over at ``at`` (current and scheduled), newest first."""
    rows = con.execute(
        "SELECT silence_id, rule_id, recall_id, subject, starts_at, ends_at, reason, created_by, created_at "
        "FROM alert_silences WHERE ends_at > $at AND (ended_at IS NULL OR ended_at > $at) ORDER BY silence_id DESC",
        {"at": at},
    ).fetchall()
    names = ("id", "rule", "recall", "subject", "starts_at", "ends_at", "reason", "by", "created_at")
    return [dict(zip(names, r, strict=True)) for r in rows]


def acknowledge(con: duckdb.DuckDBPyConnection, key: Key, by: str | None, at: datetime | None = None) -> bool:
    """Acknowledge the instance's current firing episode; False when it is not firing or recovering."""
    at = at or _now()
    row = con.execute(
        "SELECT state FROM alert_state WHERE rule_id = ? AND recall_id = ? AND subject = ?", list(key)
    ).fetchall()
    if not row or row[0][0] not in ("firing", "recovering"):
        return False
    con.execute(
        "UPDATE alert_state SET acked_at = ?, acked_by = ? WHERE rule_id = ? AND recall_id = ? AND subject = ?",
        [at, by, *key],
    )
    _event(con, key, at, "acknowledged", by, None)
    return True
