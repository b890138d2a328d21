"""Period arithmetic of the regulator reports on a hand-worked fixture (tests/fixtures/regulator,
its README works every value), and unknown levels and dispositions shown as unknown."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import load

from metrics import regulator
from metrics.periods import PeriodError, nhtsa_schedule, parse_period
from metrics.regulator import figure
from store.db import connect

FIXTURE = Path(__file__).parent / "fixtures" / "regulator"
TZ = "America/Chicago"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("reg") / "reg.duckdb")
    load(c, FIXTURE / "recall.toml")
    load(c, FIXTURE)
    yield c
    c.close()


def rows(con, form: str, period: str, section: str) -> dict[str, dict]:
    return regulator.build(con, form, "RG", period).as_dict()["sections"][section]["rows"]


def pair(row: dict) -> tuple:
    return row["period"], row["cumulative"]


def test_period_bounds_are_local_midnights():
    q4 = parse_period("2025-Q4", TZ)
    assert (q4.start_at, q4.end_at) == (datetime(2025, 10, 1, 5), datetime(2026, 1, 1, 6))  # CDT → CST
    assert parse_period("2026-q1", TZ).start_at == q4.end_at  # consecutive periods share no instant
    r = parse_period("2026-03-01..2026-03-31", TZ)
    assert (r.first_day, r.last_day, r.end_at) == (date(2026, 3, 1), date(2026, 3, 31), datetime(2026, 4, 1, 5))
    assert parse_period("2026-02", TZ).last_day == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-13", "month must be"),
        ("2026-Q5", "write YYYY-MM"),
        ("2026-03-05..2026-03-01", "end is before"),
        ("2026-02-30..2026-03-01", "day is out of range"),
        ("2000-01-01..2030-01-01", "longer than"),
        ("'; DROP TABLE affected; --", "write YYYY-MM"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(text, says):
    with pytest.raises(PeriodError, match=says):
        parse_period(text, TZ)


def test_nhtsa_schedule_eight_quarters_then_three_years():
    names = [(n, p.label) for n, p in nhtsa_schedule(datetime(2025, 11, 20, 15), TZ)]
    assert names[0] == ("Quarterly report 1 of 8", "2025-Q4")
    assert names[1] == ("Quarterly report 2 of 8", "2026-Q1")  # crosses the year
    assert names[7] == ("Quarterly report 8 of 8", "2027-Q3")
    assert names[8:] == [
        ("Annual report 1 of 3", "2027-10-01..2028-09-30"),
        ("Annual report 2 of 3", "2028-10-01..2029-09-30"),
        ("Annual report 3 of 3", "2029-10-01..2030-09-30"),
    ]


def test_last_second_of_a_period_and_one_after(con):
    """U1 at 23:59:59 on 31 Dec and U8 at exactly the end instant are December's; U2, one second
    after midnight, is January's."""
    dec = rows(con, "cpsc", "2025-12", "products_corrected")
    jan = rows(con, "cpsc", "2026-01", "products_corrected")
    assert pair(dec["total"]) == (2, 3)
    assert (dec["consumer"]["period"], dec["manufacturer"]["period"]) == (1, 1)
    assert pair(jan["total"]) == (1, 4)
    assert (jan["consumer"]["period"], jan["manufacturer"]["period"]) == (1, 0)


def test_a_period_still_running_is_reported_as_of_the_report_time(con):
    """Q1 reported at 2026-01-15T00:00Z: U2 (one second into Q1) is in, U4 (10 Feb) is not yet; U8 at
    Q4's end instant stays Q4's. A period that has not begun by the report time is refused."""
    q1 = regulator.build(con, "cpsc", "RG", "2026-Q1", as_of="2026-01-15T00:00:00Z").as_dict()
    total = q1["sections"]["products_corrected"]["rows"]["total"]
    assert (total["period"], total["cumulative"]) == (1, 4)  # U2 | U1 U2 U3 U8
    assert q1["period"]["status_at"] == "2026-01-15T00:00:00Z" and q1["period"]["end_at"] == "2026-04-01T05:00:00Z"
    status = "Status as of 2026-01-14 18:00 CST (the report time; the period runs to 2026-03-31)"
    assert q1["period"]["status"] == status
    done = regulator.build(con, "cpsc", "RG", "2025-Q4", as_of="2026-01-15T00:00:00Z").as_dict()["period"]
    assert done["status"] == "Status as of 2026-01-01 00:00 CST (the end of the period)"
    with pytest.raises(PeriodError, match="after the report time 2026-01-14 18:00 CST"):
        regulator.build(con, "cpsc", "RG", "2026-02", as_of="2026-01-15T00:00:00Z")


