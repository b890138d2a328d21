"""The life of one rule instance: normal → pending → firing → recovering → resolved (docs/alerts.md#states).

At each evaluation at time t the condition either breaches (with a severity) or not:

- **normal / resolved**, breach: ``breach_since`` = t; it fires at once when ``pending_for`` ≤ 1,
  else it becomes **pending**.
- **pending**: it fires at the first breaching evaluation with t − breach_since ≥
  (pending_for − 1) × every_min — with evaluations every ``every_min`` that is the
  ``pending_for``-th breaching one in a row; a clear evaluation sends it back to **normal**.
- **firing**: a clear evaluation makes it **recovering** (``clear_since`` = t), or **resolved** at
  once when ``keep_firing_for`` is 0. A firing episode counts from ``fired_at``; acknowledgement and
  notification marks belong to the episode and are reset when a new one starts.
- **recovering**: a breach returns it to **firing** (same episode); it resolves at the first clear
  evaluation with t − clear_since ≥ keep_firing_for × every_min.
- A severity change while pending or firing is recorded too (``severity`` event).

Evaluations further apart than ``every_min`` (a restart, a load) only make the clocks longer: a
condition is never judged to have held for more evaluations than the time allows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from alerts.model import Rule


@dataclass(frozen=True)
class Result:
    """A rule's condition for one subject at one evaluation."""

    severity: str | None  # None: not breaching
    value: float | None = None
    threshold: float | None = None
    expected: float | None = None
    n: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Instance:
    rule_id: str
    recall_id: str
    subject: str
    state: str = "normal"
    severity: str | None = None
    since: datetime | None = None  # when the current state began
    breach_since: datetime | None = None
    clear_since: datetime | None = None
    episode: int = 0
    value: float | None = None
    threshold: float | None = None
    expected: float | None = None
    n: int | None = None
    detail: str = ""
    created_at: datetime | None = None
    evaluated_at: datetime | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    notified_at: datetime | None = None
    notified_severity: str | None = None
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    resolve_notified: bool | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule_id, self.recall_id, self.subject)


@dataclass(frozen=True)
class Transition:
    at: datetime
    kind: str  # "state" or "severity"
    from_state: str
    to_state: str
    severity: str | None
    value: float | None


def step(inst: Instance, result: Result, at: datetime, rule: Rule) -> tuple[Instance, list[Transition]]:
    """The instance after one evaluation at ``at``, and the transitions it made."""
    every = timedelta(minutes=rule.every_min)
    need, keep = every * max(rule.pending_for - 1, 0), every * rule.keep_firing_for
    breach = result.severity is not None
    new = replace(
        inst,
        value=result.value,
        threshold=result.threshold,
        expected=result.expected,
        n=result.n,
        detail=result.detail,
        evaluated_at=at,
        created_at=inst.created_at or at,
        breach_since=(inst.breach_since or at) if breach else None,
        clear_since=None if breach else (inst.clear_since or at),
        severity=result.severity if breach else inst.severity,
    )
    state = inst.state
    if breach:
        if state in ("normal", "resolved", "pending") and at - new.breach_since >= need:
            state = "firing"
            new = replace(
                new,
                episode=inst.episode + 1,
                fired_at=at,
                acked_at=None,
                acked_by=None,
                notified_at=None,
                notified_severity=None,
                resolved_at=None,
                resolve_notified=None,
            )
        elif state in ("normal", "resolved"):
            state = "pending"
        elif state == "recovering":
            state = "firing"
    elif state == "pending":
        state = "normal"
    elif state == "firing":
        state = "recovering" if keep else "resolved"
    elif state == "recovering" and at - new.clear_since >= keep:
        state = "resolved"
    if state == "resolved" and inst.state != "resolved":
        new = replace(new, resolved_at=at)
    if state == "normal" and inst.state == "pending":
        new = replace(new, severity=None)
    out: list[Transition] = []
    if state != inst.state:
        new = replace(new, state=state, since=at)
        out.append(Transition(at, "state", inst.state, state, new.severity, result.value))
    elif breach and state in ("pending", "firing") and result.severity != inst.severity:
        out.append(Transition(at, "severity", state, state, result.severity, result.value))
    return new, out
