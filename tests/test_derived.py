"""The derived tables kept at load time (store/derived/) give exactly the metrics of the same rules
evaluated at query time (metrics.scope.QUERY_TIME), on random sequences of loads, updates, registry
changes, recall edits, reloads and undos.

Each seed writes small canonical files drawn from tiny pools of ids, emails and phones (so keys are
updated, customers share addresses and registry changes move identities), loads them one by one
and, after every step, checks that the incrementally maintained facts equal a full rebuild; at the
end every metric is computed both ways at several report times, with and without filters.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from conftest import load

import metrics
import metrics.scope
from metrics.base import Filters, Options, Scope
from metrics.periods import Period, parse_period
from metrics.regulator.figures import contacts as regulator_contacts
from metrics.regulator.people import (
    _ANSWERED,
    _FACETS,
    _INBOUND,
    _NOTICE,
    _REMEDIED,
    _STATUS_CLASS,
    _UNANSWERED,
    people,
    people_and_groups,
)
from metrics.regulator.run import run_period
from store import derived
from store.db import connect
from store.derived.rules import ANSWERED_CALL_SQL, CONTACT_CHANNEL_SQL, NOTICE_CHANNEL_SQL
from store.undo import undo_ingest

A = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # announcement of R1 (R2 a day later)
EMAILS = ["ann@x.com", "bob@x.com", "cy@x.com", "dee@x.com", "eve@x.com", " ANN@x.com "]
PHONES = ["(512) 555-0101", "512-555-0102", "+1 512 555 0103", "+15125550104", "5125550101"]
CHANNELS = ["phone", "email", "chat", "sms", "whatsapp"]
CONTACT_HEADER = [
    "source", "source_id", "recall_id", "tags", "queue", "dialled_number", "channel", "direction",
    "created_at", "answered_at", "first_reply_at", "resolved_at", "updated_at", "status", "is_abandoned",
    "is_transferred", "wait_s", "handle_s", "talk_s", "agent_replies", "reason", "customer_email",
    "customer_phone",
]  # fmt: skip


def _ts(rng: random.Random, days: float = 24) -> str:
    at = A + timedelta(hours=rng.uniform(-72, days * 24))
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _maybe(rng: random.Random, value: str, p: float = 0.7) -> str:
    return value if rng.random() < p else ""


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _recall(path: Path, rid: str, rng: random.Random, edit: bool = False) -> Path:
    announced = A + timedelta(days=0 if rid == "R1" else 1)
    ongoing = announced + timedelta(days=rng.choice([3, 7]) if edit else 7)
    tags = ["r1", "r2"] if edit and rng.random() < 0.5 else [rid.lower()]
    path.write_text(
        f'[recall]\nid = "{rid}"\nname = "Recall {rid}"\ntimezone = "America/Chicago"\ncountry = "US"\n'
        f'announced_at = "{announced:%Y-%m-%dT%H:%M:%SZ}"\nongoing_from = "{ongoing:%Y-%m-%dT%H:%M:%SZ}"\n'
        f'closed_at = "{A + timedelta(days=20):%Y-%m-%dT%H:%M:%SZ}"\n\n[match]\ntags = {tags}\n'
        f'queues = ["{rid} Line"]\nnumbers = ["+1800555019{rid[1]}"]\ncampaigns = ["{rid.lower()}-notice"]\n'
    )
    return path


def _contacts(path: Path, rng: random.Random) -> Path:
    rows = []
    for _ in range(rng.randint(4, 14)):
        channel = rng.choice(CHANNELS)
        created = _ts(rng)
        abandoned = channel == "phone" and rng.random() < 0.2
        rows.append([
            rng.choice(["zendesk", "five9"]), f"c{rng.randint(1, 25)}", rng.choice(["", "", "R1", "R2"]),
            rng.choice(["r1", "r2", "other", "r1 vip", ""]), rng.choice(["R1 Line", "r2 line", "Sales", ""]),
            rng.choice(["+18005550191", "+18005550192", ""]), channel, rng.choice(["inbound"] * 4 + ["outbound"]),
            created, _maybe(rng, created, 0.5) if channel == "phone" else "", _maybe(rng, _ts(rng), 0.4),
            _maybe(rng, _ts(rng), 0.4), _maybe(rng, _ts(rng, 30), 0.6),
            rng.choice(["open", "solved", "closed", "pending", ""]), str(abandoned).lower(),
            rng.choice(["true", "false", ""]), _maybe(rng, str(rng.randint(0, 90))),
            _maybe(rng, str(rng.randint(30, 900))), _maybe(rng, str(rng.randint(10, 600)), 0.3),
            _maybe(rng, str(rng.randint(0, 3))), rng.choice(["refund", "how to", ""]),
            _maybe(rng, rng.choice(EMAILS), 0.6), _maybe(rng, rng.choice(PHONES), 0.5),
        ])  # fmt: skip
    return _write(path, CONTACT_HEADER, rows)


def _registry(path: Path, rng: random.Random) -> Path:
    header = ["recall_id", "serial", "customer_id", "email", "phone", "region", "lot", "remedy_completed_at"]
    rows = [
        [
            rng.choice(["R1", "R1", "R2"]),
            f"U{rng.randint(1, 10)}",
            _maybe(rng, rng.choice(["C1", "C2", "C3", "C4", "email:eve@x.com"]), 0.5),  # the last: an address's id
            _maybe(rng, rng.choice(EMAILS), 0.7),
            _maybe(rng, rng.choice(PHONES), 0.5),
            rng.choice(["TX", "CA", ""]),
            rng.choice(["L1", "L2"]),
            _maybe(rng, _ts(rng), 0.4),
        ]  # fmt: skip
        for _ in range(rng.randint(2, 7))
    ]
    return _write(path, header, rows)


def _notifications(path: Path, rng: random.Random) -> Path:
    header = ["source", "source_id", "channel", "customer_email", "customer_phone", "status", "status_at", "campaign"]
    statuses = ["sent", "delivered", "read", "opened", "clicked", "bounced", "failed", "replied"]
    rows = [
        [
            "sendgrid",
            f"n{rng.randint(1, 20)}",
            rng.choice(["email", "sms", "Letter", "phone"]),
            _maybe(rng, rng.choice(EMAILS)),
            _maybe(rng, rng.choice(PHONES), 0.4),
            rng.choice(statuses),
            _ts(rng),
            rng.choice(["r1-notice", "R2-Notice", "other"]),
        ]  # fmt: skip
        for _ in range(rng.randint(3, 9))
    ]
    return _write(path, header, rows)


def _csat(path: Path, rng: random.Random) -> Path:
    header = ["source", "source_id", "contact_source", "contact_source_id", "responded_at", "score", "scale"]
    rows = [
        [
            "survey",
            f"s{rng.randint(1, 12)}",
            rng.choice(["zendesk", "five9"]),
            f"c{rng.randint(1, 25)}",
            _ts(rng),
            rng.randint(1, 5),
            "1-5",
        ]  # fmt: skip
        for _ in range(rng.randint(1, 5))
    ]
    return _write(path, header, rows)


STEPS = (*["contacts"] * 3, "registry", "registry", "notifications", "csat", "recall", "undo", "reload")


def _facts_equal_rebuild(con) -> None:
    """The facts maintained so far equal a rebuild from scratch (compared as multisets)."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("contact_facts", "notification_facts", "customer_facts"):
            con.execute(f"CREATE OR REPLACE TEMP TABLE _kept_{table} AS SELECT * FROM {table}")
        derived.rebuild(con)
        for table in ("contact_facts", "notification_facts", "customer_facts"):
            diff = con.execute(
                f"SELECT count(*) FROM ((SELECT * FROM {table} EXCEPT ALL SELECT * FROM _kept_{table}) "
                f"UNION ALL (SELECT * FROM _kept_{table} EXCEPT ALL SELECT * FROM {table}))"
            ).fetchall()[0][0]
            assert diff == 0, f"{table}: {diff} rows differ from a rebuild"
    finally:
        con.execute("ROLLBACK")


