"""Alert tables: rules, each rule instance's working state, its history, silences and the outbox.

Created with the rest of the store (store/db.py), the way store/settings.py adds ``settings``.
What the rows mean is docs/alerts.md#what-is-stored; the code that fills them is alerts/.

- ``alert_rules``: one row per rule, its spec as JSON text (alerts/model.py reads it).
- ``alert_state``: one row per rule instance (rule, recall, subject): its state now and the
  clocks the state machine needs (``breach_since``, ``clear_since``), acknowledgement and
  notification marks of the current episode. ``recall_id`` is ``''`` for instances about the whole
  store (a source with no new data).
- ``alert_log``: the instance as it stood at each evaluation while it was not ``normal`` (and the
  evaluation that returned it to ``normal``): what a replay of a past moment reads.
- ``alert_events``: every transition (normal → pending → firing → recovering → resolved, severity
  changes) and every acknowledgement and silence, with who (``actor``) and when.
- ``alert_silences``: matchers (rule, recall, subject; empty matches any), a time window, a reason.
- ``alert_outbox``: every notification message, written before it is sent; ``sent_at`` once sent.
- ``alert_groups``: per notification group, when its last message was planned and since when
  something in it waits to be sent.
"""

from __future__ import annotations

ALERTS_DDL = (
    """CREATE TABLE IF NOT EXISTS alert_rules (
        rule_id VARCHAR NOT NULL, spec VARCHAR NOT NULL, is_default BOOLEAN NOT NULL,
        updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS alert_state (
        rule_id VARCHAR NOT NULL, recall_id VARCHAR NOT NULL, subject VARCHAR NOT NULL,
        state VARCHAR NOT NULL, severity VARCHAR, since TIMESTAMP, breach_since TIMESTAMP,
        clear_since TIMESTAMP, episode BIGINT NOT NULL, value DOUBLE, threshold DOUBLE, expected DOUBLE,
        n BIGINT, detail VARCHAR, created_at TIMESTAMP NOT NULL, evaluated_at TIMESTAMP NOT NULL,
        acked_at TIMESTAMP, acked_by VARCHAR,
        notified_at TIMESTAMP, notified_severity VARCHAR, fired_at TIMESTAMP, resolved_at TIMESTAMP,
        resolve_notified BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS alert_log (
        rule_id VARCHAR NOT NULL, recall_id VARCHAR NOT NULL, subject VARCHAR NOT NULL,
        logged_at TIMESTAMP NOT NULL, state VARCHAR NOT NULL, severity VARCHAR, since TIMESTAMP,
        value DOUBLE, threshold DOUBLE, expected DOUBLE, n BIGINT, detail VARCHAR)""",
    "CREATE SEQUENCE IF NOT EXISTS alert_event_seq START 1",
    """CREATE TABLE IF NOT EXISTS alert_events (
        event_id BIGINT NOT NULL, rule_id VARCHAR NOT NULL, recall_id VARCHAR NOT NULL,
        subject VARCHAR NOT NULL, event_at TIMESTAMP NOT NULL, kind VARCHAR NOT NULL, from_state VARCHAR,
        to_state VARCHAR, severity VARCHAR, value DOUBLE, actor VARCHAR, note VARCHAR,
        recorded_at TIMESTAMP NOT NULL)""",
    "CREATE SEQUENCE IF NOT EXISTS alert_silence_seq START 1",
    """CREATE TABLE IF NOT EXISTS alert_silences (
        silence_id BIGINT NOT NULL, rule_id VARCHAR, recall_id VARCHAR, subject VARCHAR,
        starts_at TIMESTAMP NOT NULL, ends_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL,
        created_by VARCHAR, created_at TIMESTAMP NOT NULL, ended_at TIMESTAMP, ended_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS alert_outbox (
        message_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, group_key VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, title VARCHAR NOT NULL, body VARCHAR NOT NULL, due_at TIMESTAMP NOT NULL,
        created_at TIMESTAMP NOT NULL, claimed_at TIMESTAMP, sent_at TIMESTAMP,
        attempts INTEGER NOT NULL DEFAULT 0, last_error VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS alert_groups (
        group_key VARCHAR NOT NULL, last_planned_at TIMESTAMP, messages BIGINT NOT NULL,
        waiting_since TIMESTAMP)""",
)
