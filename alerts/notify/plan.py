"""Which notifications are due, grouped, written to the outbox (docs/alerts.md#notifications).

An instance **needs** a message at time t when

- it is firing, critical and not silenced, and this firing episode has not been notified
  (``firing``; a silence that ends leaves it un-notified, so it goes out then);
- it is firing, critical, not silenced, not acknowledged, was notified, and ``repeat_h`` > 0 hours
  have passed since (``repeat``);
- it resolved (or went back to normal) after its episode was notified and the resolution was not
  (``resolved``), unless silenced.

Warnings are never notified: they are for the Alerts page and the wall.

Needs are grouped by rule and recall. A group's message is due ``group_wait_s`` (30 s) after the
group first had a need, and never sooner than ``group_interval_s`` (5 min) after its previous
message; one message carries every need of the group then. Planning writes, in one transaction,
one outbox row per channel (email, each webhook) with a message id fixed by the group and its
message count, marks the instances notified and moves the group's clock — so a restart finds
either all of it or none of it, and never plans a message twice. With no channel configured nothing
is planned (and nothing marked).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import duckdb

from alerts import rules
from alerts.conditions import threshold_op
from alerts.describe import describe
from alerts.engine import load_instances
from alerts.model import Rule
from alerts.notify.config import Config
from alerts.silences import active_at, matching
from alerts.states import Instance
from alerts.values import targets

OUTBOX_COLUMNS = "message_id, channel, group_key, kind, title, body, due_at, created_at"


def need(inst: Instance, rule: Rule, silenced: bool, now: datetime) -> str | None:
    if silenced:
        return None
    if inst.state == "firing" and inst.severity == "critical":
        if inst.notified_at is None:
            return "firing"
        if rule.repeat_h > 0 and inst.acked_at is None and now - inst.notified_at >= timedelta(hours=rule.repeat_h):
            return "repeat"
    if inst.state in ("resolved", "normal") and inst.notified_at is not None and not inst.resolve_notified:
        return "resolved"
    return None


def alert_payload(inst: Instance, rule: Rule, why: str, op: str | None = None) -> dict[str, Any]:
    words = describe(
        {
            "subject": inst.subject,
            "value": inst.value,
            "threshold": inst.threshold,
            "expected": inst.expected,
            "n": inst.n,
            "detail": inst.detail,
        },
        rule,
        op,
    )
    return {
        "what": words["what"],
        "value_text": words["value"],
        "rule_text": words["rule"],
        "rule": rule.id,
        "rule_name": rule.label,
        "kind": rule.kind,
        "recall_id": inst.recall_id or None,
        "subject": inst.subject,
        "state": "resolved" if why == "resolved" else "firing",
        "repeat": why == "repeat",
        "severity": inst.severity,
        "value": inst.value,
        "threshold": inst.threshold,
        "expected": inst.expected,
        "n": inst.n,
        "since": _iso(inst.fired_at),
        "resolved_at": _iso(inst.resolved_at) if why == "resolved" else None,
        "detail": inst.detail,
    }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat() + "Z"


def title(alerts: list[dict[str, Any]], rule: Rule, recall_id: str) -> str:
    firing = [a for a in alerts if a["state"] == "firing"]
    what = "CRITICAL" if firing else "RESOLVED"
    named = sorted({a["what"] for a in (firing or alerts)})
    about = named[0] if len(named) == 1 else f"{rule.label} ({len(named)})"
    where = f" — {recall_id}" if recall_id else ""
    return f"[Recall Ops] {what}: {about}{where}"


def _groups(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[datetime | None, int, datetime | None]]:
    rows = con.execute("SELECT group_key, last_planned_at, messages, waiting_since FROM alert_groups").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _save_group(con, key: str, last: datetime | None, messages: int, waiting: datetime | None) -> None:
    con.execute("DELETE FROM alert_groups WHERE group_key = ?", [key])
    con.execute("INSERT INTO alert_groups VALUES (?, ?, ?, ?)", [key, last, messages, waiting])


def plan(con: duckdb.DuckDBPyConnection, now: datetime, config: Config) -> list[str]:
    """Plan every group message due at ``now``; returns their ids (one per group, not per channel)."""
    if not config.channels:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        planned = _plan(con, now, config)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return planned


def _plan(con: duckdb.DuckDBPyConnection, now: datetime, config: Config) -> list[str]:
    by_id = {r.id: r for r in rules.load(con)[0] if r.enabled}
    goals = targets(con)
    silences = active_at(con, now)
    needs: dict[str, list[tuple[Instance, str]]] = {}
    for inst in load_instances(con).values():
        rule = by_id.get(inst.rule_id)
        why = need(inst, rule, bool(matching(silences, inst.key)), now) if rule else None
        if why:
            needs.setdefault(f"{inst.rule_id}|{inst.recall_id}", []).append((inst, why))
    groups, planned = _groups(con), []
    for key, (last, count, waiting) in groups.items():
        if key not in needs and waiting is not None:
            _save_group(con, key, last, count, None)
    wait, interval = timedelta(seconds=config.group_wait_s), timedelta(seconds=config.group_interval_s)
    for key, items in sorted(needs.items()):
        last, count, waiting = groups.get(key, (None, 0, None))
        waiting = waiting or now
        due = max(waiting + wait, last + interval) if last else waiting + wait
        if now < due:
            _save_group(con, key, last, count, waiting)
            continue
        rule, recall_id = by_id[items[0][0].rule_id], items[0][0].recall_id
        op = threshold_op(rule, goals.get(rule.metric)) if rule.kind == "threshold" else None
        alerts = [alert_payload(i, rule, why, op) for i, why in sorted(items, key=lambda x: x[0].subject)]
        message_id = f"{key}#{count + 1}"
        payload = {
            "id": message_id,
            "type": "alerts",
            "recall_id": recall_id or None,
            "group": key,
            "title": title(alerts, rule, recall_id),
            "at": _iso(now),
            "alerts": alerts,
            "dashboard_url": config.dashboard_url,
        }
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        rows = [[f"{message_id}@{ch}", ch, key, "alerts", payload["title"], body, now, now] for ch in config.channels]
        con.executemany(f"INSERT INTO alert_outbox ({OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for inst, why in items:
            done = (
                replace(inst, resolve_notified=True)
                if why == "resolved"
                else replace(inst, notified_at=now, notified_severity=inst.severity)
            )
            con.execute(
                "UPDATE alert_state SET notified_at = ?, notified_severity = ?, resolve_notified = ? "
                "WHERE rule_id = ? AND recall_id = ? AND subject = ?",
                [done.notified_at, done.notified_severity, done.resolve_notified, *inst.key],
            )
        _save_group(con, key, now, count + 1, None)
        planned.append(message_id)
    return planned