def _build(tmp: Path, seed: int, url: str | None = None):
    """The seed's random loads into ``tmp/s.duckdb`` (each step checked against a rebuild), or
    into the PostgreSQL database at ``url`` (which recomputes its facts whole at every load)."""
    rng = random.Random(seed)
    con = connect(url or tmp / "s.duckdb")
    load(con, _recall(tmp / "r1.toml", "R1", rng))
    if rng.random() < 0.7:
        load(con, _recall(tmp / "r2.toml", "R2", rng))
    written: list[Path] = []
    for step in range(12):
        kind = rng.choice(STEPS)
        path = tmp / f"{step:02d}-{kind}"
        if kind == "undo":
            live = [i for (i,) in con.execute("SELECT ingest_id FROM ingests WHERE undone_at IS NULL").fetchall()]
            undo_ingest(con, rng.choice(live))
        elif kind == "reload" and written:
            load(con, rng.choice(written))
        elif kind == "recall":
            load(con, _recall(path.with_suffix(".toml"), rng.choice(["R1", "R2"]), rng, edit=True))
        elif kind != "reload":
            written.append({"contacts": _contacts, "registry": _registry, "notifications": _notifications,
                            "csat": _csat}[kind](path.with_suffix(".csv"), rng))  # fmt: skip
            load(con, written[-1])
        if url is None:
            _facts_equal_rebuild(con)
    return con


