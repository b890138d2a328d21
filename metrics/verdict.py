"""The Overview's ten-second answer (docs/metrics.md#the-verdict-line), and phase lengths for
per-day comparisons.

**Verdict** = "M of N targets missed · <headline> · data <age> old", where N counts the metrics
with a target whose value is shown (the small-sample rule, metrics/units.py), M those of them not
green (:meth:`metrics.units.Target.colour`); the headline is the first red metric in catalog order,
else the first amber, else the first with a target: its value, target (the green threshold) and
change since yesterday (value at ``as_of`` − value at ``as_of − 24 h``); the age is ``as_of`` − the
newest record of any source (metrics/freshness.py), "up to date" under an hour.

**Phase length** (:func:`phase_days`) = days from the phase's start (``pre_announcement``: the
recall's first contact) to its end or ``as_of``, whichever is first; None when that is not
positive. Counts of two phases are compared per day: count ÷ phase length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import polars as pl

from metrics.base import Scope, run
from metrics.catalog import Metric, Reading
from metrics.units import COUNT, Target, sample
from store.phases import PHASES, phase_bounds

DAY_S = 86400.0


def phase_days(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, float | None]:
    """``{phase: days}`` elapsed in each phase by ``scope.as_of`` (rule above)."""
    frame = run(con, " SELECT r.*, (SELECT min(created_at) FROM c_all) AS first_at FROM r", scope)
    if frame.height == 0:
        return dict.fromkeys(PHASES)
    recall = frame.row(0, named=True)
    out: dict[str, float | None] = {}
    for phase, (start, end) in phase_bounds(recall).items():
        start = recall["first_at"] if phase == PHASES[0] else start
        stop = scope.as_of if end is None else min(end, scope.as_of)
        days = (stop - start).total_seconds() / DAY_S if start is not None else None
        out[phase] = days if days is not None and days > 0 else None
    return out


def per_day(metric: Metric, value: float | None, days: float | None) -> float | None:
    """A count per day of its phase; any other unit as it is."""
    if metric.unit != COUNT or value is None:
        return value
    return None if not days else value / days


def shown(metric: Metric, reading: Reading | None) -> float | None:
    """The value a tile shows: none below the small-sample floor."""
    if reading is None or (metric.sampled and sample(reading.n) == "hidden"):
        return None
    return reading.value


def age_text(hours: float) -> str:
    """'5 h' under two days, else '173 days'."""
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def newest_age_h(fresh: pl.DataFrame) -> float | None:
    """Hours from ``as_of`` back to the newest record of any source (metrics.freshness frame);
    a source whose newest record is after ``as_of`` (a replay) is left out, 0 when all are."""
    if fresh.height == 0:
        return None
    ages = fresh.filter(pl.col("age_h") >= 0)["age_h"]
    return float(ages.min()) if ages.len() else 0.0


def verdict(
    readings: Sequence[tuple[Metric, Reading, Reading | None]],
    targets: Mapping[str, Target | None],
    age_h: float | None,
) -> dict:
    """``{"text", "missed", "judged", "headline": metric id or None, "colours": {id: colour}}``
    from each tile's (metric, reading now, reading 24 h before)."""
    colours: dict[str, str] = {}
    for metric, now, _ in readings:
        target, value = targets.get(metric.id), shown(metric, now)
        if target is not None and value is not None:
            colours[metric.id] = target.colour(value)
    missed = [m for m, *_ in readings if colours.get(m.id) in ("red", "amber")]
    parts = [f"{len(missed)} of {len(colours)} targets missed" if colours else "no target measured yet"]
    order = [m for colour in ("red", "amber") for m, *_ in readings if colours.get(m.id) == colour]
    order += [m for m, *_ in readings if m.id in colours]
    head = order[0] if order else None
    if head is not None:
        _, now, before = next(r for r in readings if r[0] is head)
        value, target = shown(head, now), targets[head.id]
        text = f"{head.short or head.label} {head.unit.format(value)} (target {head.unit.format_target(target.green)})"
        previous = shown(head, before)
        if previous is not None:
            delta = value - previous
            sign = "±" if head.unit.unchanged(delta) else "↑" if delta > 0 else "↓"
            text += f" {sign}{head.unit.format_delta(delta).lstrip('+-±')} since yesterday"
        parts.append(text)
    if age_h is None:
        parts.append("no data loaded")
    else:
        parts.append("data up to date" if age_h < 1 else f"data {age_text(age_h)} old")
    return {
        "text": " · ".join(parts),
        "missed": len(missed),
        "judged": len(colours),
        "headline": head.id if head else None,
        "colours": colours,
    }


def stale_text(fresh: pl.DataFrame) -> str | None:
    """The stale warning the wall shows, as text: "STALE DATA — five9, zendesk: newest record
    173 days old or more (threshold 24 h)", or None when no source is stale (metrics/freshness.py)."""
    stale = fresh.filter(pl.col("stale"))
    if stale.height == 0:
        return None
    names = ", ".join(dict.fromkeys(stale["source"].to_list()))
    limits = ", ".join(sorted({f"{h:g} h" for h in stale["stale_after_h"].to_list()}))
    age = age_text(float(stale["age_h"].min()))
    return f"STALE DATA — {names}: newest record {age} old or more (threshold {limits})"
