"""Every report figure that the dashboard also shows equals the dashboard's figure at the period's end
(``metrics report --as-of end_at`` and the coverage by region), on the sample recall; and unit counts
add up across periods (docs/regulator-reports.md#figures)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import load

from metrics import build_report, coverage, regulator
from metrics.base import Scope, run
from metrics.periods import parse_period
from store.db import connect
from store.derived.rules import CONTACT_CHANNELS

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
RID, TZ = "CS-2026-014", "America/Chicago"
PERIODS = ("2026-02", "2026-03", "2026-03-02..2026-03-08", "2026-Q2", "2026-06")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    load(c, SAMPLE)
    yield c
    c.close()


@pytest.fixture(scope="module")
def dashboard(con):
    """The dashboard's report and coverage by region at each period's start and end."""
    out = {}
    for text in PERIODS:
        p = parse_period(text, TZ)
        out[text] = {
            "end": build_report(con, RID, p.end_at),
            "start": build_report(con, RID, p.start_at),
            "regions": {r["region"]: r for r in coverage(con, Scope(RID, p.end_at), "region").iter_rows(named=True)},
        }
    return out


def sections(con, form: str, period: str) -> dict:
    return {k: v["rows"] for k, v in regulator.build(con, form, RID, period).as_dict()["sections"].items()}


@pytest.mark.parametrize("period", PERIODS)
def test_cpsc_equals_the_dashboard(con, dashboard, period):
    end, start = dashboard[period]["end"], dashboard[period]["start"]
    s = sections(con, "cpsc", period)
    total = s["products_corrected"]["total"]
    assert total["affected"] == end["coverage"]["affected_units"]
    assert total["cumulative"] == end["coverage"]["remedied_units"]
    assert total["period"] == end["coverage"]["remedied_units"] - start["coverage"]["remedied_units"]
    levels = [r for k, r in s["products_corrected"].items() if k != "total"]
    for column in ("affected", "period", "cumulative"):
        assert sum(r[column] for r in levels) == total[column]
    # Consumers who contacted the firm: the dashboard's contacts (as many rows per channel), counted
    # here as distinct customers; those without a customer are the unidentified line.
    p = parse_period(period, TZ)
    sql = "SELECT channel, customer_id, created_at FROM c_all WHERE direction = 'inbound'"
    regulator_channel = pl.col("channel").str.to_lowercase().replace_strict(CONTACT_CHANNELS, default="other")
    inbound = run(con, sql, Scope(RID, p.end_at)).with_columns(regulator_channel.alias("reg"))
    by_channel = end["phases"]["all"]["by_channel"]
    for channel in ("phone", "email", "other_electronic"):
        expected = sum(n for ch, n in by_channel.items() if CONTACT_CHANNELS.get(ch, "other") == channel)
        mine = inbound.filter(reg=channel)
        assert mine.height == expected, channel
        known = mine.filter(pl.col("customer_id").is_not_null())
        row = s["notifications"][f"contacted_{channel}"]
        assert row["cumulative"] == known["customer_id"].n_unique(), channel
        assert row["period"] == known.filter(pl.col("created_at") > p.start_at)["customer_id"].n_unique(), channel
    assert inbound.height == end["phases"]["all"]["contacts"]
    unknown = inbound.filter(pl.col("customer_id").is_null())
    assert s["notifications"]["contacted_unidentified"]["cumulative"] == unknown.height
    period_contacts = end["phases"]["all"]["contacts"] - start["phases"]["all"]["contacts"]
    assert (inbound["created_at"] > p.start_at).sum() == period_contacts


@pytest.mark.parametrize("period", PERIODS)
def test_fda_equals_the_dashboard(con, dashboard, period):
    cov = dashboard[period]["end"]["coverage"]
    s = sections(con, "fda", period)
    assert s["consignees_notified"]["notified"]["cumulative"] == cov["notified"]
    assert s["response"]["responding"]["cumulative"] == cov["engaged"]
    assert s["effectiveness_checks"]["delivered"]["cumulative"] == cov["reached"]
    assert s["returned_corrected"]["total"]["cumulative"] == cov["remedied_units"]
    assert s["returned_corrected"]["in_distribution"]["cumulative"] == cov["affected_units"]


@pytest.mark.parametrize("period", PERIODS)
def test_nhtsa_equals_the_dashboard(con, dashboard, period):
    end, start = dashboard[period]["end"]["coverage"], dashboard[period]["start"]["coverage"]
    units = sections(con, "nhtsa", period)["units"]
    assert units["involved"]["cumulative"] == end["affected_units"]
    assert units["remedied"]["cumulative"] == end["remedied_units"]
    assert units["remedied"]["period"] == end["remedied_units"] - start["remedied_units"]
    assert units["completion_rate"]["cumulative"] == end["remedied_units"] / end["affected_units"]


@pytest.mark.parametrize("period", PERIODS)
def test_eu_equals_the_dashboard(con, dashboard, period):
    cov, regions = dashboard[period]["end"]["coverage"], dashboard[period]["regions"]
    s = sections(con, "eu", period)
    total = s["regions"]["total"]
    assert (total["units"], total["consumers"], total["notified"], total["reached"], total["remedied"]) == (
        cov["affected_units"],
        cov["affected_customers"],
        cov["notified"],
        cov["reached"],
        cov["remedied_units"],
    )
    shown = {k: v for k, v in s["regions"].items() if k != "total"}
    assert set(shown) == set(regions)
    for name, row in shown.items():
        want = regions[name]
        got = (row["units"], row["consumers"], row["notified"], row["reached"], row["remedied"])
        assert got == (
            want["affected_units"],
            want["affected_customers"],
            want["notified"],
            want["reached"],
            want["remedied_units"],
        ), name
    consumers = s["consumers"]
    for key, dash in (
        ("notified", "notified"),
        ("reached", "reached"),
        ("engaged", "engaged"),
        ("remedied", "remedied"),
    ):
        assert consumers[key]["cumulative"] == cov[dash], key


def test_months_add_up_to_the_quarter(con):
    """Units this period over April, May and June = the second quarter's; cumulative at June's end = Q2's."""
    q2 = sections(con, "cpsc", "2026-Q2")["products_corrected"]
    months = [sections(con, "cpsc", m)["products_corrected"] for m in ("2026-04", "2026-05", "2026-06")]
    for level in q2:
        assert sum(m[level]["period"] for m in months) == q2[level]["period"], level
        assert months[-1][level]["cumulative"] == q2[level]["cumulative"], level


def test_the_sample_gives_every_report_real_figures(con):
    """No section of the sample's reports is all zeros, and levels and dispositions are known."""
    for form in regulator.FORMS:
        report = regulator.build(con, form, RID, "2026-Q2").as_dict()
        for key, section in report["sections"].items():
            values = [v for row in section["rows"].values() for c, v in row.items() if c not in ("label", "note")]
            if key != "incidents":
                assert any(isinstance(v, (int, float)) and v for v in values), (form, key)
            assert regulator.UNKNOWN not in values, (form, key)
    assert len(sections(con, "cpsc", "2026-03")["products_corrected"]) == 6  # 4 levels, not recorded, total