def _metric_calls(rid: str, at: datetime):
    """(name, thunk(con)) for every metric, at ``at``."""
    f = Filters(channels=("phone", "email"), start=date(2026, 3, 3), end=date(2026, 3, 12))
    short = Options(fcr_window_h=72)
    one_touch = Options(fcr_method="zendesk_one_touch")
    calls = {
        "volume": lambda c: metrics.volume(c, Scope(rid, at)),
        "volume_day_filtered": lambda c: metrics.volume(c, Scope(rid, at, filters=f), by="day"),
        "handle": lambda c: metrics.handle_time(c, Scope(rid, at)),
        "handle_queue_day": lambda c: metrics.handle_time(c, Scope(rid, at), by="day", breakdown="queue"),
        "service": lambda c: metrics.service_level(c, Scope(rid, at, filters=f)),
        "fcr": lambda c: metrics.fcr(c, Scope(rid, at)),
        "fcr_72h_day_filtered": lambda c: metrics.fcr(c, Scope(rid, at, options=short, filters=f), by="day"),
        "fcr_one_touch": lambda c: metrics.fcr(c, Scope(rid, at, options=one_touch)),
        "csat": lambda c: metrics.csat(c, Scope(rid, at), breakdown="channel"),
        "coverage": lambda c: metrics.coverage(c, Scope(rid, at)),
        "coverage_region": lambda c: metrics.coverage(c, Scope(rid, at), by="region"),
        "coverage_lot": lambda c: metrics.coverage(c, Scope(rid, at), by="lot"),
        "coverage_daily": lambda c: metrics.coverage_daily(c, Scope(rid, at)),
        "time_to_notify": lambda c: metrics.time_to_notify(c, Scope(rid, at)),
        "time_to_notify_summary": lambda c: pl.DataFrame([metrics.time_to_notify_summary(c, Scope(rid, at))]),
        "unreachable": lambda c: metrics.unreachable_customers(c, Scope(rid, at)),
        "repeat_reasons": lambda c: metrics.repeat_reasons(c, Scope(rid, at, options=short)),
        "channel_switches": lambda c: metrics.channel_switches(c, Scope(rid, at)),
        "backlog": lambda c: metrics.backlog(c, Scope(rid, at)),
        "ticket_times": lambda c: metrics.ticket_times(c, Scope(rid, at)),
        "report": lambda c: pl.DataFrame([{"json": repr(metrics.build_report(c, rid, at, filters=f))}]),
        "regulator_people": lambda c: people(c, rid, _period(c, rid, at, 5)),
    }
    return calls.items()


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Row order aside (ties in an ORDER BY may come out in any order)."""
    return frame.sort(frame.columns, nulls_last=True) if frame.height else frame


SEEDS = range(8)  # each a random sequence of 12 loads, undos and edits, checked at every step
REPORT_TIMES = (A + timedelta(days=2, hours=5), A + timedelta(days=9), A + timedelta(days=40))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """seed → path of its store, each built once for the module."""
    paths: dict[int, Path] = {}

    def get(seed: int) -> Path:
        if seed not in paths:
            folder = tmp_path_factory.mktemp(f"seed{seed}")
            _build(folder, seed).close()
            paths[seed] = folder / "s.duckdb"
        return paths[seed]

    return get


@pytest.mark.parametrize("seed", SEEDS)
def test_derived_metrics_equal_query_time_metrics(built, monkeypatch, seed):
    con = connect(built(seed))
    for rid in metrics.recall_ids(con):
        at = random.Random(f"{seed}{rid}").choice(REPORT_TIMES).replace(tzinfo=None)
        for name, call in _metric_calls(rid, at):
            monkeypatch.setattr(metrics.scope, "QUERY_TIME", False)
            fast = call(con)
            monkeypatch.setattr(metrics.scope, "QUERY_TIME", True)
            slow = call(con)
            assert _canonical(fast).equals(_canonical(slow)), f"seed {seed}, {rid}, {name} at {at}"
    con.close()


def test_the_random_loads_exercise_what_they_claim(built):
    """Across the seeds: updates, undos, recall edits, shared addresses and repeats all happen
    (so the equivalence above is not vacuous)."""
    seen = {"updated": 0, "undone": 0, "recall_edits": 0, "repeats": 0, "registry_ids": 0, "reached": 0}
    for seed in SEEDS:
        con = connect(built(seed))
        ledger = con.execute(
            "SELECT sum(rows_updated), count(undone_at), count(*) FILTER (connector = 'recall_toml') FROM ingests"
        ).fetchall()[0]
        seen["updated"] += ledger[0] or 0
        seen["undone"] += ledger[1]
        seen["recall_edits"] += max(0, ledger[2] - 2)
        seen["repeats"] += con.execute("SELECT count(next_at) FROM contact_facts").fetchall()[0][0]
        seen["registry_ids"] += con.execute(
            "SELECT count(*) FROM contact_facts WHERE customer_id NOT LIKE 'email:%' AND customer_id NOT LIKE 'phone:%'"
        ).fetchall()[0][0]
        seen["reached"] += con.execute("SELECT count(reached_at) FROM customer_facts").fetchall()[0][0]
        con.close()
    assert all(v > 0 for v in seen.values()), seen


PG_SEEDS = (3, 7)  # both sequences include an undo


def _rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats to 9 decimals (the engines' percentiles differ in the last bit), rows sorted."""
    return _canonical(frame.with_columns(pl.col(pl.Float64, pl.Float32).round(9)))


