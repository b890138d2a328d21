"""Alert rules as data: one ``Rule`` per rule, validated, with the defaults a fresh install ships.

Kinds (docs/alerts.md#rules):

- ``threshold``: a metric ``above`` or ``below`` a value. ``warning`` and ``critical`` are numbers,
  or ``"target"`` / ``"amber"`` for the metric's target and the edge of its amber band (Settings),
  or ``"none"``. Defaults (left out): warning = target, critical = amber edge, ``op`` from the metric's
  direction — so the alert's severity is the tile's colour: amber → warning, red → critical.
- ``change``: the metric's change against a ``baseline`` (``yesterday``: the same window at
  as_of − 24 h, i.e. the same hours of the previous day; ``last_week``: at as_of − 168 h, the same
  weekday; ``pre_announcement``: the pre-announcement phase), as ``pct`` or ``abs`` (metric units),
  ``op`` ``rise`` (default) or ``fall``; critical (required) and warning (optional) are the size of
  the change, positive numbers.
- ``no_data``: a source (``source``, or every source of ``table``) whose newest record is older than
  its stale threshold (Settings).
- ``n_reports``: a contact reason rare before the baseline end (announcement + ``learn_h``) reported
  by ``pattern_reports`` distinct customers within ``within_h`` hours (warning) or ``reports``
  (critical).
- ``spike``: a reason's daily count above its expected level (EARS C2 or EWMA; alerts/detect.py).

Metric rules measure a window: the local days ``days`` back from as_of's day (1 = today so far),
or with ``days = 0`` the whole ``phase``; optionally one ``channel``; with at least
``min_volume`` in the window's denominator (calls offered, responses, eligible contacts,
contacts) — below it a rule cannot fire.

Options of every rule: ``every_min`` (evaluated every N minutes), ``pending_for`` (the condition
must hold over that many evaluations, i.e. for (N − 1) × every_min minutes, before firing),
``keep_firing_for`` (a firing alert whose condition stopped stays ``recovering`` for N evaluations
before it resolves), ``repeat_h`` (notify again every R hours while firing and not
acknowledged; 0 = once until resolved).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from alerts.values import REFUSED
from store.schema import CHANNELS

KINDS = ("threshold", "change", "no_data", "n_reports", "spike")
SEVERITIES = ("warning", "critical")
STATES = ("normal", "pending", "firing", "recovering", "resolved")
PHASES = ("pre_announcement", "day_one", "during", "ongoing", "after", "all")
BASELINES = ("yesterday", "last_week", "pre_announcement")
TABLES = ("contacts", "csat", "notifications")
SPIKE_METHODS = ("ears_c2", "ewma")
SYMBOLIC = ("target", "amber", "none")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


class RuleError(ValueError):
    """A rule that cannot be used; the message lists every problem."""


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    kind: str
    name: str = ""
    recall: str | None = None  # None: every recall
    enabled: bool = True
    every_min: float = 5.0
    pending_for: int = 2
    keep_firing_for: int = 1
    repeat_h: float = 4.0
    # threshold and change
    metric: str | None = None
    phase: str = "all"
    channel: str | None = None
    days: int = 1
    op: str | None = None
    warning: float | str | None = None  # threshold: None = "target"; change: None = no warning level
    critical: float | str | None = None  # threshold: None = "amber"; change: required
    min_volume: int = 20
    change: str = "pct"
    baseline: str = "yesterday"
    # no_data
    source: str | None = None
    table: str = "contacts"
    # n_reports
    reports: int = 3
    pattern_reports: int = 2
    within_h: float = 72.0
    learn_h: float = 24.0
    rare_below: int = 3
    # spike (and the severity of no_data)
    method: str = "ears_c2"
    baseline_days: int = 7
    lag_days: int = 2
    min_baseline_days: int = 3
    alpha: float = 0.001
    min_sigma: float = 0.5
    ewma_lambda: float = 0.1
    ewma_l: float = 2.8
    severity: str = "warning"

    @property
    def label(self) -> str:
        return self.name or self.id


# Per kind: the fields that mean something, and defaults that differ from the dataclass's.
COMMON = ("id", "kind", "name", "recall", "enabled", "every_min", "pending_for", "keep_firing_for", "repeat_h")
METRIC_WINDOW = ("metric", "phase", "channel", "days", "op", "warning", "critical", "min_volume")
KIND_FIELDS = {
    "threshold": (*COMMON, *METRIC_WINDOW),
    "change": (*COMMON, *METRIC_WINDOW, "change", "baseline"),
    "no_data": (*COMMON, "source", "table", "severity"),
    "n_reports": (*COMMON, "reports", "pattern_reports", "within_h", "learn_h", "rare_below"),
    "spike": (
        *COMMON,
        "method",
        "baseline_days",
        "lag_days",
        "min_baseline_days",
        "alpha",
        "min_sigma",
        "ewma_lambda",
        "ewma_l",
        "severity",
    ),
}
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "threshold": {},
    "no_data": {"pending_for": 1, "keep_firing_for": 0, "severity": "critical"},
    "n_reports": {"pending_for": 1},
    "spike": {"pending_for": 1},
}
NUMBERS = {f.name for f in fields(Rule) if f.type in ("float", "int")}


def _problems(rule: Rule, metrics: dict[str, Any]) -> list[str]:
    p: list[str] = []
    if not ID_PATTERN.match(rule.id or ""):
        p.append(f"id {rule.id!r}: lower-case letters, digits, '-', '_' or '.', at most 80 characters")
    if rule.kind not in KINDS:
        return [*p, f"kind {rule.kind!r} is not one of {', '.join(KINDS)}"]
    if not 0.5 <= rule.every_min <= 1440:
        p.append("every_min must be between 0.5 and 1440")
    if not 0 <= rule.pending_for <= 100 or not 0 <= rule.keep_firing_for <= 100:
        p.append("pending_for and keep_firing_for must be between 0 and 100 evaluations")
    if not 0 <= rule.repeat_h <= 24 * 30:
        p.append("repeat_h must be between 0 (once until resolved) and 720 hours")
    if rule.kind in ("threshold", "change"):
        info = metrics.get(rule.metric)
        if rule.metric in REFUSED:
            p.append(f"metric {rule.metric!r} cannot be a rule: {REFUSED[rule.metric]}")
        elif info is None:
            p.append(f"metric {rule.metric!r} is not one of {', '.join(metrics)}")
        elif getattr(info, "instant", False) and rule.phase != "all":
            p.append(f"metric {rule.metric!r} is a figure at the evaluation moment: it has no phase (leave phase out)")
        if info is not None and rule.channel is not None and not getattr(info, "channels", True):
            p.append(f"metric {rule.metric!r} counts customers or units on every channel: it has no channel")
        if rule.phase not in PHASES:
            p.append(f"phase {rule.phase!r} is not one of {', '.join(PHASES)}")
        if rule.channel is not None and rule.channel not in CHANNELS:
            p.append(f"channel {rule.channel!r} is not one of {', '.join(CHANNELS)}")
        if not 0 <= rule.days <= 366:
            p.append("days must be between 0 (the whole phase) and 366")
        if rule.min_volume < 0:
            p.append("min_volume must be 0 or more")
        ops = ("above", "below") if rule.kind == "threshold" else ("rise", "fall")
        if rule.op is not None and rule.op not in ops:
            p.append(f"op {rule.op!r} is not one of {', '.join(ops)}")
        for name in ("warning", "critical"):
            value = getattr(rule, name)
            if isinstance(value, str) and (value not in SYMBOLIC or rule.kind == "change"):
                p.append(
                    f"{name} {value!r} must be a number" + (" or target/amber/none" if rule.kind == "threshold" else "")
                )
            elif rule.kind == "change" and isinstance(value, (int, float)) and value <= 0:
                p.append(f"{name}: the size of a change is a positive number")
        if rule.kind == "change":
            if rule.critical is None:
                p.append("critical: a change rule needs the size of change that makes it critical")
            if rule.change not in ("pct", "abs"):
                p.append("change must be pct or abs")
            if rule.baseline not in BASELINES:
                p.append(f"baseline {rule.baseline!r} is not one of {', '.join(BASELINES)}")
    if rule.kind == "no_data" and rule.table not in TABLES:
        p.append(f"table {rule.table!r} is not one of {', '.join(TABLES)}")
    if rule.kind == "n_reports":
        if not 2 <= rule.pattern_reports <= rule.reports <= 100:
            p.append("need 2 ≤ pattern_reports ≤ reports ≤ 100 (one report is never an alert)")
        if not 1 <= rule.within_h <= 24 * 60 or not 0 <= rule.learn_h <= 24 * 30:
            p.append("within_h must be 1–1440 hours and learn_h 0–720 hours")
        if rule.rare_below < 1:
            p.append("rare_below must be at least 1")
    if rule.kind == "spike":
        if rule.method not in SPIKE_METHODS:
            p.append(f"method {rule.method!r} is not one of {', '.join(SPIKE_METHODS)}")
        if not 3 <= rule.min_baseline_days <= rule.baseline_days <= 56 or not 0 <= rule.lag_days <= 14:
            p.append("need 3 ≤ min_baseline_days ≤ baseline_days ≤ 56 and lag_days 0–14")
        if not 0 < rule.alpha < 0.5 or rule.min_sigma < 0 or not 0 < rule.ewma_lambda <= 1 or rule.ewma_l <= 0:
            p.append("alpha must be in (0, 0.5), min_sigma ≥ 0, ewma_lambda in (0, 1], ewma_l > 0")
    if rule.kind in ("no_data", "spike") and rule.severity not in SEVERITIES:
        p.append(f"severity {rule.severity!r} is not one of {', '.join(SEVERITIES)}")
    return p


def validate(rule: Rule, metrics: dict[str, Any]) -> Rule:
    problems = _problems(rule, metrics)
    if problems:
        raise RuleError(f"rule {rule.id or '(no id)'}: " + "; ".join(problems))
    return rule


def from_dict(data: Any, metrics: dict[str, Any]) -> Rule:
    """A validated rule from a mapping (TOML table, JSON spec); unknown or misplaced keys are errors."""
    if not isinstance(data, dict):
        raise RuleError("a rule must be a table of keys and values")
    kind = data.get("kind")
    allowed = KIND_FIELDS.get(kind, COMMON)
    unknown = sorted(set(data) - set(allowed))
    if unknown and kind in KINDS:
        raise RuleError(f"rule {data.get('id', '(no id)')}: key(s) {', '.join(unknown)} do not apply to a {kind} rule")
    values = {**KIND_DEFAULTS.get(kind, {}), **{k: v for k, v in data.items() if k in allowed}}
    bad = [k for k, v in values.items() if k in NUMBERS and (isinstance(v, bool) or not isinstance(v, (int, float)))]
    bad += [k for k in ("warning", "critical") if isinstance(values.get(k), bool)]
    if bad:
        raise RuleError(f"rule {data.get('id', '(no id)')}: {', '.join(sorted(bad))} must be numbers")
    try:
        rule = Rule(**values)
    except TypeError as e:
        raise RuleError(f"rule {data.get('id', '(no id)')}: {e}") from e
    return validate(rule, metrics)


def to_dict(rule: Rule) -> dict[str, Any]:
    """The rule's meaningful fields (None values left out: TOML has no null)."""
    data = asdict(rule)
    return {k: data[k] for k in KIND_FIELDS[rule.kind] if data[k] is not None}


