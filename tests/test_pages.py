"""AppTest: every page renders without an exception, and the shared filters work."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from ui.navigation import PAGES


def test_every_page_file_is_in_the_registry_and_every_entry_has_its_file():
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
    assert files == sorted(page.script for page in PAGES)


def run_app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("page", [p.script for p in PAGES])
def test_every_page_renders(db, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_overview_tiles_and_phase_switch(db):
    at = run_app()
    assert not at.exception
    labels = {m.label.split(" (")[0]: m.value for m in at.metric}
    assert labels["Contacts"] == "12" and labels["Handled"] == "9"
    at.selectbox(key="phase").set_value("during").run()
    labels = {m.label.split(" (")[0]: m.value for m in at.metric}
    assert labels["Contacts"] == "6"
    # Compared with day one per day (docs/metrics.md#comparing-phases): during lasts 6 days
    # (03-03T15:00Z to 03-09T15:00Z) with 6 contacts = 1.0 a day, day one 1 day with c1 = 1.0 a day:
    # unchanged, no arrow, grey. Handled: c2 c5 c8 c9 = 4 in 6 days (0.67) vs 1 = -0.3 a day, down, grey
    # (contacts are neither good nor bad); abandon rate needs n ≥ 5 both sides (day one: 1 offered call).
    tiles = {m.label.split(" (")[0]: m.proto for m in at.metric}
    assert (tiles["Contacts"].delta, tiles["Contacts"].delta_description) == ("±0 a day", "vs Day one")
    assert tiles["Handled"].delta == "-0.3 a day"
    assert (tiles["Handled"].direction, tiles["Handled"].color) == (0, 2)  # DOWN, GRAY
    assert tiles["Abandon rate"].delta == ""
    assert at.query_params["phase"] == ["during"] or at.query_params["phase"] == "during"


def test_phase_comes_from_the_url(db):
    at = run_app(phase="ongoing", recall="R1")
    labels = {m.label.split(" (")[0]: m.value for m in at.metric}
    assert labels["Contacts"] == "5"


def test_any_page_replays_a_moment_from_the_url(db):
    """?as_of= sets the report time of every page (here the Overview): as of 2026-03-05 only c1 and
    c5 exist (tests/fixtures/metrics); an unreadable value is named and now is shown."""
    labels = {m.label.split(" (")[0]: m.value for m in run_app(as_of="2026-03-05T00:00:00Z").metric}
    assert labels["Contacts"] == "2"
    at = run_app(as_of="last tuesday")
    assert any("not an ISO 8601 time" in e.value for e in at.error)
    assert {m.label.split(" (")[0]: m.value for m in at.metric}["Contacts"] == "12"