@pytest.mark.parametrize("seed", PG_SEEDS)
def test_postgresql_gives_duckdbs_metrics_after_the_same_loads_and_undos(built, pg_server, tmp_path, seed):
    """The same random sequence (an undo included) on PostgreSQL: every metric call equals DuckDB's."""
    duck = connect(built(seed))
    pg = _build(tmp_path, seed, pg_server.fresh())
    try:
        assert (
            pg.execute("SELECT count(*) FROM ingests").fetchall()
            == duck.execute("SELECT count(*) FROM ingests").fetchall()
        )
        for rid in metrics.recall_ids(duck):
            at = random.Random(f"{seed}{rid}").choice(REPORT_TIMES).replace(tzinfo=None)
            for name, call in _metric_calls(rid, at):
                want, got = _rounded(call(duck)), _rounded(call(pg))
                assert got.columns == want.columns and got.rows() == want.rows(), f"seed {seed}, {rid}, {name}"
    finally:
        pg.close()
        duck.close()


def _people_by_events(con, rid: str, period, by: str | None = None) -> pl.DataFrame:
    """figures.people's figures computed from the events alone, each matched to its customer and
    every customer's classes aggregated (how people() computed them before customer_facts kept the
    first moments by channel and the facts the ``affected`` flag): the reference it must equal."""
    notice_index = " ".join(f"WHEN '{ch}' THEN {i * 4}" for i, ch in enumerate(_NOTICE))
    contact_index = " ".join(f"WHEN '{ch}' THEN {_INBOUND + i}" for i, ch in enumerate(_NOTICE))
    facets = ", ".join(
        f"('{kind}', '{ch}', {cls}, {sum(1 << c for c in classes)})"
        for (kind, ch), classes in _FACETS.items()
        for cls in sorted(classes)
    )
    grp = "'all'" if by is None else f"unnest({by}s)"
    body = f""",
    who AS MATERIALIZED (  -- k: one number per (customer, group), for an integer key below
        SELECT customer_h, customer_id, row_number() OVER () AS k, {grp} AS grp, remedied_at FROM people),
    ev AS (
        SELECT customer_h, customer_id, status_at AS moment_at,
            (CASE {NOTICE_CHANNEL_SQL} {notice_index} END) + {_STATUS_CLASS} AS cls
        FROM n
        UNION ALL
        SELECT customer_h, customer_id, created_at,
            CASE WHEN direction = 'inbound' THEN CASE {CONTACT_CHANNEL_SQL} {contact_index} END
                 WHEN {ANSWERED_CALL_SQL} THEN {_ANSWERED} ELSE {_UNANSWERED} END
        FROM c_all WHERE direction = 'inbound' OR (direction = 'outbound' AND channel = 'phone')),
    mine AS (
        SELECT w.grp, w.k, e.moment_at, e.cls
        FROM ev e JOIN who w ON w.customer_h = e.customer_h AND w.customer_id = e.customer_id
        UNION ALL
        SELECT grp, k, remedied_at, {_REMEDIED} FROM who WHERE remedied_at IS NOT NULL),
    per_class AS (
        SELECT grp, cls, count(*) AS events, count(*) FILTER (moment_at > $period_start) AS events_period,
            min(moment_at) AS first_at, max(moment_at) AS last_at,
            min(moment_at) FILTER (moment_at > $period_start) AS first_period_at,
            max(moment_at) FILTER (moment_at > $period_start) AS last_period_at
        FROM mine GROUP BY ALL),
    per_customer AS (
        SELECT grp, bit_or(1 << cls) AS ever,
            bit_or(CASE WHEN moment_at > $period_start THEN 1 << cls ELSE 0 END) AS recent
        FROM mine GROUP BY grp, k),
    masks AS (SELECT grp, ever, recent, count(*) AS customers FROM per_customer GROUP BY ALL),
    facets(kind, channel, cls, mask) AS (VALUES {facets}),
    kinds AS (SELECT DISTINCT kind, channel, mask FROM facets),
    agg AS (
        SELECT grp, kind, channel, sum(events_period)::BIGINT AS events_period,
            sum(events)::BIGINT AS events, min(first_at) AS first_at, max(last_at) AS last_at,
            min(first_period_at) AS first_period_at, max(last_period_at) AS last_period_at
        FROM per_class JOIN facets USING (cls) GROUP BY ALL),
    dist AS (
        SELECT grp, kind, channel, coalesce(sum(customers) FILTER (recent & mask <> 0), 0)::BIGINT AS period,
            coalesce(sum(customers) FILTER (ever & mask <> 0), 0)::BIGINT AS cumulative
        FROM masks, kinds GROUP BY ALL)
    SELECT grp, kind, channel, d.period, d.cumulative, a.events_period, a.events, a.first_at, a.last_at,
        a.first_period_at, a.last_period_at
    FROM agg a JOIN dist d USING (grp, kind, channel) ORDER BY ALL"""
    return run_period(con, body, rid, period)