def test_quarter_crossing_a_year_this_period_and_cumulative(con):
    q4 = rows(con, "cpsc", "2025-Q4", "products_corrected")
    q1 = rows(con, "cpsc", "2026-Q1", "products_corrected")
    columns = ("affected", "period", "cumulative")
    assert {k: tuple(v[c] for c in columns) for k, v in q4.items()} == {
        "manufacturer": (1, 1, 1),
        "distributor": (1, 0, 0),
        "retailer": (1, 1, 1),
        "consumer": (4, 1, 1),
        "level_unknown": (1, 0, 0),
        "total": (8, 3, 3),
    }
    assert {k: tuple(v[c] for c in columns) for k, v in q1.items()} == {
        "manufacturer": (1, 0, 1),
        "distributor": (1, 1, 1),
        "retailer": (1, 0, 1),
        "consumer": (4, 1, 2),
        "level_unknown": (1, 0, 0),
        "total": (8, 2, 5),
    }


def test_dispositions_by_period_and_undated_apart(con):
    q4 = rows(con, "nhtsa", "2025-Q4", "units")
    q1 = rows(con, "nhtsa", "2026-Q1", "units")
    assert pair(q4["unreachable_stolen"]) == (1, 1) and pair(q1["unreachable_stolen"]) == (0, 1)
    assert pair(q4["unreachable_exported"]) == (0, 0)  # U6's export has no date
    assert q4["undated"]["cumulative"] == q1["undated"]["cumulative"] == 1
    assert pair(q4["unreachable"]) == (1, 1)
    assert q4["outstanding"]["cumulative"] == 4 and q1["outstanding"]["cumulative"] == 2
    assert pair(q1["remedied"]) == (2, 5) and q1["completion_rate"]["cumulative"] == 5 / 8
    assert pair(q4["before_first_sale"]) == (2, 2) and pair(q1["before_first_sale"]) == (1, 3)  # U3 U8 | U4
    nhtsa = regulator.build(con, "nhtsa", "RG", "2026-Q1").as_dict()
    assert nhtsa["header"]["Report"] == "Quarterly report 2 of 8"
    schedule = nhtsa["sections"]["schedule"]["rows"]
    assert list(schedule) == ["2025-Q4", "2026-Q1"]
    # Each earlier report's cumulative units as of its own end (read without the people figures):
    # by 31 Dec U1 U3 U8 remedied and U5 stolen; by 31 Mar U2 U4 remedied too.
    columns = ("involved", "remedied", "unreachable", "rate")
    assert [tuple(r[c] for c in columns) for r in schedule.values()] == [(8, 3, 1, 3 / 8), (8, 5, 1, 5 / 8)]
    assert regulator.build(con, "nhtsa", "RG", "2026-02").as_dict()["header"]["Report"].startswith("Outside")


def test_people_this_period_and_cumulative(con):
    q4 = regulator.build(con, "fda", "RG", "2025-Q4").as_dict()["sections"]
    q1 = regulator.build(con, "fda", "RG", "2026-Q1").as_dict()["sections"]
    assert pair(q4["consignees_notified"]["rows"]["notified"]) == (2, 2)
    assert pair(q1["consignees_notified"]["rows"]["notified"]) == (2, 2)  # a reminder counts this period
    methods = {k: pair(v) for k, v in q1["methods"]["rows"].items()}
    assert methods == {"phone": (1, 1), "email": (1, 1), "mail": (0, 1), "other_electronic": (1, 1)}
    assert {k: pair(v) for k, v in q4["methods"]["rows"].items()} == {
        "phone": (1, 1),  # C3's answered call: phone outreach, though not "notified"
        "email": (1, 1),
        "mail": (1, 1),
        "other_electronic": (0, 0),
    }
    assert pair(q4["response"]["rows"]["responding"]) == (1, 1) and pair(q1["response"]["rows"]["responding"]) == (1, 2)
    assert q4["response"]["rows"]["not_responding"]["cumulative"] == 1
    assert q1["response"]["rows"]["not_responding"]["cumulative"] == 0
    assert pair(q4["effectiveness_checks"]["rows"]["delivered"]) == (2, 2)
    assert pair(q1["effectiveness_checks"]["rows"]["delivered"]) == (1, 3)
    checks = {k: pair(v) for k, v in q1["effectiveness_checks"]["rows"].items() if k in ("calls", "called", "answered")}
    assert checks == {"calls": (1, 2), "called": (1, 1), "answered": (0, 1)}
    assert q1["effectiveness_checks"]["rows"]["not_answered"]["cumulative"] == 0
    eu = regulator.build(con, "eu", "RG", "2026-Q1").as_dict()["sections"]["consumers"]["rows"]
    assert pair(eu["remedied"]) == (1, 1) and pair(eu["reached"]) == (1, 3) and eu["identifiable"]["cumulative"] == 4
    contacted = rows(con, "cpsc", "2026-Q1", "notifications")
    assert pair(contacted["contacted_phone"]) == (1, 1) and pair(contacted["contacted_email"]) == (0, 1)
    assert pair(rows(con, "cpsc", "2025-Q4", "notifications")["contacted_email"]) == (1, 1)


