"""Contact-reason patterns (alerts/reasons.py, alerts/detect.py), worked by hand.

Recall R1: announced 2026-03-02T15:00Z, so reason rules learn until B = 2026-03-03T15:00Z.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from alerts_support import Store, at, ticket

from alerts.detect import ears_c2, ewma
from alerts.engine import evaluate
from alerts.history import states_at
from alerts.model import Rule
from alerts.reasons import reason_key, reports, spikes


def test_ears_c2_by_hand():
    # Baseline [2 4 2 6 4 2 8]: μ = 4, s = √(32/6) = 2.3094 (√μ = 2 is smaller), z(0.999) = 3.0902,
    # U = 4 + 3.0902 × 2.3094 = 11.137: 12 is a spike, 11 is not.
    v = ears_c2([2, 4, 2, 6, 4, 2, 8], 12)
    assert (v.expected, round(v.upper, 3), v.spike) == (4, 11.137, True)
    assert not ears_c2([2, 4, 2, 6, 4, 2, 8], 11).spike
    # Baseline [0 1 0 2 1 0 1]: μ = 5/7, s = 0.756 < √μ = 0.845 → σ = 0.845, U = 0.714 + 3.0902 × 0.845 = 3.326.
    assert round(ears_c2([0, 1, 0, 2, 1, 0, 1], 4).upper, 3) == 3.326
    assert ears_c2([0, 1, 0, 2, 1, 0, 1], 4).spike and not ears_c2([0, 1, 0, 2, 1, 0, 1], 3).spike
    # A reason never seen: μ = 0, σ = min σ 0.5, U = 1.545: two reporters in a day spike, one never does.
    assert round(ears_c2([0] * 7, 2).upper, 3) == 1.545
    assert ears_c2([0] * 7, 2).spike and not ears_c2([0] * 7, 1).spike


def test_ewma_by_hand():
    # Zero baseline, σ = 0.5; the two lag days 0, the day 3: z = 0.1 × 3 = 0.3 after k = 3 steps;
    # U = 2.8 × 0.5 × √(0.1/1.9 × (1 − 0.9⁶)) = 1.4 × √(0.0526316 × 0.468559) = 0.21985.
    v = ewma([0] * 7, [0, 0, 3])
    assert (round(v.statistic, 3), round(v.upper, 5), v.spike) == (0.3, 0.21985, True)
    assert not ewma([0] * 7, [0, 0, 2]).spike  # z = 0.2


def test_reason_keys():
    assert reason_key("Remedy request") == reason_key("remedy_request") == reason_key(" REMEDY-request ")
    assert reason_key("Buckle won't release after repair") == "buckle won't release after repair"


def frame(rows: list[tuple[str, str | None, str]]) -> pl.DataFrame:
    """(created_at, customer, reason) → the reports frame (local day = UTC day − 5 h, CDT)."""
    created = [at(r[0]) for r in rows]
    return pl.DataFrame(
        {
            "created_at": created,
            "day": [(t - timedelta(hours=5)).date() for t in created],
            "customer_id": [r[1] for r in rows],
            "label": [r[2] for r in rows],
            "key": [reason_key(r[2]) for r in rows],
        }
    )


SPIKE = Rule(id="s", kind="spike")
ANNOUNCED_DAY = date(2026, 3, 2)
FIRST = date(2026, 2, 20)  # the recall's first day with a contact, in these frames


def test_spike_on_a_new_reason_and_not_on_an_ordinary_day():
    # "Remedy status" 2 a day from 03-02 to 03-09 (one customer each), then 3 on 03-10: baseline
    # 03-01…03-07 on the announcement's side is 03-02…03-07 (6 days of 2): μ 2, s 0, σ = √2 = 1.414,
    # U = 2 + 3.0902 × 1.414 = 6.37: 3 is no spike. "Stuck buckle" from 2 customers on 03-10: U = 1.545, spike.
    rows = [(f"2026-03-{d:02d}T{h}:00:00Z", f"c{d}{h}", "Remedy status") for d in range(2, 10) for h in (16, 18)]
    rows += [(f"2026-03-10T{h}:00:00Z", f"x{h}", "Remedy status") for h in (14, 15, 16)]
    rows += [("2026-03-10T14:30:00Z", "p", "Stuck buckle"), ("2026-03-10T15:30:00Z", "q", "Stuck buckle")]
    got = spikes(frame(rows), SPIKE, date(2026, 3, 10), ANNOUNCED_DAY, FIRST)
    assert list(got) == ["stuck buckle"]
    r = got["stuck buckle"]
    assert (r.severity, r.value, r.expected, r.threshold) == ("warning", 2.0, 0.0, 1.545)
    assert "“Stuck buckle”: 2 on 2026-03-10, expected 0.0 (upper bound 1.55, EARS C2 over 6 days)" in r.detail


def test_spike_counts_reporters_not_contacts():
    # One customer writing three times about a new reason is one reporter: no spike (1 ≤ 1.545);
    # three contacts whose customer is unknown are three reporters: a spike.
    rows = [("2026-03-02T16:00:00Z", "a", "Other")] + [(f"2026-03-10T1{h}:00:00Z", "p", "Stuck") for h in (4, 5, 6)]
    assert spikes(frame(rows), SPIKE, date(2026, 3, 10), ANNOUNCED_DAY, FIRST) == {}
    rows = [("2026-03-02T16:00:00Z", "a", "Other")] + [(f"2026-03-10T1{h}:00:00Z", None, "Stuck") for h in (4, 5, 6)]
    assert spikes(frame(rows), SPIKE, date(2026, 3, 10), ANNOUNCED_DAY, FIRST)["stuck"].value == 3.0


def test_spike_needs_three_baseline_days_on_the_same_side_of_the_announcement():
    # Contacts from 02-20. For 03-05 the baseline 02-24…03-02 keeps only 03-02 (the announcement's
    # day): too few days, nothing is tested. For 03-07, 02-26…03-04 keeps 03-02, 03-03, 03-04.
    rows = [("2026-02-20T16:00:00Z", "a", "Other")]
    rows += [(f"2026-03-0{d}T16:00:00Z", f"n{d}{k}", "New") for d in (5, 7) for k in range(5)]
    f = frame(rows)
    assert spikes(f.filter(pl.col("day") <= date(2026, 3, 5)), SPIKE, date(2026, 3, 5), ANNOUNCED_DAY, FIRST) == {}
    assert list(spikes(f, SPIKE, date(2026, 3, 7), ANNOUNCED_DAY, FIRST)) == ["new"]


def test_ewma_spike_rule():
    rows = [("2026-03-02T16:00:00Z", "a", "Other")] + [(f"2026-03-10T1{h}:00:00Z", f"p{h}", "Stuck") for h in (4, 5)]
    ewma_rule = Rule(id="s", kind="spike", method="ewma")
    assert spikes(frame(rows), ewma_rule, date(2026, 3, 10), ANNOUNCED_DAY, FIRST) == {}  # z = 0.2 ≤ 0.21985
    rows.append(("2026-03-10T16:00:00Z", "p6", "Stuck"))
    got = spikes(frame(rows), ewma_rule, date(2026, 3, 10), ANNOUNCED_DAY, FIRST)["stuck"]
    assert (got.value, got.expected, got.threshold) == (3.0, 0.0, 0.22)


@pytest.fixture
def s(tmp_path):
    store = Store(tmp_path)
    yield store
    store.con.close()


def reason_state(con, when: datetime, subject: str) -> tuple | None:
    got = [a for a in states_at(con, when) if a["rule"] == "reason-reports" and a["subject"] == subject]
    return (got[0]["state"], got[0]["severity"], got[0]["value"]) if got else None


def test_n_reports_pattern_then_problem_then_resolved(s):
    con = s.con
    stuck = "Buckle stuck after repair"
    s.add(
        [
            # Day one (before B): three customers about "Remedy status" — a common reason from then on;
            # one about the stuck buckle — still rare (1 < 3).
            *[
                ticket(f"r{i}", at("2026-03-02T16:00:00Z") + timedelta(hours=i), "Remedy status", f"r{i}@x.com")
                for i in range(3)
            ],
            ticket("a1", at("2026-03-02T20:00:00Z"), stuck, "a@x.com"),
            # 03-10: b at 14:00, c at 15:00, an unknown customer at 15:30, b again at 16:00, d at 17:00.
            ticket("b1", at("2026-03-10T14:00:00Z"), stuck, "b@x.com"),
            ticket("c1", at("2026-03-10T15:00:00Z"), stuck, "c@x.com"),
            ticket("u1", at("2026-03-10T15:30:00Z"), stuck),
            ticket("b2", at("2026-03-10T16:00:00Z"), stuck, "b@x.com"),
            ticket("d1", at("2026-03-10T17:00:00Z"), stuck, "d@x.com"),
            # Three more customers about "Remedy status" on 03-10: common, never an alert.
            *[
                ticket(f"s{i}", at("2026-03-10T14:00:00Z") + timedelta(minutes=i), "Remedy status", f"s{i}@x.com")
                for i in range(3)
            ],
        ]
    )
    key = "buckle stuck after repair"
    for when in (
        "2026-03-03T14:00:00Z",
        "2026-03-10T14:30:00Z",
        "2026-03-10T15:05:00Z",
        "2026-03-10T15:35:00Z",
        "2026-03-10T17:05:00Z",
        "2026-03-13T14:05:00Z",
        "2026-03-13T15:05:00Z",
        "2026-03-13T16:05:00Z",
        "2026-03-13T16:10:00Z",
    ):
        evaluate(con, at(when), rule_ids=["reason-reports"])
    # Before B nothing is evaluated: a1 alone, then only b within 72 h at 14:30 — one report is never an alert.
    assert reason_state(con, at("2026-03-10T14:30:00Z"), key) is None
    assert reason_state(con, at("2026-03-10T15:05:00Z"), key) == ("firing", "warning", 2.0)  # b, c: a pattern
    assert reason_state(con, at("2026-03-10T15:35:00Z"), key) == ("firing", "warning", 2.0)  # + unknown: not counted
    assert reason_state(con, at("2026-03-10T17:05:00Z"), key) == ("firing", "critical", 3.0)  # b, c, d: a problem
    # 72 h on: b's first report leaves the window but b wrote again at 16:00 — still 3 customers;
    # then c leaves (2, warning), then b (1: clear → recovering → resolved).
    assert reason_state(con, at("2026-03-13T14:05:00Z"), key) == ("firing", "critical", 3.0)
    assert reason_state(con, at("2026-03-13T15:05:00Z"), key) == ("firing", "warning", 2.0)
    assert reason_state(con, at("2026-03-13T16:05:00Z"), key)[0] == "recovering"
    assert reason_state(con, at("2026-03-13T16:10:00Z"), key)[0] == "resolved"
    assert reason_state(con, at("2026-03-10T17:05:00Z"), "remedy status") is None
    detail = next(a for a in states_at(con, at("2026-03-10T17:05:00Z")) if a["subject"] == key)["detail"]
    assert detail.startswith("“Buckle stuck after repair”: 3 customers within 72 h (5 contacts, first 2026-03-10 14:00")


def test_tags_are_reasons_when_there_is_none_and_the_match_tag_is_not(s):
    s.add(
        [
            ticket(
                f"t{i}",
                at("2026-03-10T14:00:00Z") + timedelta(minutes=i),
                "",
                f"t{i}@x.com",
                tags="recall_r1 buckle_stuck",
            )
            for i in range(3)
        ]
    )
    f = reports(s.con, "R1", at("2026-03-01T00:00:00Z"), at("2026-03-11T00:00:00Z"))
    assert set(f["key"]) == {"buckle stuck"}
    evaluate(s.con, at("2026-03-10T14:05:00Z"), rule_ids=["reason-reports"])
    assert reason_state(s.con, at("2026-03-10T14:05:00Z"), "buckle stuck") == ("firing", "critical", 3.0)


def test_learning_ends_later_when_asked(s):
    s.add(
        [
            ticket(f"t{i}", at("2026-03-04T14:00:00Z") + timedelta(minutes=i), "New thing", f"t{i}@x.com")
            for i in range(3)
        ]
    )
    from alerts import rules

    rules.save(s.con, Rule(id="reason-reports", kind="n_reports", pending_for=1, learn_h=72))
    evaluate(s.con, at("2026-03-04T15:00:00Z"), rule_ids=["reason-reports"])  # before B = 03-05T15:00Z
    assert reason_state(s.con, at("2026-03-04T15:00:00Z"), "new thing") is None


def test_personal_data_in_a_reason_is_masked(s):
    text = "Call me on (312) 555-0142 or ann.lee@example.com"
    s.add(
        [
            ticket(f"m{c}", at("2026-03-10T14:00:00Z") + timedelta(minutes=i), text, f"{c}@x.com")
            for i, c in enumerate("abc")
        ]
    )
    evaluate(s.con, at("2026-03-10T14:30:00Z"), rule_ids=["reason-reports"])
    (alert,) = [a for a in states_at(s.con, at("2026-03-10T14:30:00Z")) if a["rule"] == "reason-reports"]
    shown = " ".join(str(alert[k]) for k in ("subject", "detail", "what"))
    assert "ann.lee" not in shown and "555-0142" not in shown and "0142" not in shown
    assert alert["subject"] == "call me on ***42 or a***@***"
