"""An alert in words, for the wall strip, the Alerts page and messages: what it is about, its value,
and the rule it broke (docs/alerts.md#rules)."""

from __future__ import annotations

import re
from typing import Any

from alerts.model import Rule
from alerts.values import METRICS
from metrics.scope import PHASE_LABELS

BASELINES = {
    "yesterday": "same hours yesterday",
    "last_week": "same hours last week",
    "pre_announcement": "before the announcement",
}


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "pct":
        return f"{value:.1%}"
    if unit == "s":
        return f"{value / 60:.1f} min" if value >= 90 else f"{value:.0f} s"
    if unit == "h":
        return f"{value:,.1f} h"
    if unit == "per_1000":
        return f"{value:,.1f} per 1,000 units"
    return f"{value:,.0f}"


def window(rule: Rule) -> str:
    info = METRICS.get(rule.metric or "")
    if info is not None and info.instant:
        text = "now"
    elif rule.days <= 0:
        text = PHASE_LABELS.get(rule.phase, rule.phase).lower()
    else:
        text = "today" if rule.days == 1 else f"last {rule.days} days"
    return text + (f", {rule.channel}" if rule.channel else "")


def reason_label(alert: dict[str, Any]) -> str:
    """The reason as reported most often (the detail starts with it, in quotes), else its key."""
    found = re.match(r"“([^”]*)”", alert.get("detail") or "")
    return found.group(1) if found else alert["subject"][:1].upper() + alert["subject"][1:]


def describe(alert: dict[str, Any], rule: Rule, op: str | None = None) -> dict[str, str]:
    """``what`` (the subject), ``value`` (its value now) and ``rule`` (the condition) as short text;
    ``op`` is a threshold rule's direction (from the metric's target when the rule has none)."""
    value, threshold, expected = alert.get("value"), alert.get("threshold"), alert.get("expected")
    if rule.kind in ("threshold", "change"):
        info = METRICS[rule.metric]
        what = f"{info.label} ({window(rule)})"
        if rule.kind == "threshold":
            shown = f"{fmt(value, info.unit)}" + (f" · n = {alert['n']:,}" if alert.get("n") is not None else "")
            return {"what": what, "value": shown, "rule": f"{op or rule.op or 'beyond'} {fmt(threshold, info.unit)}"}
        unit = "%" if rule.change == "pct" else ""
        size = f"{threshold:g}{unit}" if rule.change == "pct" else fmt(threshold, info.unit)
        return {
            "what": f"{what} against {BASELINES[rule.baseline]}",
            "value": f"{fmt(value, info.unit)} (then {fmt(expected, info.unit)})",
            "rule": f"{'fall' if rule.op == 'fall' else 'rise'} ≥ {size}",
        }
    if rule.kind == "no_data":
        return {
            "what": f"No new data from {alert['subject']}",
            "value": "—" if value is None else f"newest record {value:,.0f} h old",
            "rule": f"stale after {threshold:g} h" if threshold is not None else "stale threshold",
        }
    label = reason_label(alert)
    if rule.kind == "n_reports":
        return {
            "what": f"New reason “{label}”",
            "value": f"{value or 0:g} customers",
            "rule": f"≥ {threshold or rule.reports:g} customers within {rule.within_h:g} h",
        }
    method = "EARS C2" if rule.method == "ears_c2" else "EWMA"
    return {
        "what": f"Reason spike “{label}”",
        "value": f"{value or 0:g} today, expected {expected or 0:.1f}",
        "rule": f"above {threshold or 0:.2f} ({method})",
    }