def test_consumers_who_contacted_the_firm_count_once(con):
    """CPSC Section III: C2 calls in January (k2) and February (k5): one consumer, not two contacts;
    z@x.com's chat and web contact (k7, k8) are one consumer on other electronic; k6 (no email or
    phone) is a contact on its own line, no consumer."""
    q1 = regulator.build(con, "cpsc", "RG", "2026-Q1").as_dict()["sections"]["notifications"]
    got = {k: pair(v) for k, v in q1["rows"].items() if k.startswith("contacted_") and isinstance(v["period"], int)}
    assert got == {"contacted_phone": (1, 1), "contacted_email": (0, 1), "contacted_other_electronic": (1, 1),
                   "contacted_unidentified": (1, 1)}  # fmt: skip
    assert q1["notes"][-1].endswith("1 by the end (phone 1).")
    feb = rows(con, "cpsc", "2026-02", "notifications")
    assert pair(feb["contacted_phone"]) == (1, 1)  # C2 again: this period 1, cumulative still 1
    q4 = rows(con, "cpsc", "2025-Q4", "notifications")
    assert pair(q4["contacted_phone"]) == pair(q4["contacted_unidentified"]) == (0, 0)
    # k5-k8 add no responding consignee: C2 had responded (k2), z@x.com is not an affected customer.
    assert pair(rows(con, "fda", "2026-Q1", "response")["responding"]) == (1, 2)


def test_fda_notification_dates_and_estimated_completion(con):
    """First and latest notice (n1 on 20 Nov 10:00 CST; n3 on 1 Dec, n6 WhatsApp on 15 Feb), and §6:
    February ends with 2 units outstanding, U4 remedied in its last 28 days → 1/28 a day, 56 days."""
    q4 = regulator.build(con, "fda", "RG", "2025-Q4").as_dict()["sections"]
    q1 = regulator.build(con, "fda", "RG", "2026-Q1").as_dict()["sections"]
    dates = {p: {k: pair(s["consignees_notified"]["rows"][k]) for k in ("first_notified", "last_notified")}
             for p, s in (("q4", q4), ("q1", q1))}  # fmt: skip
    assert dates == {
        "q4": {"first_notified": ("2025-11-20 10:00 CST",) * 2, "last_notified": ("2025-12-01 09:00 CST",) * 2},
        "q1": {"first_notified": ("2026-01-05 09:00 CST", "2025-11-20 10:00 CST"),
               "last_notified": ("2026-02-15 09:00 CST",) * 2},
    }  # fmt: skip
    values = lambda s: {k: v["value"] for k, v in s["completion"]["rows"].items()}  # noqa: E731
    assert values(q1) == {"planned_close": "not set", "outstanding": 2, "rate": 0.0,
                          "estimate": "cannot be estimated (no unit remedied in the last 28 days)"}  # fmt: skip
    feb = regulator.build(con, "fda", "RG", "2026-02").as_dict()["sections"]
    assert values(feb) == {"planned_close": "not set", "outstanding": 2, "rate": 0.04, "estimate": "2026-04-26"}


