"""The Reports page (AppTest, on the metrics fixture R1): a report per form and period, a clear
message for an unreadable period, and the review's downloads."""

from __future__ import annotations

from conftest import ROOT
from streamlit.testing.v1 import AppTest

from metrics import build_report
from store.db import connect


def reports_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/reports.py").run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, label: str):
    """The shown table whose first column holds ``label`` (AppTest does not expose dataframe keys)."""
    for d in at.dataframe:
        frame = d.value
        if label in frame[frame.columns[0]].to_list():
            return frame
    return None


def row(frame, label: str) -> tuple:
    return tuple(frame[frame[frame.columns[0]] == label].iloc[0])


def test_a_report_for_the_newest_period_with_its_figures(db):
    at = reports_page()
    assert at.title[0].value == "Reports"
    period = at.selectbox(key="reports_period_cpsc")
    assert period.options[-1] == "Other period…" and "March 2026" in period.options
    period.set_value("2026-03").run()
    section = table_with(at, "With consumers")
    assert row(section, "Total")[1:] == ("6", "2", "2")  # units 6; U3 (03-15) and U1 (03-20) corrected in March
    assert row(section, "With consumers")[1:] == ("unknown", "unknown", "unknown")  # the fixture records no level


def test_a_replayed_page_reports_as_of_the_replayed_moment(db):
    """?as_of= in March: the March report counts what happened by then, as the dashboard does at that
    moment (U3 remedied 03-15; U1 on 03-20 is still to come: tests/fixtures/metrics/README.md)."""
    moment = "2026-03-17T12:00:00Z"
    con = connect(db, read_only=True)
    remedied = build_report(con, "R1", moment)["coverage"]["remedied_units"]
    con.close()
    assert remedied == 1
    at = reports_page(as_of=moment)
    period = at.selectbox(key="reports_period_cpsc")
    assert period.value == "2026-03" and "April 2026" not in period.options  # nothing after the moment offered
    section = table_with(at, "With consumers")
    assert row(section, "Total")[1:] == ("6", str(remedied), str(remedied))
    status = [m.value for m in at.markdown if "Status as of" in m.value]
    assert status == ["**Status as of 2026-03-17 07:00 CDT (the report time; the period runs to 2026-03-31)**"]


def test_each_form_renders_and_a_bad_period_is_named(db):
    at = reports_page()
    expected = (("fda", "Consignees notified"), ("nhtsa", "Inspected and remedied"), ("eu", "Directly notified"))
    for form, label in expected:
        at.segmented_control(key="reports_form").set_value(form).run()
        assert not at.exception, (form, at.exception)
        assert table_with(at, label) is not None, form
    at.segmented_control(key="reports_form").set_value("eu").run()
    at.selectbox(key="reports_period_eu").set_value("custom").run()
    at.text_input(key="reports_custom").input("2026-03-31..2026-03-01").run()
    assert any("the end is before the start" in e.value for e in at.error)
    at.text_input(key="reports_custom").input("2026-03-01..2026-03-31").run()
    assert not at.error and table_with(at, "Total (whole recall)") is not None


def test_the_review_offers_its_downloads(db):
    at = reports_page()
    at.button(key="reports_review").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Review (HTML)" in labels
