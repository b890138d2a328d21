"""Alert rules: validation, the shipped defaults, storage, TOML import and export."""

from __future__ import annotations

import pytest

from alerts import rules
from alerts.model import Rule, RuleError, from_dict, to_dict
from alerts.values import METRICS
from metrics.catalog import CATALOG, targetable, targets
from store import settings
from store.db import connect

METRICS_WITH_DEFAULT_TARGETS = [m for m in targetable() if m.target is not None and m.id in METRICS]


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "rules.duckdb")
    yield c
    c.close()


def test_a_fresh_store_has_a_threshold_on_every_metric_with_a_target(con):
    got = {r.id: r for r in rules.load(con)[0]}
    with_target = sorted(m for m, t in targets(con).items() if t is not None)
    # The catalog decides which metrics have a default target (a new tile with one brings its rule).
    assert with_target == sorted(m.id for m in METRICS_WITH_DEFAULT_TARGETS)
    assert {"abandon_rate", "service_level", "csat", "fcr"} <= set(with_target)
    thresholds = [r for r in got.values() if r.kind == "threshold"]
    assert sorted(r.metric for r in thresholds) == with_target  # exactly one per metric with a target
    assert all(r.id == f"{r.metric}-target" and r.days == CATALOG[r.metric].alert_days for r in thresholds)
    sl = got["service_level-target"]
    assert (sl.warning, sl.critical, sl.days, sl.min_volume, sl.pending_for) == (None, None, 1, 20, 2)
    assert (got["csat-target"].days, got["fcr-target"].days, got["repeat_rate-target"].days) == (7, 14, 14)
    assert got["fcr-target"].name == "First contact resolution (last 14 days) against its target"
    assert {"no-data", "reason-reports", "reason-spike"} <= set(got)
    assert got["reason-reports"].reports == 3 and got["reason-reports"].within_h == 72
    assert (got["reason-spike"].method, got["reason-spike"].alpha, got["reason-spike"].min_sigma) == (
        "ears_c2",
        0.001,
        0.5,
    )


def test_a_target_given_to_aht_brings_its_default_rule(con):
    saved = settings.get(con, "targets") | {"aht_s": {"green": 600.0, "amber": 900.0, "higher_is_better": False}}
    settings.put(con, "targets", saved)
    assert "aht_s-target" in {r.id for r in rules.load(con)[0]}


def test_saving_and_deleting(con):
    rule = Rule(id="calls-up", kind="change", metric="contacts", critical=50.0, baseline="last_week")
    rules.save(con, rule, "ana@example.com")
    assert next(r for r in rules.load(con)[0] if r.id == "calls-up") == from_dict(to_dict(rule), METRICS)
    rules.delete(con, "calls-up")
    assert "calls-up" not in {r.id for r in rules.load(con)[0]}
    # A default cannot be deleted away: it is stored disabled so that it does not come back.
    rules.delete(con, "service_level-target")
    sl = next(r for r in rules.load(con)[0] if r.id == "service_level-target")
    assert sl.enabled is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "Bad Id", "kind": "threshold", "metric": "fcr"}, "lower-case"),
        ({"id": "x", "kind": "trend"}, "kind 'trend'"),
        ({"id": "x", "kind": "threshold", "metric": "nps"}, "metric 'nps'"),
        ({"id": "x", "kind": "threshold", "metric": "fcr", "op": "rise"}, "op 'rise'"),
        ({"id": "x", "kind": "threshold", "metric": "fcr", "warning": "green"}, "warning 'green'"),
        ({"id": "x", "kind": "change", "metric": "fcr"}, "needs the size of change"),
        ({"id": "x", "kind": "change", "metric": "fcr", "critical": -5}, "positive"),
        ({"id": "x", "kind": "change", "metric": "fcr", "critical": 5, "baseline": "last_year"}, "baseline"),
        ({"id": "x", "kind": "threshold", "metric": "fcr", "reports": 3}, "do not apply"),
        ({"id": "x", "kind": "n_reports", "pattern_reports": 1}, "one report is never an alert"),
        ({"id": "x", "kind": "spike", "method": "cusum"}, "method 'cusum'"),
        ({"id": "x", "kind": "spike", "baseline_days": 2, "min_baseline_days": 2}, "min_baseline_days"),
        ({"id": "x", "kind": "threshold", "metric": "fcr", "every_min": "5"}, "must be numbers"),
        ({"id": "x", "kind": "threshold", "metric": "fcr", "pending_for": 1000}, "pending_for"),
        ({"id": "x", "kind": "no_data", "table": "affected"}, "table 'affected'"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(data, message):
    with pytest.raises(RuleError, match=message):
        from_dict(data, METRICS)


TOML = """
[[rule]]
id = "sl-phone-low"
kind = "threshold"
name = "Phone service level"
metric = "service_level"
channel = "phone"
critical = 0.6
warning = "none"
pending_for = 3

[[rule]]
id = "contacts-vs-last-week"
kind = "change"
metric = "contacts"
change = "pct"
baseline = "last_week"
critical = 100.0
warning = 50.0
repeat_h = 0
"""


def test_toml_import_then_export_gives_the_same_rules(con):
    imported = rules.import_toml(con, TOML, by="ana@example.com")
    assert [r.id for r in imported] == ["sl-phone-low", "contacts-vs-last-week"]
    sl = imported[0]
    assert (sl.channel, sl.critical, sl.warning, sl.pending_for, sl.every_min) == ("phone", 0.6, "none", 3, 5.0)
    text = rules.to_toml(imported)
    assert rules.from_toml(text) == imported
    stored = {r.id: r for r in rules.load(con)[0]}
    assert stored["contacts-vs-last-week"] == imported[1]


def test_toml_import_is_all_or_nothing(con):
    bad = TOML + '\n[[rule]]\nid = "x"\nkind = "threshold"\nmetric = "nps"\n'
    bad += '\n[[rule]]\nid = "sl-phone-low"\nkind = "no_data"\n'
    with pytest.raises(RuleError) as e:
        rules.import_toml(con, bad)
    assert "[[rule]] #3" in str(e.value) and "'sl-phone-low' is used more than once" in str(e.value)
    assert con.execute("SELECT count(*) FROM alert_rules").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not = [toml", "not a readable TOML file"),
        ("[settings]\nx = 1\n", "holds \\[\\[rule\\]\\] tables only"),
        ("x" * (300 * 1024), "at most"),
        ("".join(f'[[rule]]\nid = "r{i}"\nkind = "no_data"\n' for i in range(501)), "at most 500"),
    ],
)
def test_hostile_toml_is_refused(text, message):
    with pytest.raises(RuleError, match=message):
        rules.from_toml(text)


def test_export_of_the_defaults_reimports(con):
    defaults = rules.load(con)[0]
    assert rules.from_toml(rules.to_toml(defaults)) == defaults
