"""Per-day snapshots (backlog, coverage per day) against their definitions evaluated by brute force
in Python, on random instants crowded around local midnights, in zones with quarter-hour and
half-hour offsets and with daylight saving (the metrics count per 15-minute bucket:
metrics.base.daily_counts_sql)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import load

from metrics import Scope, backlog, coverage_daily
from metrics.tickets import open_backlog
from store.db import connect

UTC = ZoneInfo("UTC")
A = datetime(2026, 3, 2, 15)  # announcement (naive UTC)
AS_OF = datetime(2026, 3, 12, 9, 30)
ZONES = ("Asia/Kathmandu", "Asia/Kolkata", "America/New_York", "Australia/Adelaide")


def _recall(path, zone):
    path.write_text(
        f'[recall]\nid = "R1"\nname = "R"\nannounced_at = "{A.isoformat()}Z"\ntimezone = "{zone}"\ncountry = "US"\n'
        '[match]\ncampaigns = ["notice"]\n'
    )


def _instant(rng, zone) -> datetime:
    """Near a local midnight (exactly on it a quarter of the time), or anywhere in the window."""
    day = (A + timedelta(days=rng.randint(-1, 10))).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)
    if rng.random() < 0.25:
        return midnight
    if rng.random() < 0.6:
        return midnight + timedelta(microseconds=rng.choice([-1, 1]) * rng.randint(1, 90_000_000))
    return A + timedelta(seconds=rng.randint(-86_400, 11 * 86_400))


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="microseconds") + "Z"


def _snapshots(days, zone):
    out = []
    for d in days:
        nxt = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(zone)) + timedelta(days=1)
        out.append(
            min(
                datetime(nxt.year, nxt.month, nxt.day, tzinfo=ZoneInfo(zone)).astimezone(UTC), AS_OF.replace(tzinfo=UTC)
            )
        )
    return [s.replace(tzinfo=None) for s in out]


@pytest.mark.parametrize("zone", ZONES)
def test_backlog_equals_its_definition_at_every_snapshot(tmp_path, zone):
    rng = random.Random(zone)
    tickets = []
    for i in range(120):
        created = _instant(rng, zone)
        resolved = created + timedelta(seconds=rng.randint(0, 3 * 86_400)) if rng.random() < 0.7 else None
        if resolved is not None and rng.random() < 0.3:  # resolved exactly at some local midnight
            resolved = max(created, _instant(rng, zone))
        tickets.append((f"t{i}", created, resolved))
    _recall(tmp_path / "r.toml", zone)
    rows = "".join(
        f"zendesk,{k},R1,email,inbound,{_iso(c)},{_iso(r) if r else ''},{'solved' if r else 'open'}\n"
        for k, c, r in tickets
    )
    (tmp_path / "t.csv").write_text(
        "source,source_id,recall_id,channel,direction,created_at,resolved_at,status\n" + rows
    )
    con = connect(tmp_path / "s.duckdb")
    load(con, tmp_path / "r.toml", tmp_path / "t.csv")
    frame = backlog(con, Scope("R1", AS_OF))
    assert frame["snapshot_at"].to_list() == _snapshots(frame["day"].to_list(), zone)
    for s, open_n, aged_n in frame.select("snapshot_at", "open_tickets", "aged_tickets").iter_rows():
        still_open = [c for _, c, r in tickets if c <= s and (r is None or r > s)]
        assert open_n == len(still_open), s
        assert aged_n == sum(c < s - timedelta(hours=24) for c in still_open), s
    # The stand-up's single-instant count is the last snapshot.
    assert open_backlog(con, Scope("R1", AS_OF)) == frame.select("open_tickets", "aged_tickets").row(-1)


@pytest.mark.parametrize("zone", ZONES)
def test_coverage_per_day_equals_its_definition_at_every_snapshot(tmp_path, zone):
    rng = random.Random(zone + "cov")
    people = [f"p{i}@x.com" for i in range(60)]
    _recall(tmp_path / "r.toml", zone)
    (tmp_path / "reg.csv").write_text(
        "unit_id,email,remedy_completed_at\n"
        + "".join(f"u{i},{p},{_iso(_instant(rng, zone)) if rng.random() < 0.4 else ''}\n" for i, p in enumerate(people))
    )
    events = [(p, _instant(rng, zone), rng.choice(["sent", "delivered", "clicked"])) for p in people for _ in range(2)]
    (tmp_path / "n.csv").write_text(
        "source,source_id,channel,customer_email,status,status_at,campaign\n"
        + "".join(f"sendgrid,e{i},email,{p},{st},{_iso(t)},notice\n" for i, (p, t, st) in enumerate(events))
    )
    con = connect(tmp_path / "s.duckdb")
    load(con, tmp_path / "r.toml", tmp_path / "reg.csv", tmp_path / "n.csv")
    frame = coverage_daily(con, Scope("R1", AS_OF))
    assert frame["snapshot_at"].to_list() == _snapshots(frame["day"].to_list(), zone)
    remedied = {p: r for p, r in con.execute(
        "SELECT customer_email, remedy_completed_at FROM affected").fetchall()}  # fmt: skip
    for s, notified, reached, engaged, fixed in frame.select(
        "snapshot_at", "notified", "reached", "engaged", "remedied"
    ).iter_rows():

        def first(p, statuses, s=s):
            times = [t for q, t, st in events if q == p and st in statuses and t <= min(s, AS_OF)]
            return bool(times)

        assert notified == sum(first(p, {"sent", "delivered", "clicked"}) for p in people), s
        assert reached == sum(first(p, {"delivered", "clicked"}) for p in people), s
        assert engaged == sum(first(p, {"clicked"}) for p in people), s
        assert fixed == sum(r is not None and r <= s for r in remedied.values()), s
