"""Contact-reason patterns: N reports and spikes (docs/alerts.md#contact-reason-patterns).

**Reports.** Every inbound contact of the recall (metrics/scope.py's ``c_all``) is a report of its
reasons: its ``reason`` (a helpdesk's reason field or type, a call's disposition or wrap-up code)
when it has one, else each of its helpdesk ``tags`` except the recall's match tags, else — no
reason and no tag left — the words of its ``subject`` (:func:`subject_words`). A reason's key
is its text lower-cased, with ``_`` and ``-`` read as spaces and runs of spaces made one, so the
tag ``remedy_request`` and the reason "Remedy request" are one reason. The key is the alert's
subject; the most frequent spelling is shown. Emails and phone numbers typed into a reason are
masked before anything else sees the text (alerts/text.py); a subject's are removed.

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
from alerts.text import EMAIL, PHONE, mask_pii
from alerts.values import local_date
from metrics.base import Filters, Scope, run

# One row per (inbound contact of ``c``, label): its reason, else each of its tags, and its subject
# when it has no reason (``via`` says which; :func:`_keys` keeps a subject only for a contact with
# no reason or tag left once the match tags are dropped). ``contact``: the contact's key hash.
_LABELS = """,
x AS (SELECT c.created_at, c.day, c.customer_id, c.key_h AS contact, c.reason, t.tags, t.subject
      FROM c JOIN contacts t ON t.key_h = c.key_h AND t.source = c.source AND t.source_id = c.source_id
      WHERE c.direction = 'inbound'),
labelled AS (
    SELECT created_at, day, customer_id, contact, 'reason' AS via, reason AS label
    FROM x WHERE nullif(trim(reason), '') IS NOT NULL
    UNION ALL
    SELECT created_at, day, customer_id, contact, 'tag' AS via, unnest(tags) AS label
    FROM x WHERE nullif(trim(reason), '') IS NULL
    UNION ALL
    SELECT created_at, day, customer_id, contact, 'subject' AS via, subject AS label
    FROM x WHERE nullif(trim(reason), '') IS NULL AND nullif(trim(subject), '') IS NOT NULL)
