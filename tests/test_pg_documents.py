"""The commands beyond ``ingest`` and ``report`` on the PostgreSQL store give DuckDB's answers on the
bundled sample recall: the regulator reports (every form, two periods), the post-recall review's
figures, and the alert engine evaluated over the days of the sample's reason cluster (its states
and events). One definition of each query, transpiled (docs/scaling.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load

from alerts.engine import backfill
from metrics import regulator
from metrics.review import build_review
from store.db import connect

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
RID = "CS-2026-014"
# The reason cluster of day 9 (tests/test_alert_sample.py): reports at 15:12Z, 18:47Z, 21:08Z on 03-10.
ALERT_FROM, ALERT_TO, EVERY_MIN = "2026-03-10T12:00:00Z", "2026-03-11T03:00:00Z", 180


def _sample(con):
    load(con, SAMPLE)
    backfill(con, ALERT_FROM, ALERT_TO, EVERY_MIN)
    return con


@pytest.fixture(scope="module")
def duck(tmp_path_factory):
    con = _sample(connect(tmp_path_factory.mktemp("sample") / "sample.duckdb"))
    yield con
    con.close()


@pytest.fixture(scope="module")
def pg_url(pg_server):
    return pg_server.fresh()


@pytest.fixture(scope="module")
def pg(pg_url):
    con = _sample(connect(pg_url))
    yield con
    con.close()


@pytest.mark.parametrize("form", regulator.FORMS)
@pytest.mark.parametrize("period", ["2026-03", "2026-Q2"])
def test_regulator_reports_are_the_same_on_postgresql(duck, pg, form, period):
    want = regulator.build(duck, form, RID, period).as_dict()
    assert want["sections"]  # a report with figures, not an empty one
    assert regulator.build(pg, form, RID, period).as_dict() == want


VOLATILE = {"ingests"}  # the ledger: when and by whom each copy of the sample was loaded


def _plain(value):
    """Frames as their rows, so that two reviews compare by value."""
    return value.rows() if hasattr(value, "rows") else value


def test_the_review_is_the_same_on_postgresql(duck, pg):
    want, got = build_review(duck, RID), build_review(pg, RID)
    assert set(got) == set(want)
    for key in set(want) - VOLATILE:
        assert _plain(got[key]) == _plain(want[key]), key
    assert [r[:9] for r in got["ingests"].rows()] == [r[:9] for r in want["ingests"].rows()]


EVENTS = (
    "SELECT rule_id, recall_id, subject, event_at, kind, from_state, to_state, severity, value "
    "FROM alert_events WHERE kind IN ('state', 'severity') ORDER BY ALL"
)
STATES = "SELECT rule_id, recall_id, subject, state, severity, fired_at, value FROM alert_state ORDER BY ALL"


def test_alerts_evaluate_the_same_on_postgresql(duck, pg):
    events = duck.execute(EVENTS).fetchall()
    # The cluster's N-reports rule fired (a pattern at 21:00Z, a problem at 00:00Z), among others.
    assert any(r[0] == "reason-reports" and r[6] == "firing" for r in events)
    assert pg.execute(EVENTS).fetchall() == events
    assert pg.execute(STATES).fetchall() == duck.execute(STATES).fetchall()


def test_the_commands_take_a_postgresql_url(pg, pg_url, duck, tmp_path, capsys):
    """``metrics regulator``, ``metrics review``, ``metrics alerts`` and ``alerts tick`` / ``rules
    export`` with ``--db`` a PostgreSQL URL (docs/cli.md)."""
    import json

    from alerts.__main__ import main as alerts_main
    from metrics.__main__ import main as metrics_main

    capsys.readouterr()
    assert metrics_main(["regulator", "nhtsa", "--db", pg_url, "--period", "2026-Q1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == regulator.build(duck, "nhtsa", RID, "2026-Q1").as_dict()
    out = tmp_path / "review.html"
    assert metrics_main(["review", "--db", pg_url, "--out", str(out)]) == 0
    assert RID in out.read_text()
    capsys.readouterr()
    assert metrics_main(["alerts", "--db", pg_url, "--as-of", "2026-03-11T00:00:00Z", "--json", "--no-evaluate"]) == 0
    shown = json.loads(capsys.readouterr().out)["alerts"]
    assert any(a["rule"] == "reason-reports" and a["severity"] == "critical" for a in shown)
    assert alerts_main(["tick", "--db", pg_url, "--now", ALERT_TO]) == 0
    assert alerts_main(["rules", "export", "--db", pg_url]) == 0
    assert "[[rule]]" in capsys.readouterr().out
