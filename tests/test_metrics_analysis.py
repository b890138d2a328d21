"""Metrics behind the analysis pages (Channels & handling, Quality, Coverage), computed by hand.

The shared fixture is tests/fixtures/metrics (see its README); the small ``handling`` fixture
below is built here in the canonical CSV layout.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from conftest import load

from metrics import (
    Filters,
    Options,
    Scope,
    channel_switches,
    coverage,
    coverage_as_of,
    coverage_daily,
    csat,
    fcr,
    funnel_outside,
    handle_time,
    repeat_reasons,
    time_to_notify,
    time_to_notify_summary,
    unreachable_customers,
)

AS_OF = datetime(2026, 4, 1)
RID = "R1"

_RECALL = """[recall]
id = "R1"
name = "Test recall"
timezone = "America/Chicago"
country = "US"
announced_at = "2026-03-02T09:00:00-06:00"
closed_at = "2026-06-01T00:00:00-05:00"
"""
# A = 03-02T15:00Z; day one until 03-03T15:00Z; during until 03-09T15:00Z.
# h1/h2 day one, h3-h5 during, h6 ongoing. p@ contacts h1 → h3 → h5 (abandoned), q@ h2 → h4, r@ h6.
_CONTACTS = """\
source,source_id,recall_id,channel,direction,created_at,is_abandoned,handle_s,agent,queue,reason,customer_email
five9,h1,R1,phone,inbound,2026-03-03T10:00:00Z,false,100,ann,Hotline,Buckle,p@x.com
five9,h2,R1,phone,inbound,2026-03-03T12:00:00Z,false,300,ann,,,q@x.com
zendesk,h3,R1,email,inbound,2026-03-04T10:00:00Z,,200,,Hotline,Buckle,p@x.com
zendesk,h4,R1,chat,inbound,2026-03-05T10:00:00Z,,50,bo,Chat,Refund,q@x.com
five9,h5,R1,phone,inbound,2026-03-05T11:00:00Z,true,,,Hotline,,p@x.com
zendesk,h6,R1,email,inbound,2026-03-20T10:00:00Z,,400,bo,Chat,Buckle,r@x.com
"""


@pytest.fixture
def handling_store(store, tmp_path):
    (tmp_path / "r.toml").write_text(_RECALL)
    (tmp_path / "h.csv").write_text(_CONTACTS)
    load(store, tmp_path / "r.toml", tmp_path / "h.csv")
    return store


def rows(frame: pl.DataFrame, key: str, **where) -> dict[str, dict]:
    for k, v in where.items():
        frame = frame.filter(pl.col(k) == v)
    return {r[key]: r for r in frame.iter_rows(named=True)}


# ---------------------------------------------------------------- handle time by queue / agent


def test_handle_time_by_queue_labels_missing_queue(handling_store):
    # handled with handle time: h1 100 (Hotline), h2 300 (no queue), h3 200 (Hotline), h4 50 (Chat), h6 400 (Chat)
    q = rows(handle_time(handling_store, Scope(RID, AS_OF), breakdown="queue"), "queue", phase="all")
    assert set(q) == {"Hotline", "Chat", "(none)", "all"}
    assert (q["Hotline"]["n"], q["Hotline"]["mean_s"], q["Hotline"]["median_s"]) == (2, 150.0, 150.0)
    assert q["Hotline"]["p90_s"] == pytest.approx(190.0)  # 100 + 0.9·100
    assert (q["(none)"]["n"], q["(none)"]["mean_s"]) == (1, 300.0)
    assert (q["Chat"]["mean_s"], q["Chat"]["p90_s"]) == (225.0, pytest.approx(365.0))  # 50 + 0.9·350
    assert (q["all"]["n"], q["all"]["mean_s"]) == (5, 210.0)
    day_one = rows(handle_time(handling_store, Scope(RID, AS_OF), breakdown="queue"), "queue", phase="day_one")
    assert day_one["Chat"]["n"] == 0 and day_one["Chat"]["mean_s"] is None  # every phase × queue row present


def test_handle_time_by_agent(handling_store):
    a = rows(handle_time(handling_store, Scope(RID, AS_OF), breakdown="agent"), "agent", phase="all")
    assert (a["ann"]["n"], a["ann"]["mean_s"]) == (2, 200.0)
    assert (a["bo"]["n"], a["bo"]["median_s"]) == (2, 225.0)
    assert (a["(none)"]["n"], a["(none)"]["mean_s"]) == (1, 200.0)  # h3 has no agent
    with pytest.raises(ValueError):
        handle_time(handling_store, Scope(RID, AS_OF), breakdown="reason")


def test_handle_time_default_is_still_by_channel(metrics_store):
    phone = rows(handle_time(metrics_store, Scope(RID, AS_OF)), "phase", channel="phone")["all"]
    assert (phone["n"], phone["mean_s"]) == (4, 132.5)


# ---------------------------------------------------------------- CSAT by channel


def test_csat_by_channel(metrics_store):
    # README: c1 phone 5/5 yes, c2 email bad, c3 chat 3/5 no, c6 email 4/5 yes (c5 NPS, s7 late, c11 other)
    ch = rows(csat(metrics_store, Scope(RID, AS_OF), breakdown="channel"), "channel", phase="all")
    assert {k: (v["satisfied"], v["n"]) for k, v in ch.items()} == {
        "phone": (1, 1),
        "email": (1, 2),
        "chat": (0, 1),
        "all": (2, 4),
    }
    assert ch["email"]["rate"] == 0.5 and ch["email"]["ci_low"] is not None
    during = rows(csat(metrics_store, Scope(RID, AS_OF), breakdown="channel"), "channel", phase="during")
    assert (during["email"]["n"], during["phone"]["n"]) == (1, 0)  # c2 (03-05) during; c1 is day one


# ---------------------------------------------------------------- repeat contacts


def test_repeat_reasons_on_the_shared_fixture(metrics_store):
    # README: c1→c2 (alice), c3→c4 (bob), c9→c10 (erin); no reasons in the fixture.
    r = repeat_reasons(metrics_store, Scope(RID, AS_OF))
    whole = rows(r, "reason", phase="all")
    assert list(whole) == ["(no reason)"] and (whole["(no reason)"]["contacts"], whole["(no reason)"]["share"]) == (
        3,
        1.0,
    )
    assert {p: n for p, n in zip(r["phase"], r["contacts"], strict=True) if p != "all"} == {
        "day_one": 1,  # c1
        "during": 1,  # c9
        "ongoing": 1,  # c3
    }


def test_channel_switches_on_the_shared_fixture(metrics_store):
    s = channel_switches(metrics_store, Scope(RID, AS_OF)).filter(pl.col("phase") == "all")
    pairs = {(f, t): n for f, t, n in s.select("first_channel", "repeat_channel", "contacts").iter_rows()}
    assert pairs == {("phone", "email"): 1, ("chat", "phone"): 1, ("phone", "web"): 1}


def test_repeat_reasons_and_shares(handling_store):
    # Eligible (W = 7 d): h1 h2 h3 h4 h6. Repeats: h1 → h3 (Buckle), h2 → h4 (no reason),
    # h3 → h5 (Buckle; an abandoned call is a repeat). h4 and h6 are resolved.
    r = repeat_reasons(handling_store, Scope(RID, AS_OF))
    whole = rows(r, "reason", phase="all")
    assert list(whole) == ["Buckle", "(no reason)"]  # most frequent first
    assert (whole["Buckle"]["contacts"], whole["Buckle"]["share"]) == (2, pytest.approx(2 / 3))
    assert (whole["(no reason)"]["contacts"], whole["(no reason)"]["share"]) == (1, pytest.approx(1 / 3))
    day_one = rows(r, "reason", phase="day_one")
    assert {k: (v["contacts"], v["share"]) for k, v in day_one.items()} == {"Buckle": (1, 0.5), "(no reason)": (1, 0.5)}
    assert rows(r, "reason", phase="during") == {
        "Buckle": {"phase": "during", "reason": "Buckle", "contacts": 1, "share": 1.0}
    }
    # Without transfers, repeated contacts = FCR eligible − resolved.
    f = rows(fcr(handling_store, Scope(RID, AS_OF)), "phase")["all"]
    assert f["n"] - f["resolved"] == whole["Buckle"]["contacts"] + whole["(no reason)"]["contacts"]


def test_channel_switches_and_filters(handling_store):
    s = channel_switches(handling_store, Scope(RID, AS_OF)).filter(pl.col("phase") == "all")
    pairs = {(f, t): n for f, t, n in s.select("first_channel", "repeat_channel", "contacts").iter_rows()}
    assert pairs == {("phone", "email"): 1, ("phone", "chat"): 1, ("email", "phone"): 1}
    # An email filter narrows the first contacts (h3, h6) but repeats are found on any channel (h5, phone).
    email = Filters(channels=("email",))
    s = channel_switches(handling_store, Scope(RID, AS_OF, filters=email)).filter(pl.col("phase") == "all")
    assert s.select("first_channel", "repeat_channel", "contacts").rows() == [("email", "phone", 1)]
    assert repeat_reasons(handling_store, Scope(RID, AS_OF, filters=email)).filter(pl.col("phase") == "all").rows() == [
        ("all", "Buckle", 1, 1.0)
    ]


def test_repeat_window_option(handling_store):
    # As of 03-08 no 7-day window has closed yet (h1's closes 03-10T10): no repeated contact counted.
    assert repeat_reasons(handling_store, Scope(RID, datetime(2026, 3, 8))).height == 0
    # W = 3 days: the windows of h1, h2, h3 have closed by 03-08 (h4's closes 03-08T10); h1 → h3 (24 h),
    # h2 → h4 (46 h) and h3 → h5 (25 h) are repeats.
    r = repeat_reasons(handling_store, Scope(RID, datetime(2026, 3, 8), options=Options(fcr_window_h=72)))
    assert rows(r, "reason", phase="all")["Buckle"]["contacts"] == 2


# ---------------------------------------------------------------- coverage over time, time to notify, unreachable


def test_coverage_daily_is_cumulative_and_ends_at_the_funnel(metrics_store):
    daily = coverage_daily(metrics_store, Scope(RID, AS_OF))
    by_day = {str(r["day"]): r for r in daily.iter_rows(named=True)}
    # Local days (America/Chicago) from the announcement (03-02) to as_of (04-01T00:00Z = 03-31 local).
    assert (str(daily["day"][0]), str(daily["day"][-1]), daily.height) == ("2026-03-02", "2026-03-31", 30)
    key = ("notified", "reached", "engaged", "remedied")
    # 03-02: alice, frank, gina notified; alice, gina delivered. No engagement yet (alice's open is not).
    assert tuple(by_day["2026-03-02"][k] for k in key) == (3, 2, 0, 0)
    # 03-03: alice's call c1 (04:00 local) and gina's click (03:00 local) engage them.
    assert tuple(by_day["2026-03-03"][k] for k in key) == (3, 2, 2, 0)
    # 03-08: bob's answered outbound call c14 reaches him.
    assert (by_day["2026-03-07"]["reached"], by_day["2026-03-08"]["reached"]) == (2, 3)
    # 03-10: bob's chat c3 engages him. 03-15: bob's only unit is remedied.
    assert (by_day["2026-03-09"]["engaged"], by_day["2026-03-10"]["engaged"]) == (2, 3)
    assert (by_day["2026-03-14"]["remedied"], by_day["2026-03-15"]["remedied"]) == (0, 1)
    assert daily["snapshot_at"][-1] == AS_OF and by_day["2026-03-02"]["snapshot_at"] == datetime(2026, 3, 3, 6)
    last = daily.row(-1, named=True)
    funnel = coverage(metrics_store, Scope(RID, AS_OF)).row(0, named=True)
    assert {k: last[k] for k in ("affected_customers", *key)} == {k: funnel[k] for k in ("affected_customers", *key)}


def test_time_to_notify(metrics_store, tmp_path):
    # alice, frank and gina are first sent the notice at 16:00Z, 1 h after A; bob is never notified.
    # Every value the same: one bin of 1 h holding the three.
    assert time_to_notify(metrics_store, Scope(RID, AS_OF)).rows() == [(1.0, 2.0, 3)]
    assert time_to_notify_summary(metrics_store, Scope(RID, AS_OF)) == {
        "n": 3,
        "not_notified": 1,
        "median_h": 1.0,
        "p90_h": 1.0,
    }
    # An SMS to bob 48 h after A: hours [1, 1, 1, 48] → median 1, P90 = 1 + 0.7·47 (position 0.9·3 = 2.7).
    (tmp_path / "sms.csv").write_text(
        "source,source_id,channel,customer_email,customer_phone,status,status_at,campaign\n"
        "twilio,m1,sms,,+13125550101,failed,2026-03-04T15:00:00Z,r1-notice\n"
    )
    load(metrics_store, tmp_path / "sms.csv")
    summary = time_to_notify_summary(metrics_store, Scope(RID, AS_OF))
    assert (summary["n"], summary["not_notified"], summary["median_h"]) == (4, 0, 1.0)
    assert summary["p90_h"] == pytest.approx(33.9)
    # 40 bins of (48 − 1) / 40 = 1.175 h: the three 1 h values in the first, 48 h in the last, none between.
    bins = time_to_notify(metrics_store, Scope(RID, AS_OF))
    assert bins.height == 40 and bins["customers"].to_list() == [3] + [0] * 38 + [1]
    assert bins.row(0) == pytest.approx((1.0, 2.175, 3)) and bins.row(-1) == pytest.approx((46.825, 48.0, 1))
    assert time_to_notify(metrics_store, Scope(RID, AS_OF), bins=2)["customers"].to_list() == [3, 1]


def test_unreachable_customers(metrics_store):
    # As of 04-01 only frank (C3) is not reached: sent, then bounced (his delivery comes after as_of).
    # Bob was never notified but his outbound call was answered: reached, so not listed.
    frame = unreachable_customers(metrics_store, Scope(RID, AS_OF))
    assert frame.select(
        "status", "customer_ref", "customer_email", "region", "units", "attempts", "last_status"
    ).rows() == [("notified, not reached", "C3", "frank@x.com", "IL", 1, 2, "bounced")]
    # Half a minute after the first sends nobody is reached yet; bob has never been notified.
    early = unreachable_customers(metrics_store, Scope(RID, datetime(2026, 3, 2, 16, 0, 30)))
    assert early.select(
        "status", "customer_ref", "customer_email", "customer_phone", "units", "last_status"
    ).rows() == [
        ("notified, not reached", "C1", "alice@x.com", None, 2, "sent"),
        ("notified, not reached", "C3", "frank@x.com", None, 1, "sent"),
        ("notified, not reached", None, "gina@x.com", None, 1, "sent"),
        ("never notified", "C2", None, "+13125550101", 1, None),
    ]


def test_coverage_as_of_is_the_end_of_the_phase():
    a = datetime(2026, 3, 2, 15)
    recall = {"announced_at": a, "ongoing_from": datetime(2026, 3, 9, 15), "closed_at": datetime(2026, 6, 1, 5)}
    assert coverage_as_of(recall, "pre_announcement", AS_OF) == a
    assert coverage_as_of(recall, "day_one", AS_OF) == datetime(2026, 3, 3, 15)
    assert coverage_as_of(recall, "during", AS_OF) == datetime(2026, 3, 9, 15)
    assert coverage_as_of(recall, "ongoing", AS_OF) == AS_OF  # now is earlier than the close
    assert coverage_as_of(recall, "ongoing", datetime(2026, 7, 1)) == datetime(2026, 6, 1, 5)
    assert coverage_as_of(recall, "all", AS_OF) == coverage_as_of(recall, "after", AS_OF) == AS_OF
    assert coverage_as_of({**recall, "ongoing_from": None}, "during", AS_OF) == datetime(2026, 3, 9, 15)


def test_funnel_stages_are_not_nested_and_the_customers_outside_are_counted(metrics_store, tmp_path):
    # README, as of 04-01: bob (C2) is reached by the answered outbound call c14 but was never
    # notified: 1 reached customer outside notified; engaged (alice, bob, gina) are all reached and
    # the remedied one (bob) is engaged.
    outside = funnel_outside(metrics_store, Scope(RID, AS_OF))
    assert outside == {"notified": 0, "reached": 1, "engaged": 0, "remedied": 0}
    # hank, a new owner with no outreach at all, calls in unprompted: engaged without being reached.
    (tmp_path / "hank_registry.csv").write_text(
        "recall_id,serial,customer_id,email,phone,region,lot,remedy,remedy_completed_at\nR1,U7,C7,hank@x.com,,TX,L1,,\n"
    )
    (tmp_path / "hank_call.csv").write_text(
        "source,source_id,recall_id,channel,direction,created_at,customer_email\n"
        "five9,h1,R1,phone,inbound,2026-03-20T10:00:00Z,hank@x.com\n"
    )
    load(metrics_store, tmp_path / "hank_registry.csv", tmp_path / "hank_call.csv")
    outside = funnel_outside(metrics_store, Scope(RID, AS_OF))
    assert (outside["engaged"], outside["reached"]) == (1, 1)
    funnel = coverage(metrics_store, Scope(RID, AS_OF)).row(0, named=True)
    assert (funnel["affected_customers"], funnel["reached"], funnel["engaged"]) == (5, 3, 4)  # engaged > reached