def with_changes(rule: Rule, metrics: dict[str, Any], **changes: Any) -> Rule:
    return validate(replace(rule, **changes), metrics)


def default_rules(metrics_with_targets: dict[str, tuple[str, int]]) -> list[Rule]:
    """What a fresh install ships: a threshold on every metric with a target, over the local days
    to date its catalog entry gives (metrics/catalog.py ``alert_days``: 1 = today so far; CSAT 7,
    FCR and the repeat-contact rate 14, their windows closing a week after the contact), no new data
    from a contact source, and the two contact-reason rules.
    ``metrics_with_targets``: metric id → (label, days)."""
    rules = [
        Rule(
            id=f"{m}-target",
            kind="threshold",
            metric=m,
            days=days,
            name=f"{label} ({'today' if days == 1 else f'last {days} days'}) against its target",
        )
        for m, (label, days) in metrics_with_targets.items()
    ]
    rules.append(
        Rule(id="no-data", kind="no_data", name="No new data from a contact source", **KIND_DEFAULTS["no_data"])
    )
    rules.append(Rule(id="reason-reports", kind="n_reports", name="New contact reason", **KIND_DEFAULTS["n_reports"]))
    rules.append(Rule(id="reason-spike", kind="spike", name="Contact reason spike", **KIND_DEFAULTS["spike"]))
    return rules