def test_whatsapp_is_other_electronic(con):
    """n6, a WhatsApp notice to C2 on 15 Feb, is February's only other-electronic notice."""
    feb = rows(con, "fda", "2026-02", "methods")
    assert {k: pair(v) for k, v in feb.items()} == {"phone": (0, 1), "email": (0, 1), "mail": (0, 1),
                                                     "other_electronic": (1, 1)}  # fmt: skip
    assert feb["other_electronic"]["last"] == "2026-02-15 09:00 CST"


def test_nhtsa_notification_began_and_ended(con):
    header = {p: regulator.build(con, "nhtsa", "RG", p).as_dict()["header"] for p in ("2025-Q4", "2026-Q1")}
    began, ended = "Owner notification began", "Owner notification ended (latest by the period's end)"
    assert (header["2025-Q4"][began], header["2025-Q4"][ended]) == ("2025-11-20", "2025-12-01")
    assert (header["2026-Q1"][began], header["2026-Q1"][ended]) == ("2025-11-20", "2026-02-15")


def test_eu_regions_this_period_and_channels(con):
    """By region (TX: U1 U2 U3 U8, C1; IL: U4 U5 U6, C2 C3; (unknown): U7, C4), both quarters."""
    columns = ("units", "consumers", "notified_period", "notified", "reached_period", "reached",
               "remedied_period", "remedied", "rate")  # fmt: skip
    table = lambda p: {k: tuple(v[c] for c in columns) for k, v in rows(con, "eu", p, "regions").items()}  # noqa: E731
    assert table("2025-Q4") == {
        "TX": (4, 1, 1, 1, 1, 1, 3, 3, 0.75),
        "IL": (3, 2, 1, 1, 1, 1, 0, 0, 0.0),
        "(unknown)": (1, 1, 0, 0, 0, 0, 0, 0, 0.0),
        "total": (8, 4, 2, 2, 2, 2, 3, 3, 0.375),
    }
    assert table("2026-Q1") == {
        "TX": (4, 1, 1, 1, 0, 1, 1, 4, 1.0),
        "IL": (3, 2, 1, 1, 1, 2, 1, 1, 1 / 3),
        "(unknown)": (1, 1, 0, 0, 0, 0, 0, 0, 0.0),
        "total": (8, 4, 2, 2, 1, 3, 2, 5, 0.625),
    }
    channels = {k: tuple(v.values())[1:] for k, v in rows(con, "eu", "2026-Q1", "channels").items()}
    assert channels == {
        "email": (1, 1, "2025-11-20", "2026-01-10"),
        "mail": (0, 1, "2025-12-01", "2025-12-01"),
        "phone": (1, 1, "2025-12-05", "2026-01-15"),
        "other_electronic": (1, 1, "2026-01-05", "2026-02-15"),
        "indirect": (regulator.NOT_RECORDED,) * 4,
    }


def test_unknown_levels_and_dispositions_are_unknown_never_zero(metrics_store):
    """The metrics fixture's registry records no level and no disposition (tests/fixtures/metrics)."""
    cpsc = regulator.build(metrics_store, "cpsc", "R1", "2026-03").as_dict()
    section = cpsc["sections"]["products_corrected"]["rows"]
    for level in ("manufacturer", "distributor", "retailer", "consumer"):
        assert figure(cpsc, "products_corrected", level, "affected") == regulator.UNKNOWN
        assert section[level]["cumulative"] == regulator.UNKNOWN
    assert section["level_unknown"]["affected"] == section["total"]["affected"] == 6
    assert section["total"]["cumulative"] == 2  # U3 on 03-15 and U1 on 03-20
    nhtsa = regulator.build(metrics_store, "nhtsa", "R1", "2026-03").as_dict()["sections"]["units"]["rows"]
    for key in ("unreachable_exported", "unreachable_stolen", "unreachable", "no_remedy_needed", "before_first_sale"):
        assert nhtsa[key]["cumulative"] == regulator.UNKNOWN, key
    assert nhtsa["remedied"]["cumulative"] == 2
    fda = regulator.build(metrics_store, "fda", "R1", "2026-03").as_dict()["sections"]
    assert fda["returned_corrected"]["rows"]["accounted_otherwise"]["cumulative"] == regulator.UNKNOWN
    assert figure(
        regulator.build(metrics_store, "cpsc", "R1", "2026-03").as_dict(), "incidents", "deaths", "after"
    ) == (regulator.NOT_RECORDED)