def _contacts_by_rows(con, rid: str, period) -> pl.DataFrame:
    """figures.contacts' figures from every contact, each consumer's channels aggregated (how
    contacts() computed them before contact_facts kept first_inbound and first_on_channel)."""
    index = " ".join(f"WHEN '{ch}' THEN {i}" for i, ch in enumerate(_NOTICE))
    channels = ", ".join(f"('{ch}', {i})" for i, ch in enumerate(_NOTICE))
    body = f""",
    k AS (SELECT CASE {CONTACT_CHANNEL_SQL} {index} END AS ci, created_at > $period_start AS in_period,
                 customer_h, customer_id
          FROM c_all WHERE direction = 'inbound'),
    per_channel AS (
        SELECT ci, count(*) FILTER (in_period) AS contacts_period, count(*) AS contacts,
            count(*) FILTER (in_period AND customer_h IS NULL) AS unknown_period,
            count(*) FILTER (customer_h IS NULL) AS unknown
        FROM k GROUP BY ci),
    masks AS (
        SELECT ever, recent, count(*) AS customers
        FROM (SELECT bit_or(1 << ci) AS ever, bit_or(CASE WHEN in_period THEN 1 << ci ELSE 0 END) AS recent
              FROM k WHERE customer_h IS NOT NULL GROUP BY customer_h, customer_id)
        GROUP BY ALL),
    dist AS (
        SELECT ci, sum(customers) FILTER (recent & (1 << ci) <> 0) AS period,
            sum(customers) FILTER (ever & (1 << ci) <> 0) AS cumulative
        FROM per_channel, masks GROUP BY ci),
    names(regulator_channel, ci) AS (VALUES {channels})
    SELECT regulator_channel, coalesce(d.period, 0)::BIGINT AS period, coalesce(d.cumulative, 0)::BIGINT AS cumulative,
        p.contacts_period, p.contacts, p.unknown_period, p.unknown
    FROM per_channel p JOIN names USING (ci) LEFT JOIN dist d USING (ci)
    UNION ALL
    SELECT 'all', m.*, p.*  -- one row even when there is no contact
    FROM (SELECT coalesce(sum(customers) FILTER (recent <> 0), 0)::BIGINT, coalesce(sum(customers), 0)::BIGINT
          FROM masks) m,
         (SELECT coalesce(sum(contacts_period), 0)::BIGINT, coalesce(sum(contacts), 0)::BIGINT,
              coalesce(sum(unknown_period), 0)::BIGINT, coalesce(sum(unknown), 0)::BIGINT
          FROM per_channel) p
    ORDER BY regulator_channel  -- one row each"""
    return run_period(con, body, rid, period)


