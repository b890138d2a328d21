"""Every rule instance as it stood at a moment: now, or a replayed past (docs/alerts.md#replay).

At time T an instance shows its stored state when it was last evaluated at or before T; else the
last log row at or before T (the log holds every evaluation while pending, firing or recovering
and the one that ended it); else ``normal`` (it was quiet then). Instances first evaluated after T
are not listed. An instance is *acknowledged* at T when an acknowledgement of its current firing
episode was recorded by T, and *silenced* when a silence matching it covers T.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from alerts import rules
from alerts.conditions import threshold_op
from alerts.describe import describe
from alerts.silences import active_at, matching
from alerts.values import targets
from metrics.base import as_utc

ORDER = {"firing": 0, "recovering": 1, "pending": 2, "resolved": 3, "normal": 4}
SUBJECT_TYPES = {
    "threshold": "metric",
    "change": "metric",
    "no_data": "source",
    "n_reports": "reason",
    "spike": "reason",
}
_SQL = """
WITH last AS (
    SELECT *, row_number() OVER (PARTITION BY rule_id, recall_id, subject ORDER BY logged_at DESC) AS k
    FROM alert_log WHERE logged_at <= $at),
acks AS (
    SELECT rule_id, recall_id, subject, arg_max(actor, event_at) AS actor, max(event_at) AS acked_at FROM alert_events
    WHERE kind = 'acknowledged' AND event_at <= $at GROUP BY ALL)
SELECT s.rule_id, s.recall_id, s.subject,
    CASE WHEN s.evaluated_at <= $at THEN s.state ELSE coalesce(l.state, 'normal') END AS state,
    CASE WHEN s.evaluated_at <= $at THEN s.severity ELSE l.severity END AS severity,
    CASE WHEN s.evaluated_at <= $at
         THEN CASE WHEN s.state IN ('firing', 'recovering') THEN s.fired_at ELSE s.since END
         ELSE l.since END AS since,
    CASE WHEN s.evaluated_at <= $at THEN s.value ELSE l.value END AS value,
    CASE WHEN s.evaluated_at <= $at THEN s.threshold ELSE l.threshold END AS threshold,
    CASE WHEN s.evaluated_at <= $at THEN s.expected ELSE l.expected END AS expected,
    CASE WHEN s.evaluated_at <= $at THEN s.n ELSE l.n END AS n,
    CASE WHEN s.evaluated_at <= $at THEN s.detail ELSE l.detail END AS detail,
    CASE WHEN s.evaluated_at <= $at THEN s.evaluated_at ELSE l.logged_at END AS evaluated_at,
    a.actor AS acked_by, a.acked_at
FROM alert_state s
LEFT JOIN last l ON l.k = 1 AND l.rule_id = s.rule_id AND l.recall_id = s.recall_id AND l.subject = s.subject
LEFT JOIN acks a ON a.rule_id = s.rule_id AND a.recall_id = s.recall_id AND a.subject = s.subject
WHERE s.created_at <= $at AND ($rid IS NULL OR s.recall_id IN ($rid, ''))"""
COLUMNS = (
    "rule_id",
    "recall_id",
    "subject",
    "state",
    "severity",
    "since",
    "value",
    "threshold",
    "expected",
    "n",
    "detail",
    "evaluated_at",
    "acked_by",
    "acked_at",
)


def states_at(
    con: duckdb.DuckDBPyConnection, at: datetime | str | None = None, recall_id: str | None = None
) -> list[dict[str, Any]]:
    """The instances of enabled rules at ``at`` (default now), most urgent first: firing critical,
    firing warning, recovering, pending, resolved, normal; the newest first within each."""
    t = as_utc(at)
    by_id = {r.id: r for r in rules.load(con)[0] if r.enabled}
    goals = targets(con)
    rows = con.execute(_SQL, {"at": t, "rid": recall_id}).fetchall()
    silences = active_at(con, t)
    out = []
    for row in rows:
        a = dict(zip(COLUMNS, row, strict=True))
        rule = by_id.get(a["rule_id"])
        if rule is None:
            continue
        active = a["state"] in ("firing", "recovering")
        acked = active and a["acked_at"] is not None and a["since"] is not None and a["acked_at"] >= a["since"]
        silence = next(iter(matching(silences, (a["rule_id"], a["recall_id"], a["subject"]))), None)
        op = threshold_op(rule, goals.get(rule.metric)) if rule.kind == "threshold" else None
        words = describe(a | {"subject": a["subject"], "detail": a["detail"]}, rule, op)
        out.append(
            {
                "rule": rule.id,
                "rule_name": rule.label,
                "kind": rule.kind,
                "recall_id": a["recall_id"] or None,
                "subject_type": SUBJECT_TYPES[rule.kind],
                "subject": a["subject"],
                "state": a["state"],
                "severity": a["severity"] if a["state"] != "normal" else None,
                "value": a["value"],
                "threshold": a["threshold"],
                "expected": a["expected"],
                "n": a["n"],
                "since": a["since"] if a["state"] != "normal" else None,
                "detail": a["detail"] or "",
                "evaluated_at": a["evaluated_at"],
                "acknowledged": {"by": a["acked_by"], "at": a["acked_at"]} if acked else None,
                "silenced": silence,
                "what": words["what"],
                "value_text": words["value"],
                "rule_text": words["rule"],
            }
        )
    severity_rank = {"critical": 0, "warning": 1}
    out.sort(key=lambda x: (x["rule"], x["subject"]))
    out.sort(key=lambda x: x["since"] or datetime.min, reverse=True)  # newest first within a rank
    out.sort(key=lambda x: (ORDER[x["state"]], severity_rank.get(x["severity"], 2)))
    return out


def firing(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alerts a wall shows: firing or recovering (still an alert until resolved)."""
    return [a for a in alerts if a["state"] in ("firing", "recovering")]


