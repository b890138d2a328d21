"""Every metric on the hand-computed fixture (tests/fixtures/metrics/README.md)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from conftest import load

from metrics import (
    Filters,
    Options,
    Scope,
    backlog,
    build_report,
    coverage,
    csat,
    fcr,
    handle_time,
    service_level,
    ticket_times,
    volume,
    wilson,
)
from metrics.repeats import fcr_and_repeats, repeat_rate

AS_OF = datetime(2026, 4, 1)
RID = "R1"


def by_phase(frame: pl.DataFrame, **where) -> dict[str, dict]:
    for k, v in where.items():
        frame = frame.filter(pl.col(k) == v)
    return {r["phase"]: r for r in frame.iter_rows(named=True)}


@pytest.fixture(params=["duckdb", "postgres"])
def metrics_store(request, metrics_store):
    """Every hand-worked figure below on both engines: the DuckDB file, and the same fixture loaded
    into PostgreSQL through the same ingest path (the metric SQL transpiled: store/pg/dialect.py)."""
    if request.param == "duckdb":
        return metrics_store
    return request.getfixturevalue("pg_metrics_store")


def test_fcr_repeat_contact(metrics_store):
    rows = by_phase(fcr(metrics_store, Scope(RID, AS_OF)))
    assert (rows["all"]["resolved"], rows["all"]["n"], rows["all"]["pending"]) == (3, 7, 1)
    assert rows["all"]["rate"] == pytest.approx(3 / 7)
    assert (rows["day_one"]["resolved"], rows["day_one"]["n"]) == (0, 1)
    assert (rows["during"]["resolved"], rows["during"]["n"]) == (1, 3)
    assert (rows["ongoing"]["resolved"], rows["ongoing"]["n"], rows["ongoing"]["pending"]) == (2, 3, 1)
    assert rows["pre_announcement"]["n"] == 0 and rows["pre_announcement"]["rate"] is None


def test_fcr_window_option_changes_the_answer(metrics_store):
    # W = 3 days: c9's repeat 7 days later no longer counts, c6/c7 still apart; c7 now eligible
    # (created 03-28 11:00 + 72 h <= 04-01? no: 03-31 11:00 <= 04-01 yes).
    rows = by_phase(fcr(metrics_store, Scope(RID, AS_OF, options=Options(fcr_window_h=72))))
    # eligible adds c7 (8); resolved: c2, c6, c7, c9, c10 = 5 (c1: repeat 2 d later; c3 repeat 2 d; c5 transferred)
    assert (rows["all"]["resolved"], rows["all"]["n"], rows["all"]["pending"]) == (5, 8, 0)


def test_fcr_zendesk_one_touch(store, tmp_path):
    (tmp_path / "r.toml").write_text(_RECALL)
    (tmp_path / "t.csv").write_text(
        "source,source_id,recall_id,channel,direction,created_at,status,agent_replies\n"
        "zendesk,1,R1,email,inbound,2026-03-03T10:00:00Z,solved,1\n"
        "zendesk,2,R1,email,inbound,2026-03-03T11:00:00Z,closed,2\n"
        "zendesk,3,R1,email,inbound,2026-03-03T12:00:00Z,open,0\n"
        "zendesk,4,R1,email,inbound,2026-03-03T13:00:00Z,solved,\n"
        "five9,5,R1,phone,inbound,2026-03-03T13:00:00Z,completed,\n"
    )
    load(store, tmp_path / "r.toml", tmp_path / "t.csv")
    rows = by_phase(fcr(store, Scope(RID, AS_OF, options=Options(fcr_method="zendesk_one_touch"))))
    assert (rows["all"]["resolved"], rows["all"]["n"], rows["all"]["pending"]) == (1, 2, 1)


@pytest.mark.parametrize("method", ["repeat_contact", "zendesk_one_touch"])
@pytest.mark.parametrize("by", ["phase", "day"])
def test_fcr_and_repeats_stacks_fcr_and_repeat_rate(metrics_store, method, by):
    scope = Scope(RID, AS_OF, options=Options(fcr_method=method))
    both = fcr_and_repeats(metrics_store, scope, by)
    for metric, alone in (("fcr", fcr), ("repeat_rate", repeat_rate)):
        expected = alone(metrics_store, scope, by)
        rows = both.filter(pl.col("metric") == metric).select(expected.columns)
        assert rows.sort(by).to_dicts() == expected.sort(by).to_dicts(), metric
    if by == "phase" and method == "repeat_contact":  # c1 c3 c9 of the 7 eligible came back (test_catalog.py)
        assert by_phase(both, metric="repeat_rate")["all"]["repeated"] == 3


def test_handle_time(metrics_store):
    phone = by_phase(handle_time(metrics_store, Scope(RID, AS_OF)), channel="phone")["all"]
    assert (phone["n"], phone["mean_s"], phone["median_s"]) == (4, 132.5, 135.0)
    assert phone["p90_s"] == pytest.approx(185.0)
    every = by_phase(handle_time(metrics_store, Scope(RID, AS_OF)), channel="all")["all"]
    assert every["n"] == 7
    assert every["mean_s"] == pytest.approx(970 / 7)
    assert every["median_s"] == 120.0
    assert every["p90_s"] == pytest.approx(240.0)
    assert by_phase(handle_time(metrics_store, Scope(RID, AS_OF)), channel="all")["after"]["mean_s"] is None


def test_service_level_abandon_asa(metrics_store):
    row = by_phase(service_level(metrics_store, Scope(RID, AS_OF)))["all"]
    assert (row["offered"], row["answered"], row["answered_within"]) == (5, 4, 2)
    assert (row["abandoned"], row["short_abandons"]) == (1, 2)
    assert row["sl_rate"] == pytest.approx(0.4)
    assert row["abandon_rate"] == pytest.approx(0.2)
    assert row["asa_s"] == pytest.approx(55 / 3)
    # A threshold of 25 s puts c5 inside; a short-abandon threshold of 2 s keeps c12 (3 s).
    wider = Scope(RID, AS_OF, options=Options(sl_threshold_s=25, short_abandon_s=2))
    row = by_phase(service_level(metrics_store, wider))["all"]
    assert (row["offered"], row["answered_within"], row["abandoned"]) == (6, 3, 2)


def test_csat_with_wilson_interval(metrics_store):
    rows = by_phase(csat(metrics_store, Scope(RID, AS_OF)))
    assert (rows["all"]["satisfied"], rows["all"]["n"]) == (2, 4)
    assert rows["all"]["rate"] == 0.5
    assert (rows["all"]["ci_low"], rows["all"]["ci_high"]) == pytest.approx(wilson(2, 4))
    assert rows["after"]["rate"] is None and rows["after"]["ci_low"] is None


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (7, 50, 0.0695, 0.2619),
        (40, 50, 0.6696, 0.8876),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (4, 5, 0.3755, 0.9638),
    ],
)
def test_wilson_vectors(k, n, low, high):
    lo, hi = wilson(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_zero_n():
    assert wilson(0, 0) is None


def test_volume_and_mix(metrics_store):
    frame = volume(metrics_store, Scope(RID, AS_OF))
    rows = by_phase(frame, channel="all")
    assert (rows["all"]["contacts"], rows["all"]["handled"]) == (12, 9)
    assert rows["day_one"]["contacts"] == 1 and rows["during"]["contacts"] == 6 and rows["ongoing"]["contacts"] == 5
    phone = by_phase(frame, channel="phone")["all"]
    assert phone["contacts"] == 7 and phone["share"] == pytest.approx(7 / 12)
    assert rows["pre_announcement"]["share"] is None  # zero denominator → null


def test_coverage_funnel(metrics_store):
    row = coverage(metrics_store, Scope(RID, AS_OF)).row(0, named=True)
    assert {k: row[k] for k in ("affected_customers", "notified", "reached", "engaged", "remedied")} == {
        "affected_customers": 4,
        "notified": 3,
        "reached": 3,
        "engaged": 3,
        "remedied": 1,
    }
    assert (row["affected_units"], row["remedied_units"]) == (6, 2)
    # After C3's remedy date, C3 is remedied too.
    later = coverage(metrics_store, Scope(RID, datetime(2026, 4, 6))).row(0, named=True)
    assert (later["remedied"], later["remedied_units"]) == (2, 3)


def test_coverage_by_region(metrics_store):
    rows = {r["region"]: r for r in coverage(metrics_store, Scope(RID, AS_OF), by="region").iter_rows(named=True)}
    assert (rows["IL"]["affected_customers"], rows["IL"]["remedied"], rows["IL"]["affected_units"]) == (2, 1, 2)
    assert (rows["CA"]["affected_customers"], rows["CA"]["affected_units"]) == (1, 2)


def test_report_has_every_field(metrics_store):
    report = build_report(metrics_store, RID, "2026-04-01T00:00:00Z")
    assert report["recall_id"] == "R1" and report["as_of"] == "2026-04-01T00:00:00Z"
    assert list(report["phases"]) == ["pre_announcement", "day_one", "during", "ongoing", "after", "all"]
    whole = report["phases"]["all"]
    assert set(whole) == {
        "contacts", "by_channel", "channel_mix", "handled", "fcr", "aht_s",
        "service_level", "abandon_rate", "asa_s", "csat",
    }  # fmt: skip
    assert whole["by_channel"] == {"chat": 1, "email": 3, "phone": 7, "web": 1}
    assert whole["fcr"] == {"rate": pytest.approx(3 / 7), "n": 7, "pending": 1}
    assert whole["aht_s"]["phone"] == 132.5 and whole["aht_s"]["chat"] is None
    assert whole["service_level"] == {"rate": pytest.approx(0.4), "n": 5}
    assert whole["csat"]["n"] == 4 and len(whole["csat"]["ci95"]) == 2
    assert report["phases"]["after"]["csat"] == {"rate": None, "n": 0, "ci95": None}
    assert report["coverage"]["affected_customers"] == 4
    assert build_report(metrics_store, None, "2026-04-01T00:00:00Z")["recall_id"] == "R1"  # the only recall


_RECALL = """[recall]
id = "R1"
name = "Test recall"
timezone = "America/Chicago"
country = "US"
announced_at = "2026-03-02T09:00:00-06:00"
closed_at = "2026-06-01T00:00:00-05:00"
"""


def test_phase_boundaries(store, tmp_path):
    (tmp_path / "r.toml").write_text(_RECALL)
    rows = [
        ("b1", "2026-03-02T14:59:59Z"),  # A − 1 s: before
        ("b2", "2026-03-02T15:00:00Z"),  # A: day one
        ("b3", "2026-03-03T14:59:59Z"),  # A + 24 h − 1 s: day one
        ("b4", "2026-03-03T15:00:00Z"),  # A + 24 h: during
        ("b5", "2026-03-09T15:00:00Z"),  # ongoing_from = A + 168 h: ongoing
        ("b6", "2026-06-01T04:59:59Z"),  # closed_at − 1 s: ongoing
        ("b7", "2026-06-01T05:00:00Z"),  # closed_at: after
    ]
    body = "".join(f"five9,{i},R1,phone,inbound,{t}\n" for i, t in rows)
    (tmp_path / "b.csv").write_text("source,source_id,recall_id,channel,direction,created_at\n" + body)
    load(store, tmp_path / "r.toml", tmp_path / "b.csv")
    counts = by_phase(volume(store, Scope(RID, datetime(2026, 7, 1))), channel="all")
    assert {p: r["contacts"] for p, r in counts.items()} == {
        "pre_announcement": 1, "day_one": 2, "during": 1, "ongoing": 2, "after": 1, "all": 7,
    }  # fmt: skip


def test_as_of_excludes_later_contacts(metrics_store):
    early = by_phase(volume(metrics_store, Scope(RID, datetime(2026, 3, 5))), channel="all")
    assert early["all"]["contacts"] == 2  # c1 (03-03) and c5 (03-04); c2 comes at 03-05 10:00
    assert early["ongoing"]["contacts"] == 0


def test_ticket_times_and_backlog(store, tmp_path):
    (tmp_path / "r.toml").write_text(_RECALL)
    (tmp_path / "t.csv").write_text(
        "source,source_id,recall_id,channel,direction,created_at,first_reply_at,resolved_at,updated_at,status\n"
        "zendesk,t1,R1,email,inbound,2026-03-02T16:00:00Z,2026-03-02T17:00:00Z,2026-03-03T16:00:00Z,,solved\n"
        "zendesk,t2,R1,email,inbound,2026-03-02T20:00:00Z,,,,open\n"
        "zendesk,t3,R1,web,inbound,2026-03-03T12:00:00Z,2026-03-03T14:00:00Z,,2026-03-04T12:00:00Z,solved\n"
    )
    load(store, tmp_path / "r.toml", tmp_path / "t.csv")
    as_of = datetime(2026, 3, 4, 18)
    rows = backlog(store, Scope(RID, as_of))
    assert [str(d) for d in rows["day"]] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert rows["snapshot_at"].to_list() == [datetime(2026, 3, 3, 6), datetime(2026, 3, 4, 6), as_of]
    assert rows["open_tickets"].to_list() == [2, 2, 1]
    assert rows["aged_tickets"].to_list() == [0, 1, 1]
    times = by_phase(ticket_times(store, Scope(RID, as_of)))["all"]
    assert (times["frt_n"], times["frt_median_s"], times["frt_p90_s"]) == (2, 5400.0, pytest.approx(6840.0))
    assert (times["resolution_n"], times["resolution_median_s"]) == (1, 86400.0)


def test_day_grain_uses_local_days(metrics_store):
    frame = volume(metrics_store, Scope(RID, AS_OF), by="day").filter(pl.col("channel") == "all")
    days = {str(r["day"]): r["contacts"] for r in frame.iter_rows(named=True)}
    # c9 at 2026-03-07T00:00Z is 18:00 on 03-06 in Chicago; c10 (03-14T00:00Z) is 03-13 local.
    assert days["2026-03-06"] == 4  # c8, c12, c13 (10-12 UTC) and c9
    assert days["2026-03-13"] == 1
    assert sum(days.values()) == 12


def test_channel_filter_keeps_cross_channel_repeats(metrics_store):
    phone = Filters(channels=("phone",))
    rows = by_phase(fcr(metrics_store, Scope(RID, AS_OF, filters=phone)))
    # phone eligible: c1 (alice repeats by email), c5 (transferred), c9 (erin repeats on web) → 0 of 3
    assert (rows["all"]["resolved"], rows["all"]["n"]) == (0, 3)
    assert by_phase(volume(metrics_store, Scope(RID, AS_OF, filters=phone)), channel="all")["all"]["contacts"] == 7


def test_date_filter_uses_local_days(metrics_store):
    one_day = Filters(start=date(2026, 3, 6), end=date(2026, 3, 6))
    assert by_phase(volume(metrics_store, Scope(RID, AS_OF, filters=one_day)), channel="all")["all"]["contacts"] == 4
    report = build_report(metrics_store, RID, AS_OF, filters=one_day)
    assert report["phases"]["all"]["contacts"] == 4 and report["coverage"]["affected_customers"] == 4
