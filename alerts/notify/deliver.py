"""Sending what the outbox holds (docs/alerts.md#notifications).

1. **Claim**, in one committed transaction: the rows not sent, due by now and not claimed in the
   last ``LEASE`` (2 min) get ``claimed_at = now`` and one more attempt.
2. **Send** each, without holding the store (a connection is opened again afterwards).
3. **Mark**: ``sent_at`` on success; on failure the error (never a secret), no claim, and the next
   try after 30 s × 2^(attempts − 1), at most an hour.

A process stopped between 1 and 3 leaves claimed rows: they are sent again once the lease has run
out (nothing due is lost). A process killed while the receiver was already taking a message may
therefore send it twice; the copy has the same message id (``Message-ID`` header,
``Idempotency-Key`` header and ``id`` field), so the receiver can drop it. A stop asked for
(SIGTERM) finishes the message in hand and marks it first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

import duckdb

from alerts.notify import render, send
from alerts.notify.config import Config

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
Opener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def claim(con: duckdb.DuckDBPyConnection, now: datetime, limit: int = 50) -> list[tuple]:
    """(message_id, channel, title, body, attempts) of the rows claimed now."""
    con.execute("BEGIN TRANSACTION")
    try:
        rows = con.execute(
            """UPDATE alert_outbox SET claimed_at = $now, attempts = attempts + 1
               WHERE message_id IN (
                   SELECT message_id FROM alert_outbox
                   WHERE sent_at IS NULL AND due_at <= $now AND (claimed_at IS NULL OR claimed_at <= $stale)
                   ORDER BY due_at, message_id LIMIT $limit)
               RETURNING message_id, channel, title, body, attempts""",
            {"now": now, "stale": now - LEASE, "limit": limit},
        ).fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return sorted(rows)


def send_one(config: Config, channel: str, message_id: str, title: str, body: str) -> None:
    payload = json.loads(body)
    if channel == "email":
        if config.email is None:
            raise send.SendError("email is no longer configured")
        send.send_email(config.email, message_id, title, render.text(payload))
        return
    name = channel.removeprefix("webhook:")
    hook = next((w for w in config.webhooks if w.name == name), None)
    if hook is None:
        raise send.SendError(f"webhook {name} is no longer configured")
    send.send_webhook(hook, message_id, render.webhook_body(payload, hook.format))


def deliver(opener: Opener, now: datetime, config: Config, stop: Callable[[], bool] = lambda: False) -> tuple[int, int]:
    """Claim, send and mark the due messages; returns (sent, failed)."""
    with opener() as con:
        rows = claim(con, now)
    sent = failed = 0
    for message_id, channel, title, body, attempts in rows:
        if stop():
            break  # the rows left stay claimed and are sent once their lease runs out
        try:
            send_one(config, channel, message_id, title, body)
            error = None
        except send.SendError as e:
            error = str(e)
        with opener() as con:
            if error is None:
                con.execute(
                    "UPDATE alert_outbox SET sent_at = ?, last_error = NULL WHERE message_id = ?", [now, message_id]
                )
                sent += 1
            else:
                wait = min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
                con.execute(
                    "UPDATE alert_outbox SET claimed_at = NULL, due_at = ?, last_error = ? WHERE message_id = ?",
                    [now + wait, error, message_id],
                )
                failed += 1
    return sent, failed
