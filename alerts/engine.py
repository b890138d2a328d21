"""Evaluating the rules at one moment and storing what changed (docs/alerts.md#evaluation).

:func:`evaluate` computes every enabled rule's condition at ``as_of`` for every recall (or one),
steps each rule instance's state machine (alerts/states.py) and writes, in one transaction, the
instances' new state, a log row for each instance that is pending, firing or recovering (or has
just left those states), and an event per transition.

**Idempotent.** An instance already evaluated at or after ``as_of`` is left alone: evaluating the
same moment twice, or an earlier one, changes nothing. History is never rewritten; a replay of a
past moment reads what was stored then (alerts/history.py).

Instances of metric rules are kept from their first evaluation (they are listed as ``normal``);
those of source and reason rules only once they leave ``normal``, so a store with a thousand
quiet reasons holds no thousand rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import polars as pl

from alerts import conditions, reasons, rules
from alerts.model import Rule
from alerts.states import Instance, Result, Transition, step
from alerts.values import Reader, targets
from metrics.base import as_utc
from store.db import write_conflicts

METRIC_KINDS = ("threshold", "change")
ACTIVE = ("pending", "firing", "recovering")
STATE_COLUMNS = tuple(Instance.__dataclass_fields__)


@dataclass
class Context:
    """What one evaluation (or a run of them over a fixed store, ``fixed_until`` set) may reuse:
    rules, targets, the metric reader, and per recall the contact reports and the customers per
    reason before a baseline's end. With ``fixed_until`` the reports are read once, from ``since``
    to ``fixed_until``, and sliced for each moment."""

    con: duckdb.DuckDBPyConnection
    fixed_until: datetime | None = None
    since: datetime | None = None
    reader: Reader = field(init=False)
    _reports: dict[str, pl.DataFrame] = field(default_factory=dict)
    _before: dict[tuple[str, datetime], dict[str, int]] = field(default_factory=dict)
    _first: dict[str, date | None] = field(default_factory=dict)
    _recalls: dict[str, tuple[datetime, date]] | None = None
    _rules: list[Rule] | None = None
    _targets: dict | None = None

    def __post_init__(self) -> None:
        self.reader = Reader(self.con)

    def rules(self) -> list[Rule]:
        if self._rules is None or self.fixed_until is None:
            self._rules = rules.load(self.con)[0]
        return self._rules

    def targets(self) -> dict:
        if self._targets is None or self.fixed_until is None:
            self._targets = targets(self.con)
        return self._targets

    def recalls(self) -> dict[str, tuple[datetime, date]]:
        """recall id → (announced_at, the announcement's local day)."""
        if self._recalls is None:
            rows = self.con.execute("SELECT recall_id, announced_at FROM recalls ORDER BY recall_id").fetchall()
            self._recalls = {rid: (at, self.reader.day(rid, at)) for rid, at in rows}
        return self._recalls

    def lookback(self) -> timedelta:
        hours = [reasons.history_h(r) for r in self.rules() if r.kind in ("n_reports", "spike")]
        return timedelta(hours=max(hours, default=0))

    def reports(self, recall_id: str, at: datetime) -> pl.DataFrame:
        """The reports a reason rule may look at, up to ``at``."""
        if self.fixed_until is None or at > self.fixed_until:
            return reasons.reports(self.con, recall_id, at - self.lookback(), at)
        if recall_id not in self._reports:
            start = (self.since or at) - self.lookback()
            self._reports[recall_id] = reasons.reports(self.con, recall_id, start, self.fixed_until)
        return self._reports[recall_id].filter(pl.col("created_at") <= at)

    def before(self, recall_id: str, end: datetime) -> dict[str, int]:
        if (recall_id, end) not in self._before:
            self._before[(recall_id, end)] = reasons.reporters_before(self.con, recall_id, end)
        return self._before[(recall_id, end)]

    def first_day(self, recall_id: str) -> date | None:
        if recall_id not in self._first:
            self._first[recall_id] = reasons.first_day(self.con, recall_id)
        return self._first[recall_id]


def load_instances(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], Instance]:
    rows = con.execute(f"SELECT {', '.join(STATE_COLUMNS)} FROM alert_state").fetchall()
    return {(r[0], r[1], r[2]): Instance(**dict(zip(STATE_COLUMNS, r, strict=True))) for r in rows}


