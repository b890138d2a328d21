"""Each rule's condition at one moment: subject → Result (docs/alerts.md#rules).

``threshold`` and ``change`` rules have one subject, the metric; ``no_data`` one per source;
``n_reports`` and ``spike`` one per reason (alerts/reasons.py). A subject missing from the answer
is not breaching. A metric window whose denominator is below ``min_volume``, or whose value is
unknown, does not breach.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.model import Rule
from alerts.states import Result
from alerts.values import METRICS, Reader, Reading, Window, newest_by_source, stale_after_h
from metrics.units import Target

BASELINE_TEXT = {
    "yesterday": "the same hours yesterday",
    "last_week": "the same hours a week before",
    "pre_announcement": "before the announcement",
}


def level(value: float | str | None, target: Target | None) -> float | None:
    """A threshold: a number, or the target (``target``) or amber edge (``amber``) of the metric."""
    if value == "target":
        return target.green if target else None
    if value == "amber":
        return target.amber if target else None
    return None if value in (None, "none") else float(value)


def threshold_op(rule: Rule, target: Target | None) -> str:
    return rule.op or ("below" if target is None or target.higher_is_better else "above")


def _worse(value: float, limit: float | None, op: str) -> bool:
    return limit is not None and (value < limit if op in ("below", "fall") else value > limit)


def window(rule: Rule, recall_id: str, at: datetime) -> Window:
    return Window(recall_id, at, rule.phase, rule.channel, rule.days)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("h", "per_1000"):
        return f"{value:,.1f}" + (" h" if unit == "h" else " per 1,000 units")
    return f"{value:.1%}" if unit == "pct" else f"{value:,.0f} s" if unit == "s" else f"{value:,.0f}"


def threshold(reader: Reader, rule: Rule, recall_id: str, at: datetime, target: Target | None) -> dict[str, Result]:
    op, unit = threshold_op(rule, target), METRICS[rule.metric].unit
    warn = level("target" if rule.warning is None else rule.warning, target)
    crit = level("amber" if rule.critical is None else rule.critical, target)
    r = reader.read(rule.metric, window(rule, recall_id, at))
    shown = crit if crit is not None else warn
    if r.value is None or (r.n or 0) < rule.min_volume:
        why = f"n = {r.n} below the minimum volume {rule.min_volume}" if r.value is not None else "no value"
        return {rule.metric: Result(None, r.value, shown, n=r.n, detail=why)}
    severity = "critical" if _worse(r.value, crit, op) else "warning" if _worse(r.value, warn, op) else None
    limit = crit if severity == "critical" else warn if severity == "warning" else shown
    detail = f"{_fmt(r.value, unit)} (n = {r.n}), {op} {_fmt(limit, unit)}" if severity else ""
    return {rule.metric: Result(severity, r.value, limit, n=r.n, detail=detail)}


def _baseline(reader: Reader, rule: Rule, recall_id: str, at: datetime) -> Reading:
    w = window(rule, recall_id, at)
    if rule.baseline == "yesterday":
        return reader.read(rule.metric, Window(recall_id, at - timedelta(hours=24), w.phase, w.channel, w.days))
    if rule.baseline == "last_week":
        return reader.read(rule.metric, Window(recall_id, at - timedelta(hours=168), w.phase, w.channel, w.days))
    return reader.pre_announcement_daily(rule.metric, w)


def change(reader: Reader, rule: Rule, recall_id: str, at: datetime) -> dict[str, Result]:
    """Change = (now − baseline) / |baseline| × 100 (``pct``; undefined on a zero baseline) or
    now − baseline (``abs``); ``rise`` breaches when change ≥ the level, ``fall`` when −change ≥ it."""
    unit = METRICS[rule.metric].unit
    now, base = reader.read(rule.metric, window(rule, recall_id, at)), _baseline(reader, rule, recall_id, at)
    crit, warn = level(rule.critical, None), level(rule.warning, None)
    quiet = Result(None, now.value, crit, base.value, now.n)
    if now.value is None or base.value is None or (now.n or 0) < rule.min_volume:
        return {rule.metric: quiet}
    if rule.change == "pct":
        if base.value == 0:
            return {rule.metric: quiet}
        delta = (now.value - base.value) / abs(base.value) * 100
        text = f"{delta:+.0f}%"
    else:
        delta = now.value - base.value
        text = f"{delta:+.3g}"
    size = delta if rule.op != "fall" else -delta
    severity = "critical" if size >= crit else "warning" if warn is not None and size >= warn else None
    detail = (
        f"{text} against {BASELINE_TEXT[rule.baseline]} ({_fmt(base.value, unit)} → {_fmt(now.value, unit)}, "
        f"n = {now.n})"
    )
    limit = crit if severity != "warning" else warn
    return {rule.metric: Result(severity, now.value, limit, base.value, now.n, detail if severity else "")}


def no_data(reader: Reader, rule: Rule, at: datetime) -> dict[str, Result]:
    """Age of each source's newest record at ``at``, in hours, against its stale threshold."""
    newest = newest_by_source(reader.con, rule.table, at)
    sources = [rule.source] if rule.source else sorted(newest)
    out = {}
    for source in sources:
        if source not in newest:
            continue
        age_h = (at - newest[source]).total_seconds() / 3600
        limit = stale_after_h(reader.con, source)
        stale = age_h > limit
        detail = f"newest {rule.table} record {newest[source]:%Y-%m-%d %H:%M} UTC, {age_h:,.1f} h old" if stale else ""
        out[source] = Result(rule.severity if stale else None, age_h, limit, detail=detail)
    return out