"""

# Words of a subject that say nothing about a reason (docs/alerts.md#reasons-from-subjects).
STOP_WORDS = frozenset(
    """a an the and or but of to in on at for from with by about as into is are was were be been am
    it its this that these those my our your his her their me we you he she they them us re fw fwd
    hi hello dear please pls thanks thank regarding""".split()
)
SUBJECT_WORDS = 8  # at most the first 8 words that are left
_APOSTROPHES = re.compile("[\u0027\u2018\u2019\u0060]")
_WORD = re.compile(r"[^\W_]+")


def subject_words(subject: str | None) -> str:
    """A subject's reason text (docs/alerts.md#reasons-from-subjects): emails and phone numbers
    (alerts/text.py's patterns) removed, lower-cased, apostrophes dropped ("won't" is "wont"), split
    into runs of letters and digits; words with a digit (numbers, order and ticket ids), one-letter
    words and :data:`STOP_WORDS` dropped; the first :data:`SUBJECT_WORDS` left, joined by spaces."""
    if not subject:
        return ""
    text = PHONE.sub(lambda m: " " if len(re.sub(r"\D", "", m.group(0))) >= 7 else m.group(0), EMAIL.sub(" ", subject))
    words = _WORD.findall(_APOSTROPHES.sub("", text.lower()))
    kept = [w for w in words if len(w) > 1 and not any(ch.isdigit() for ch in w) and w not in STOP_WORDS]
    return " ".join(kept[:SUBJECT_WORDS])


def reason_key(text: str | None) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-]+", " ", (text or "").lower())).strip()


def _keys(con: duckdb.DuckDBPyConnection, recall_id: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (with ``via``, ``label`` and ``contact``) plus ``key``; a reason or tag masked
    (alerts/text.py), a subject made its words (:func:`subject_words`); rows whose key is empty or
    one of the recall's match tags dropped, then subjects of contacts that kept a reason or tag.
    Worked out once per distinct label."""
    match = con.execute("SELECT match_tags FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()
    skip = {reason_key(t) for t in (match[0][0] or [])} if match else set()
    pairs = frame.select("via", "label").unique().drop_nulls("label").rows()
    shown = [subject_words(label) if via == "subject" else mask_pii(label) for via, label in pairs]
    lookup = pl.DataFrame(
        {
            "via": [via for via, _ in pairs],
            "label": [label for _, label in pairs],
            "shown": shown,
            "key": [reason_key(v) for v in shown],
        },
        schema={"via": pl.String, "label": pl.String, "shown": pl.String, "key": pl.String},
    )
    kept = frame.join(lookup, on=["via", "label"], how="inner").filter(
        (pl.col("key") != "") & ~pl.col("key").is_in(list(skip))
    )
    told = kept.filter(pl.col("via") != "subject")["contact"].unique()
    kept = kept.filter((pl.col("via") != "subject") | ~pl.col("contact").is_in(told.implode()))
    return kept.drop("label", "via", "contact").rename({"shown": "label"})


def reports(con: duckdb.DuckDBPyConnection, recall_id: str, since: datetime, until: datetime) -> pl.DataFrame:
    """One row per (inbound contact, reason) with ``since < created_at ≤ until``: created_at, day,
    customer_id, label, key (most recent first is not guaranteed: sorted by created_at)."""
    first = Filters(start=local_date(_zone(con, recall_id), since))  # whole local days from since's, then exact
    frame = run(con, _LABELS + "SELECT * FROM labelled", Scope(recall_id, until, filters=first))
    return _keys(con, recall_id, frame.filter(pl.col("created_at") > since)).sort("created_at")


def reporters_before(con: duckdb.DuckDBPyConnection, recall_id: str, end: datetime) -> dict[str, int]:
    """Distinct known customers per reason among contacts created before ``end``."""
    body = _LABELS + "SELECT DISTINCT via, label, customer_id, contact FROM labelled WHERE created_at < $as_of"
    frame = _keys(con, recall_id, run(con, body, Scope(recall_id, end)))
    counts = frame.group_by("key").agg(pl.col("customer_id").drop_nulls().n_unique().alias("n"))
    return dict(counts.iter_rows())


def first_day(con: duckdb.DuckDBPyConnection, recall_id: str) -> date | None:
    """The local day of the recall's first contact."""
    return con.execute("SELECT min(day) FROM contact_facts WHERE recall_id = ?", [recall_id]).fetchall()[0][0]


def _zone(con: duckdb.DuckDBPyConnection, recall_id: str) -> str:
    return con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [recall_id]).fetchall()[0][0]


def history_h(rule: Rule) -> float:
    """How far back from t a rule looks at reports: its window, or its baseline days and a day."""
    if rule.kind == "n_reports":
        return rule.within_h
    return (rule.baseline_days + rule.lag_days + 2) * 24.0


def labels(frame: pl.DataFrame) -> dict[str, str]:
    """key → the spelling reported most often (ties: the first in alphabetical order)."""
    counts = (
        frame.drop_nulls("key")
        .group_by("key", "label")
        .len()
        .sort("key", "len", "label", descending=[False, True, False])
    )
    return dict(counts.group_by("key", maintain_order=True).first().select("key", "label").iter_rows())


def n_reports(
    frame: pl.DataFrame, before: dict[str, int], rule: Rule, at: datetime, announced_at: datetime
) -> dict[str, Result]:
    """Breaching reasons at ``at`` (rules in the module docstring); ``frame``: the reports of the
    last ``within_h`` hours at least; ``before``: customers per reason before the baseline's end."""
    end = announced_at + timedelta(hours=rule.learn_h)
    if at < end:
        return {}
    known = frame.filter(pl.col("created_at") <= at)
    common = [k for k, n in before.items() if n >= rule.rare_below]
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
    return frame.group_by("key", "day").agg(
        (pl.col("customer_id").drop_nulls().n_unique() + pl.col("customer_id").null_count()).alias("count")
    )


def baseline_days(rule: Rule, day: date, first_day: date, announced_day: date) -> list[date]:
    start = day - timedelta(days=rule.lag_days + rule.baseline_days)
    days = [start + timedelta(days=i) for i in range(rule.baseline_days)]
    after = day >= announced_day
    return [d for d in days if d >= first_day and (d >= announced_day) == after]


def spikes(frame: pl.DataFrame, rule: Rule, day: date, announced_day: date, first: date | None) -> dict[str, Result]:
    """Reasons whose count on local ``day`` (so far) is a spike (rules in the module docstring);
    ``frame``: the reports of the baseline days to ``day``; ``first``: the recall's first day."""
    if frame.height == 0 or first is None:
        return {}
    base = baseline_days(rule, day, first, announced_day)
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