def _results(ctx: Context, rule: Rule, recall_id: str, at: datetime) -> dict[str, Result]:
    if rule.kind == "threshold":
        return conditions.threshold(ctx.reader, rule, recall_id, at, ctx.targets().get(rule.metric))
    if rule.kind == "change":
        return conditions.change(ctx.reader, rule, recall_id, at)
    if rule.kind == "no_data":
        return conditions.no_data(ctx.reader, rule, at)
    announced_at, announced_day = ctx.recalls()[recall_id]
    frame = ctx.reports(recall_id, at)
    if rule.kind == "n_reports":
        before = ctx.before(recall_id, announced_at + timedelta(hours=rule.learn_h))
        return reasons.n_reports(frame, before, rule, at, announced_at)
    return reasons.spikes(frame, rule, ctx.reader.day(recall_id, at), announced_day, ctx.first_day(recall_id))


def _targets(ctx: Context, rule: Rule, recall_id: str | None) -> list[str]:
    """The recall ids a rule is evaluated for (``''``: the whole store, for no-data rules)."""
    if rule.kind == "no_data":
        return [""]
    ids = [rule.recall] if rule.recall else list(ctx.recalls())
    return [r for r in ids if r in ctx.recalls() and (recall_id is None or r == recall_id)]


def evaluate(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime | str | None = None,
    recall_id: str | None = None,
    rule_ids: Iterable[str] | None = None,
    ctx: Context | None = None,
) -> list[tuple[Instance, list[Transition]]]:
    """Evaluate at ``as_of`` (default now); returns the instances that changed with their transitions.

    Reads the instances and writes their next state in one transaction: another writer (the
    notification planner, an evaluation after a load) that changed one meanwhile makes this one
    conflict and start again, so no update is lost."""
    at = as_utc(as_of)
    ctx = ctx or Context(con)
    for attempt in range(3):
        con.execute("BEGIN TRANSACTION")
        try:
            changed = _evaluate(con, at, recall_id, rule_ids, ctx)
            _write(con, changed)
            con.execute("COMMIT")
            return changed
        except write_conflicts():
            con.execute("ROLLBACK")
            if attempt == 2:
                raise
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return []


def _evaluate(
    con: duckdb.DuckDBPyConnection, at: datetime, recall_id: str | None, rule_ids: Iterable[str] | None, ctx: Context
) -> list[tuple[Instance, list[Transition]]]:
    wanted = set(rule_ids) if rule_ids is not None else None
    active = [r for r in ctx.rules() if r.enabled and (wanted is None or r.id in wanted)]
    known = load_instances(con)
    changed: list[tuple[Instance, list[Transition]]] = []
    for rule in active:
        for rid in _targets(ctx, rule, recall_id):
            results = _results(ctx, rule, rid, at)
            mine = {k[2]: v for k, v in known.items() if k[0] == rule.id and k[1] == rid}
            for subject in sorted(set(results) | set(mine)):
                inst = mine.get(subject) or Instance(rule.id, rid, subject)
                if inst.evaluated_at is not None and inst.evaluated_at >= at:
                    continue
                result = results.get(subject, Result(None))
                if subject not in mine and result.severity is None and rule.kind not in METRIC_KINDS:
                    continue
                changed.append(step(inst, result, at, rule))
    return changed


