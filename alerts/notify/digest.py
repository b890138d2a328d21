"""The daily digest (docs/alerts.md#daily-digest): one message per recall per local day, planned at
the first tick at or after ``digest_at`` in the recall's time zone (later that day if the
scheduler was down then; a day the scheduler missed entirely is not sent the next day).

It holds the Overview's **verdict line** (metrics/verdict.py's ``verdict``, read as pages/overview.py
reads it: the whole recall — every phase and channel, default options — at the digest time, against
24 h before), a line counting the **alerts firing**, the **tiles** of the stand-up (metrics/standup.py: the whole
recall at the digest time) against their targets with the change since yesterday, the **alerts
that fired** in the last 24 hours, and the **freshness** of every source (newest record, age, stale
or not against its threshold).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from alerts.history import states_at
from alerts.notify.config import Config
from alerts.values import newest_by_source, stale_after_h, targets
from metrics.base import Scope
from metrics.catalog import on
from metrics.freshness import freshness as source_freshness
from metrics.standup import YESTERDAY, standup
from metrics.units import Target
from metrics.verdict import newest_age_h
from metrics.verdict import verdict as overview_verdict

COLOUR_WORDS = {"green": "on target", "amber": "near target", "red": "off target"}


def tile_rows(tiles: dict[str, dict], goals: dict[str, Target | None]) -> list[dict[str, Any]]:
    """The stand-up's tiles (metrics/catalog.py ``on("standup")``) in words: value, change since
    yesterday, target and where the value stands against it."""
    out = []
    for metric in on("standup"):
        tile, goal = tiles[metric.id], goals.get(metric.id)
        colour = goal.colour(tile["value"]) if goal else None
        target = f" · target {'≥' if goal.higher_is_better else '≤'} {metric.unit.format(goal.green)}" if goal else ""
        word = f" ({COLOUR_WORDS[colour]})" if colour else ""
        text = f"{metric.unit.format(tile['value'])} · {metric.unit.format_delta(tile['delta'])}{target}{word}"
        out.append(
            {
                "tile": metric.id,
                "label": metric.label,
                "value": tile["value"],
                "delta": tile["delta"],
                "colour": colour,
                "text": text,
            }
        )
    return out


def verdict(con: duckdb.DuckDBPyConnection, recall_id: str, now: datetime, goals: dict[str, Target | None]) -> str:
    """The Overview's verdict line at ``now`` (pages/overview.py with its default filters)."""
    scope, before = Scope(recall_id, now), Scope(recall_id, now - YESTERDAY)
    readings = [
        (m, m.reading(m.measure(con, scope), "all"), m.reading(m.measure(con, before), "all")) for m in on("overview")
    ]
    return overview_verdict(readings, goals, newest_age_h(source_freshness(con, now)))["text"]


def alerts_line(firing: list[dict[str, Any]]) -> str:
    critical = sum(1 for a in firing if a["severity"] == "critical")
    return f"{critical} critical and {len(firing) - critical} warning alerts firing."


def freshness(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict[str, Any]]:
    out = []
    for table in ("contacts", "csat", "notifications"):
        for source, newest in sorted(newest_by_source(con, table, now).items()):
            age = (now - newest).total_seconds() / 3600
            out.append(
                {
                    "table": table,
                    "source": source,
                    "newest_at": newest.isoformat() + "Z",
                    "age_h": age,
                    "stale": age > stale_after_h(con, source),
                }
            )
    return out


def fired(con: duckdb.DuckDBPyConnection, recall_id: str, now: datetime) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT e.event_at, e.rule_id, e.subject, e.severity FROM alert_events e WHERE e.to_state = 'firing' "
        "AND e.kind = 'state' AND e.recall_id IN (?, '') AND e.event_at > ? AND e.event_at <= ? ORDER BY e.event_at",
        [recall_id, now - timedelta(hours=24), now],
    ).fetchall()
    names = {a["rule"]: a["rule_name"] for a in states_at(con, now, recall_id)}
    return [
        {
            "at": r[0].isoformat() + "Z",
            "rule": r[1],
            "rule_name": names.get(r[1], r[1]),
            "subject": r[2],
            "severity": r[3],
        }
        for r in rows
    ]


def build(con: duckdb.DuckDBPyConnection, recall_id: str, now: datetime, local_date: str) -> dict[str, Any]:
    name = con.execute("SELECT name FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0]
    goals = targets(con)
    rows = tile_rows(standup(con, Scope(recall_id, now))["tiles"], goals)
    firing = [a for a in states_at(con, now, recall_id) if a["state"] == "firing"]
    return {
        "type": "digest",
        "recall_id": recall_id,
        "date": local_date,
        "at": now.isoformat() + "Z",
        "title": f"[Recall Ops] Daily digest {local_date} — {name}",
        "verdict": verdict(con, recall_id, now, goals),
        "alerts_line": alerts_line(firing),
        "tiles": rows,
        "fired_24h": fired(con, recall_id, now),
        "freshness": freshness(con, now),
    }


def plan_digests(con: duckdb.DuckDBPyConnection, now: datetime, config: Config) -> list[str]:
    """Plan today's digest of each recall whose local digest time has come and that has none yet."""
    if config.digest_at is None or not config.channels:
        return []
    planned = []
    for recall_id, zone in con.execute("SELECT recall_id, timezone FROM recalls ORDER BY recall_id").fetchall():
        local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
        if local.time() < config.digest_at:
            continue
        message_id = f"digest|{recall_id}|{local.date().isoformat()}"
        if con.execute(
            "SELECT count(*) FROM alert_outbox WHERE starts_with(message_id, ?)", [message_id + "@"]
        ).fetchall()[0][0]:
            continue
        payload = build(con, recall_id, now, local.date().isoformat())
        payload |= {"id": message_id, "dashboard_url": config.dashboard_url}
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        rows = [
            [f"{message_id}@{ch}", ch, f"digest|{recall_id}", payload["title"], body, now, now]
            for ch in config.channels
        ]
        con.execute("BEGIN TRANSACTION")
        try:
            con.executemany(
                "INSERT INTO alert_outbox (message_id, channel, group_key, kind, title, body, due_at, created_at) "
                "VALUES (?, ?, ?, 'digest', ?, ?, ?, ?)",
                rows,
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        planned.append(message_id)
    return planned
