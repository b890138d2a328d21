"""The rule-instance state machine (alerts/states.py), evaluation by evaluation, worked by hand.

Every rule here is evaluated every 5 minutes from 10:00; "B" is a breaching evaluation, "-" a clear one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.model import Rule
from alerts.states import Instance, Result, step

T0 = datetime(2026, 3, 10, 10, 0)
CRIT, WARN, CLEAR = Result("critical", 0.5), Result("warning", 0.75), Result(None, 0.9)


def run(rule: Rule, results: list[Result], spacing_min: float = 5.0) -> list[tuple[str, str | None]]:
    """(state, severity) after each evaluation."""
    inst, out = Instance("r", "R1", "service_level"), []
    for i, result in enumerate(results):
        inst, _ = step(inst, result, T0 + timedelta(minutes=spacing_min * i), rule)
        out.append((inst.state, inst.severity))
    return out


def states(rule: Rule, results: list[Result], spacing_min: float = 5.0) -> list[str]:
    return [s for s, _ in run(rule, results, spacing_min)]


RULE = Rule(id="r", kind="threshold", metric="service_level")  # pending_for 2, keep_firing_for 1


def test_pending_then_firing_on_the_second_breach():
    # B B: pending at 10:00, firing at 10:05 (held for (2 − 1) × 5 min).
    assert states(RULE, [CRIT, CRIT]) == ["pending", "firing"]


def test_pending_that_clears_goes_back_to_normal():
    # B - B B: the second breach run starts again at 10:10 and fires at 10:15.
    assert states(RULE, [CRIT, CLEAR, CRIT, CRIT]) == ["pending", "normal", "pending", "firing"]


def test_pending_for_three_needs_three_breaches_in_a_row():
    rule = Rule(id="r", kind="threshold", metric="service_level", pending_for=3)
    assert states(rule, [CRIT, CRIT, CRIT]) == ["pending", "pending", "firing"]


def test_pending_for_one_fires_at_once():
    rule = Rule(id="r", kind="threshold", metric="service_level", pending_for=1)
    assert states(rule, [CRIT]) == ["firing"]


def test_keep_firing_for_one_evaluation_then_resolved():
    # B B - - : firing at 10:05, recovering at 10:10, resolved at 10:15 (clear for 1 × 5 min).
    assert states(RULE, [CRIT, CRIT, CLEAR, CLEAR]) == ["pending", "firing", "recovering", "resolved"]


def test_recovering_returns_to_firing_without_a_new_episode():
    inst = Instance("r", "R1", "service_level")
    for i, result in enumerate([CRIT, CRIT, CLEAR, CRIT]):
        inst, _ = step(inst, result, T0 + timedelta(minutes=5 * i), RULE)
    assert (inst.state, inst.episode, inst.fired_at) == ("firing", 1, T0 + timedelta(minutes=5))


def test_keep_firing_for_zero_resolves_at_once():
    rule = Rule(id="r", kind="threshold", metric="service_level", keep_firing_for=0)
    assert states(rule, [CRIT, CRIT, CLEAR]) == ["pending", "firing", "resolved"]


def test_keep_firing_for_three():
    rule = Rule(id="r", kind="threshold", metric="service_level", keep_firing_for=3)
    got = states(rule, [CRIT, CRIT, CLEAR, CLEAR, CLEAR, CLEAR])
    assert got == ["pending", "firing", "recovering", "recovering", "recovering", "resolved"]


def test_resolved_fires_again_as_a_new_episode():
    inst = Instance("r", "R1", "service_level")
    for i, result in enumerate([CRIT, CRIT, CLEAR, CLEAR, CRIT, CRIT]):
        inst, _ = step(inst, result, T0 + timedelta(minutes=5 * i), RULE)
    assert (inst.state, inst.episode, inst.fired_at) == ("firing", 2, T0 + timedelta(minutes=25))


def test_severity_follows_the_condition_and_is_recorded():
    inst, log = Instance("r", "R1", "service_level"), []
    for i, result in enumerate([WARN, WARN, CRIT, WARN]):
        inst, transitions = step(inst, result, T0 + timedelta(minutes=5 * i), RULE)
        log += [(t.kind, t.to_state, t.severity) for t in transitions]
    assert inst.severity == "warning"
    assert log == [
        ("state", "pending", "warning"),
        ("state", "firing", "warning"),
        ("severity", "firing", "critical"),
        ("severity", "firing", "warning"),
    ]


def test_evaluations_closer_than_the_interval_do_not_shorten_the_pending_period():
    # Loads at 10:00, 10:01, 10:02 (evaluations after each load): the condition has held 2 minutes,
    # less than (2 − 1) × 5, so it is still pending; the scheduled one at 10:05 fires it.
    assert states(RULE, [CRIT, CRIT, CRIT], spacing_min=1) == ["pending"] * 3
    inst = Instance("r", "R1", "service_level")
    for minute in (0, 1, 2, 5):
        inst, _ = step(inst, CRIT, T0 + timedelta(minutes=minute), RULE)
    assert inst.state == "firing"


def test_a_long_gap_counts_as_the_time_it_was():
    # Two breaching evaluations an hour apart (a restart in between) fire: the condition was seen
    # at both ends; every_min is a minimum spacing, not a count of missed evaluations.
    assert states(RULE, [CRIT, CRIT], spacing_min=60) == ["pending", "firing"]


def test_transitions_report_what_changed():
    inst = Instance("r", "R1", "service_level")
    inst, t1 = step(inst, CRIT, T0, RULE)
    inst, t2 = step(inst, CRIT, T0 + timedelta(minutes=5), RULE)
    inst, t3 = step(inst, CRIT, T0 + timedelta(minutes=10), RULE)
    assert [(t.from_state, t.to_state) for t in t1 + t2 + t3] == [("normal", "pending"), ("pending", "firing")]
    assert inst.since == T0 + timedelta(minutes=5) and inst.breach_since == T0