def events(con: duckdb.DuckDBPyConnection, recall_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The newest transitions, acknowledgements and silences (of this recall and the whole store)."""
    rows = con.execute(
        "SELECT event_at, rule_id, recall_id, subject, kind, from_state, to_state, severity, actor, note "
        "FROM alert_events WHERE $rid IS NULL OR recall_id IN ($rid, '') ORDER BY event_id DESC LIMIT $limit",
        {"rid": recall_id, "limit": limit},
    ).fetchall()
    names = ("at", "rule", "recall_id", "subject", "kind", "from_state", "to_state", "severity", "by", "note")
    return [dict(zip(names, r, strict=True)) for r in rows]


_EPISODES = """
SELECT e.rule_id, e.recall_id, e.subject, e.event_at, e.kind, e.from_state, e.to_state, e.severity, e.actor,
    coalesce(e.value, l.value) AS value, l.threshold, l.expected, l.n, l.detail
FROM alert_events e
ASOF LEFT JOIN alert_log l
    ON l.rule_id = e.rule_id AND l.recall_id = e.recall_id AND l.subject = e.subject AND l.logged_at <= e.event_at
WHERE e.kind IN ('state', 'severity', 'acknowledged') AND e.event_at <= $until
    AND ($rid IS NULL OR e.recall_id IN ($rid, ''))
ORDER BY e.rule_id, e.recall_id, e.subject, e.event_id"""


def episodes(con: duckdb.DuckDBPyConnection, recall_id: str | None, until: datetime | str) -> list[dict[str, Any]]:
    """Every firing episode up to ``until``, oldest first: an instance moving into ``firing`` from
    anything but ``recovering`` starts one; its next move to ``resolved`` or ``normal`` ends it
    (``resolved_at`` None: still active at ``until``). ``severity`` is the worst it reached
    (critical over warning), ``value_text`` its value when it fired, ``acknowledged_by`` who
    acknowledged it first (None: nobody). Rules deleted since are listed by their id."""
    by_id = {r.id: r for r in rules.load(con)[0]}
    goals = targets(con)
    rows = con.execute(_EPISODES, {"until": as_utc(until), "rid": recall_id}).fetchall()
    names = ("rule_id", "recall_id", "subject", "at", "kind", "from_state", "to_state", "severity", "actor",
             "value", "threshold", "expected", "n", "detail")  # fmt: skip
    out: list[dict[str, Any]] = []
    open_: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        e = dict(zip(names, row, strict=True))
        key = (e["rule_id"], e["recall_id"], e["subject"])
        episode = open_.get(key)
        if e["kind"] == "state" and e["to_state"] == "firing" and episode is None:
            rule = by_id.get(e["rule_id"])
            words = {"what": e["subject"] or e["rule_id"], "value": "—"}
            if rule is not None:
                op = threshold_op(rule, goals.get(rule.metric)) if rule.kind == "threshold" else None
                words = describe(e, rule, op)
            episode = {
                "rule": e["rule_id"],
                "rule_name": rule.label if rule else e["rule_id"],
                "kind": rule.kind if rule else None,
                "subject": e["subject"],
                "what": words["what"],
                "value_text": words["value"],
                "severity": e["severity"],
                "fired_at": e["at"],
                "resolved_at": None,
                "acknowledged_by": None,
            }
            open_[key] = episode
            out.append(episode)
        elif episode is None:
            continue
        elif e["kind"] == "acknowledged":
            episode["acknowledged_by"] = episode["acknowledged_by"] or e["actor"]
        elif e["kind"] == "state" and e["to_state"] in ("resolved", "normal"):
            episode["resolved_at"] = e["at"]
            del open_[key]
        if e["severity"] == "critical":
            episode["severity"] = "critical"
    out.sort(key=lambda x: (x["fired_at"], x["rule"], x["subject"]))
    return out
