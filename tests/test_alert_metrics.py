"""Rules on any catalog metric (alerts/values.py; docs/alerts.md#metric-values), worked by hand on
the metrics fixture (tests/fixtures/metrics, see its README): figures at the evaluation moment
(coverage, reached), and rules narrowed to a phase and to a channel; and the change against the
pre-announcement phase on a small store of calls (tests/alerts_support.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_support import Store, at, call

from alerts import rules
from alerts.engine import evaluate
from alerts.history import states_at
from alerts.model import Rule, RuleError, from_dict
from alerts.notify import digest
from alerts.notify.render import digest_lines
from alerts.values import METRICS
from metrics.catalog import CATALOG

AS_OF = at("2026-04-01T00:00:00Z")


def alert(con, when, rule_id: str) -> dict:
    return next(a for a in states_at(con, when) if a["rule"] == rule_id)


def fire(con, when, *rule_list: Rule) -> None:
    for rule in rule_list:
        rules.save(con, rule)
    evaluate(con, when, rule_ids=[r.id for r in rule_list])


def test_every_catalog_metric_is_a_rule_or_refused_with_the_reason():
    assert set(METRICS) | {"contacts_by_channel", "channel_mix"} == set(CATALOG)
    with pytest.raises(RuleError, match="channel_mix' cannot be a rule: a distribution"):
        from_dict({"id": "x", "kind": "threshold", "metric": "channel_mix"}, METRICS)
    with pytest.raises(RuleError, match="figure at the evaluation moment: it has no phase"):
        from_dict({"id": "x", "kind": "threshold", "metric": "reached", "phase": "during"}, METRICS)
    with pytest.raises(RuleError, match="'coverage' counts customers or units on every channel"):
        from_dict({"id": "x", "kind": "threshold", "metric": "coverage", "channel": "phone"}, METRICS)
    assert from_dict({"id": "x", "kind": "threshold", "metric": "backlog", "channel": "email"}, METRICS)


def test_coverage_and_reached_are_read_at_the_evaluation_moment(metrics_store):
    con = metrics_store
    # At 04-01: affected customers C1, C2, C3, gina = 4; reached alice, gina (delivered 03-02 16:01)
    # and bob (outbound call c14, 03-08) = 3 → coverage 3/4 = 0.75, below 0.8: critical.
    common = {"warning": "none", "min_volume": 0, "pending_for": 1, "keep_firing_for": 0}
    coverage = Rule(id="cov", kind="threshold", metric="coverage", op="below", critical=0.8, **common)
    reached = Rule(id="reached", kind="threshold", metric="reached", op="below", critical=3, **common)
    # On 03-05 bob's call (03-08) was still to come: reached alice and gina = 2 < 3 → firing.
    early = at("2026-03-05T00:00:00Z")
    fire(con, early, reached)
    assert (alert(con, early, "reached")["state"], alert(con, early, "reached")["value"]) == ("firing", 2.0)
    fire(con, AS_OF, coverage, reached)
    got = alert(con, AS_OF, "cov")
    assert (got["state"], got["severity"], got["value"], got["threshold"], got["n"]) == (
        "firing",
        "critical",
        0.75,
        0.8,
        4,
    )
    assert got["what"] == "Customers reached (now)"
    # At 04-01 reached is 3, not below 3: clear, and with keep_firing_for 0 resolved at once.
    assert (alert(con, AS_OF, "reached")["state"], alert(con, AS_OF, "reached")["value"]) == ("resolved", 3.0)


def test_rules_narrowed_to_a_phase_and_to_a_channel(metrics_store):
    con = metrics_store
    whole = {"days": 0, "min_volume": 0, "pending_for": 1, "warning": "none"}
    rule_list = (
        # Inbound recall contacts in the "during" phase (03-03T15:00Z – 03-09T15:00Z): c2, c5, c8, c9,
        # c12, c13 = 6 (c14 is outbound, c11 is not the recall's) — above 5.
        Rule(id="during", kind="threshold", metric="contacts", phase="during", op="above", critical=5, **whole),
        # Day one: c1 alone — not above 5.
        Rule(id="day-one", kind="threshold", metric="contacts", phase="day_one", op="above", critical=5, **whole),
        # Phone, every phase: c1, c4, c5, c8, c9, c12, c13 = 7 — above 6.
        Rule(id="phone", kind="threshold", metric="contacts", channel="phone", op="above", critical=6, **whole),
        # Email: c2, c6, c7 = 3 — not above 6.
        Rule(id="email", kind="threshold", metric="contacts", channel="email", op="above", critical=6, **whole),
        # Phone service level during: offered c5 (25 s), c8 (20 s), c9 (wait unknown) = 3 (c12 a
        # short abandon, c13 unknown); within 20 s: c8 → 1/3, below 0.5.
        Rule(id="sl", kind="threshold", metric="service_level", phase="during", channel="phone", critical=0.5, **whole),
    )
    fire(con, AS_OF, *rule_list)
    got = {r.id: alert(con, AS_OF, r.id) for r in rule_list}
    assert {k: (a["state"], a["value"], a["n"]) for k, a in got.items()} == {
        "during": ("firing", 6.0, 6),
        "day-one": ("normal", 1.0, 1),
        "phone": ("firing", 7.0, 7),
        "email": ("normal", 3.0, 3),
        "sl": ("firing", pytest.approx(1 / 3), 3),
    }
    assert got["sl"]["what"] == "Service level (during the recall, phone)"
    assert got["phone"]["what"] == "Contacts (whole recall, phone)"


def test_change_against_the_pre_announcement_phase(tmp_path):
    s = Store(tmp_path)
    # Before the announcement (03-02T15:00Z): 2 calls a day at 18:00Z and 19:00Z (12:00 and 13:00
    # CST) on 02-25 … 03-01, 10 calls. The phase's local days run from the first (02-25) to the day
    # before the announcement's (03-02): 5 days → 2 a day, times days = 1 → expected 2.
    s.add([call(f"p{d}{h}", at(f"2026-02-{d:02d}T{h}:00:00Z"), 10) for d in range(25, 29) for h in (18, 19)])
    s.add([call(f"q{h}", at(f"2026-03-01T{h}:00:00Z"), 10) for h in (18, 19)])
    # 03-10 (CDT): 6 calls from 14:00Z → +200 % at 17:00Z: critical (≥ 150); 3 by 15:00Z: +50 %, a warning.
    s.add([call(f"t{i}", at("2026-03-10T14:00:00Z") + timedelta(minutes=30 * i), 10) for i in range(6)])
    rule = Rule(
        id="vs-pre",
        kind="change",
        metric="contacts",
        baseline="pre_announcement",
        critical=150.0,
        warning=50.0,
        min_volume=3,
        pending_for=1,
    )
    fire(s.con, at("2026-03-10T15:05:00Z"), rule)
    got = alert(s.con, at("2026-03-10T15:05:00Z"), "vs-pre")
    assert (got["state"], got["severity"], got["value"], got["expected"]) == ("firing", "warning", 3.0, 2.0)
    evaluate(s.con, at("2026-03-10T17:00:00Z"), rule_ids=["vs-pre"])
    got = alert(s.con, at("2026-03-10T17:00:00Z"), "vs-pre")
    assert (got["state"], got["severity"], got["value"], got["expected"]) == ("firing", "critical", 6.0, 2.0)
    assert "+200% against before the announcement (2 → 6, n = 6)" in got["detail"]
    s.con.close()


def test_the_digest_opens_with_the_overviews_verdict_line(metrics_store):
    # The Overview's tiles with a target at 04-01, whole recall: service level 2/5 = 40 % (red, target
    # 80 %), abandon rate 1/5 = 20 % (red, ≤ 10 %), ASA 18.3 s (green, ≤ 30 s), FCR 3/7 (red, ≥ 70 %),
    # repeat-contact rate 3/7 (red, ≤ 30 %); CSAT 2/4 is hidden (n < 5) → 4 of 5 missed. Headline: the
    # first red in catalog order, service level, the same 24 h before (±0). Newest record: c7 at
    # 03-28T11:00Z, 85 h before → "4 days".
    payload = digest.build(metrics_store, "R1", AS_OF, "2026-03-31")
    line = "4 of 5 targets missed · SL 40.0% (target 80%) ±0 pts since yesterday · data 4 days old"
    assert payload["verdict"] == line
    assert digest_lines(payload)[:2] == [line, "0 critical and 0 warning alerts firing."]