def _period(con, rid: str, at: datetime, days: int) -> Period:
    """The ``days`` local days up to ``at``'s, reported at ``at``."""
    zone = con.execute("SELECT timezone FROM recalls WHERE recall_id = ?", [rid]).fetchall()[0][0]
    last = at.astimezone(ZoneInfo(zone)).date()
    return parse_period(f"{last - timedelta(days=days - 1)}..{last}", zone).at(at.replace(tzinfo=None))


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_regulator_figures_equal_the_figures_from_every_row(built, seed):
    con = connect(built(seed))
    for rid in metrics.recall_ids(con):
        for at in REPORT_TIMES:
            for days in (1, 60):
                p = _period(con, rid, at, days)
                assert people(con, rid, p).equals(_people_by_events(con, rid, p)), (
                    f"seed {seed}, {rid}, {days} days to {at}"
                )
                by = ("region", "lot")[seed // 2 % 2]  # customers only
                got, want = people(con, rid, p, by), _people_by_events(con, rid, p, by)
                customers = ["grp", "kind", "channel", "period", "cumulative"]
                assert got.select(customers).equals(want.select(customers)), f"seed {seed}, {rid}, by {by}"
                assert all(got[c].null_count() == got.height for c in got.columns if c not in customers)
                both = people_and_groups(con, rid, p, by)  # one pass: the same two tables
                assert both[0].equals(people(con, rid, p)) and both[1].equals(got), f"seed {seed}, {rid}, both"
                got, want = regulator_contacts(con, rid, p), _contacts_by_rows(con, rid, p)
                assert got.equals(want), f"seed {seed}, {rid}, {days} days to {at}: contacts"
    con.close()
