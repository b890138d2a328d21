"""Contact-reason patterns: N reports and spikes (docs/alerts.md#contact-reason-patterns).

**Reports.** Every inbound contact of the recall (metrics/scope.py's ``c_all``) is a report of its
reasons: its ``reason`` (a helpdesk's reason field or type, a call's disposition or wrap-up code)
when it has one, else each of its helpdesk ``tags`` except the recall's match tags. A reason's key
is its text lower-cased, with ``_`` and ``-`` read as spaces and runs of spaces made one, so the
tag ``remedy_request`` and the reason "Remedy request" are one reason. The key is the alert's
subject; the most frequent spelling is shown. Emails and phone numbers typed into a reason are
masked before anything else sees the text (alerts/text.py).

**N reports** (rule kind ``n_reports``) at time t: the baseline ends at B = announced_at +
``learn_h`` (default 24 h: the announcement brings every recall reason at once; they are learned
on day one). Nothing fires before B. A reason is *rare* when fewer than ``rare_below`` distinct
customers reported it before B. A rare reason reported by ``reports`` (3) or more distinct
customers with ``created_at`` in (t − ``within_h``, t] is **critical**; by ``pattern_reports`` (2),
a **warning**. Customers are the recall's customer ids (docs/data-model.md#identity); a contact
whose customer is unknown is counted in ``n`` (contacts) but not as a customer: one report is
never an alert, and two unknown callers may be one person.

**Spike** (rule kind ``spike``) at time t, on the local day d of t: a reason's count on a day is
its reporters that day — distinct customers, plus each contact whose customer is unknown. The
baseline is the ``baseline_days`` days ending ``lag_days`` before d (EARS C2: d−9 … d−3), keeping
only days on or after the recall's first day with a contact and on the same side of the
announcement's local day as d (the announcement is a break: a baseline from before it says
nothing about a day after it). With fewer than ``min_baseline_days`` such days nothing is tested.
d's count so far is tested against the baseline by alerts/detect.py (EARS C2 or EWMA).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import duckdb
import polars as pl

from alerts.detect import ears_c2, ewma
from alerts.model import Rule
from alerts.states import Result
from alerts.text import mask_pii
from metrics.base import run

_BODY = """
SELECT c_all.created_at, c_all.day, c_all.customer_id, c_all.reason, x.tags
FROM c_all JOIN contacts x ON x.key_h = c_all.key_h AND x.source = c_all.source AND x.source_id = c_all.source_id
WHERE c_all.direction = 'inbound'"""


def reason_key(text: str | None) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-]+", " ", (text or "").lower())).strip()


def reports(con: duckdb.DuckDBPyConnection, recall_id: str, as_of: datetime) -> pl.DataFrame:
    """One row per (inbound contact, reason) up to ``as_of``: created_at, day, customer_id, key,
    label; contacts with no reason at all keep one row with a null key (they date the first day)."""
    frame = run(con, _BODY, recall_id, as_of)
    match = con.execute("SELECT match_tags FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()
    skip = {reason_key(t) for t in (match[0][0] or [])} if match else set()
    labels = [
        [mask_pii(reason)]
        if reason_key(reason)
        else [mask_pii(t) for t in (tags or []) if reason_key(t) and reason_key(t) not in skip]
        for reason, tags in zip(frame["reason"].to_list(), frame["tags"].to_list(), strict=True)
    ]
    out = frame.drop("reason", "tags").with_columns(pl.Series("label", [x or [None] for x in labels]))
    out = out.explode("label").with_columns(
        pl.col("label").map_elements(reason_key, return_dtype=pl.String).replace("", None).alias("key")
    )
    return out.sort("created_at")


def labels(frame: pl.DataFrame) -> dict[str, str]:
    """key → the spelling reported most often (ties: the first in alphabetical order)."""
    counts = (
        frame.drop_nulls("key")
        .group_by("key", "label")
        .len()
        .sort("key", "len", "label", descending=[False, True, False])
    )
    return dict(counts.group_by("key", maintain_order=True).first().select("key", "label").iter_rows())


def n_reports(frame: pl.DataFrame, rule: Rule, at: datetime, announced_at: datetime) -> dict[str, Result]:
    """Breaching reasons at ``at`` (rules in the module docstring)."""
    end = announced_at + timedelta(hours=rule.learn_h)
    if at < end:
        return {}
    known = frame.drop_nulls("key")
    before = known.filter(pl.col("created_at") < end).group_by("key").agg(pl.col("customer_id").drop_nulls().n_unique())
    common = set(before.filter(pl.col("customer_id") >= rule.rare_below)["key"])
    recent = known.filter(pl.col("created_at") > at - timedelta(hours=rule.within_h), ~pl.col("key").is_in(common))
    per = recent.group_by("key").agg(
        pl.col("customer_id").drop_nulls().n_unique().alias("customers"),
        pl.len().alias("contacts"),
        pl.col("created_at").min().alias("first_at"),
    )
    names, out = labels(known), {}
    for key, customers, contacts, first_at in per.iter_rows():
        if customers < rule.pattern_reports:
            continue
        critical = customers >= rule.reports
        out[key] = Result(
            "critical" if critical else "warning",
            value=float(customers),
            threshold=float(rule.reports if critical else rule.pattern_reports),
            n=contacts,
            detail=f"“{names.get(key, key)}”: {customers} customers within {rule.within_h:g} h ({contacts} contacts, "
            f"first {first_at:%Y-%m-%d %H:%M} UTC); rare before {end:%Y-%m-%d %H:%M} UTC",
        )
    return out


def daily(frame: pl.DataFrame) -> pl.DataFrame:
    """Reporters per (key, local day): distinct customers plus contacts with no known customer."""
    return (
        frame.drop_nulls("key")
        .group_by("key", "day")
        .agg((pl.col("customer_id").drop_nulls().n_unique() + pl.col("customer_id").null_count()).alias("count"))
    )


def baseline_days(rule: Rule, day: date, first_day: date, announced_day: date) -> list[date]:
    start = day - timedelta(days=rule.lag_days + rule.baseline_days)
    days = [start + timedelta(days=i) for i in range(rule.baseline_days)]
    after = day >= announced_day
    return [d for d in days if d >= first_day and (d >= announced_day) == after]


def spikes(frame: pl.DataFrame, rule: Rule, day: date, announced_day: date) -> dict[str, Result]:
    """Reasons whose count on local ``day`` (so far) is a spike (rules in the module docstring)."""
    if frame.height == 0:
        return {}
    base = baseline_days(rule, day, frame["day"].min(), announced_day)
    if len(base) < rule.min_baseline_days:
        return {}
    counts = daily(frame)
    recent_days = [day - timedelta(days=k) for k in range(rule.lag_days, -1, -1)]
    per_key: dict[str, dict[date, int]] = {}
    for key, d, n in counts.filter(pl.col("day") >= base[0]).iter_rows():
        per_key.setdefault(key, {})[d] = n
    names, out = labels(frame), {}
    method = "EARS C2" if rule.method == "ears_c2" else f"EWMA λ {rule.ewma_lambda:g}, L {rule.ewma_l:g}"
    for key, by_day in per_key.items():
        if not by_day.get(day):
            continue
        history = [float(by_day.get(d, 0)) for d in base]
        if rule.method == "ears_c2":
            v = ears_c2(history, float(by_day[day]), rule.alpha, rule.min_sigma)
        else:
            recent = [float(by_day.get(d, 0)) for d in recent_days]
            v = ewma(history, recent, rule.ewma_lambda, rule.ewma_l, rule.min_sigma)
        if v.spike:
            out[key] = Result(
                rule.severity,
                value=v.observed,
                threshold=round(v.upper, 3),
                expected=round(v.expected, 3),
                n=int(v.observed),
                detail=f"“{names.get(key, key)}”: {v.observed:g} on {day:%Y-%m-%d}, expected {v.expected:.1f} "
                f"(upper bound {v.upper:.2f}, {method} over {len(base)} days)",
            )
    return out