def _write(con: duckdb.DuckDBPyConnection, changed: list[tuple[Instance, list[Transition]]]) -> None:
    """Inside the caller's transaction: the new states, the log rows, the events."""
    if not changed:
        return
    keys = [i.key for i, _ in changed]
    con.execute(
        "DELETE FROM alert_state WHERE (rule_id, recall_id, subject) IN (" + _marks(keys) + ")",
        [x for k in keys for x in k],
    )
    _insert(con, f"alert_state ({', '.join(STATE_COLUMNS)})", [list(asdict(i).values()) for i, _ in changed])
    log = [i for i, t in changed if i.state in ACTIVE or t]
    _insert(
        con,
        "alert_log",
        [
            [
                *i.key,
                i.evaluated_at,
                i.state,
                i.severity,
                shown_since(i),
                i.value,
                i.threshold,
                i.expected,
                i.n,
                i.detail,
            ]
            for i in log
        ],
    )
    events = [(i, t) for i, ts in changed for t in ts]
    _insert(
        con,
        "alert_events",
        [
            [*i.key, t.at, t.kind, t.from_state, t.to_state, t.severity, t.value, "evaluation", i.detail or None]
            for i, t in events
        ],
        events=True,
    )


def _marks(rows: list) -> str:
    return ", ".join("(" + ", ".join("?" for _ in row) + ")" for row in rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list], events: bool = False) -> None:
    """One multi-row INSERT (events get their id from the sequence and the time recorded)."""
    if not rows:
        return
    if events:
        values = ", ".join(
            "(nextval('alert_event_seq'), " + ", ".join("?" for _ in r) + ", now()::TIMESTAMP)" for r in rows
        )
    else:
        values = _marks(rows)
    con.execute(f"INSERT INTO {table} VALUES {values}", [x for r in rows for x in r])


def shown_since(inst: Instance) -> datetime | None:
    """What "since" means to a reader: the episode's start while firing or recovering, else when
    the current state began."""
    return inst.fired_at if inst.state in ("firing", "recovering") else inst.since


def backfill(
    con: duckdb.DuckDBPyConnection,
    start: datetime | str,
    end: datetime | str,
    every_min: float,
    recall_id: str | None = None,
) -> int:
    """Evaluate at every ``every_min`` minutes from ``start`` to ``end`` (both included), in order,
    as a scheduler running then would have (for data loaded after the fact, e.g. the sample recall).
    Rules, targets and reports are read once. Returns the number of moments evaluated."""
    first, last = as_utc(start), as_utc(end)
    ctx = Context(con, fixed_until=last, since=first)
    at, n = first, 0
    while at <= last:
        evaluate(con, at, recall_id, ctx=ctx)
        at += timedelta(minutes=every_min)
        n += 1
    return n


def replay(
    con: duckdb.DuckDBPyConnection,
    start: datetime | str,
    end: datetime | str,
    every_min: float,
    recall_id: str | None = None,
) -> int:
    """Replace the stored alert history (of one recall, or all) by a replay from ``start`` to
    ``end`` (:func:`backfill`): for exports loaded after the fact, whose past no scheduler saw.

    The instances, their log and their state and severity events are dropped first (rules,
    silences and the record of acknowledgements and silences stay); the replay starts from
    ``normal``. Replayed alerts count as notified — a replay never sends mail about the past;
    an alert still firing later is repeated as usual."""
    where = "recall_id = $rid" if recall_id else "true"
    con.execute("BEGIN TRANSACTION")
    try:
        for table, extra in (
            ("alert_state", ""),
            ("alert_log", ""),
            ("alert_events", " AND kind IN ('state', 'severity')"),
        ):
            con.execute(f"DELETE FROM {table} WHERE {where}{extra}", {"rid": recall_id} if recall_id else {})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    n = backfill(con, start, end, every_min, recall_id)
    con.execute(
        f"UPDATE alert_state SET notified_at = fired_at, notified_severity = severity, resolve_notified = true "
        f"WHERE fired_at IS NOT NULL AND notified_at IS NULL AND {where}",
        {"rid": recall_id} if recall_id else {},
    )
    return n
