"""Running alerts by themselves (docs/alerts.md#evaluation): evaluation on a schedule and after
loads, notification planning and delivery, the daily digest.

A **tick** at time ``now``: evaluate the rules due (those not evaluated by this scheduler in the
last ``every_min`` minutes), plan the notifications and digests due, then send what the outbox
holds. The store is opened for each step and closed between them, so loads in other processes
are not held up. Time comes from ``clock`` (injectable: tests run hours in milliseconds).

``serve.py`` runs a tick every 10 s in a background thread of the dashboard's server, the first
one 10 s after start: after a restart every open browser and wall screen reconnects at once and
runs its page cold, and at 1M contacts a first tick (0.4–0.7 s) beside them cost the Overview's
first paint about 0.35 s (docs/benchmarks-browser.md, tenth pass)
(``RECALL_OPS_ALERTS=off`` turns it off, e.g. when ``python -m alerts run`` does it instead);
``python -m alerts run`` runs the same loop as a process; ``python -m alerts tick --now ISO`` one
tick. :func:`after_load` is what loaders call after a load.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from alerts import rules
from alerts.engine import evaluate
from alerts.notify.config import NONE, Config, ConfigError
from alerts.notify.config import load as load_config
from alerts.notify.deliver import deliver
from alerts.notify.digest import plan_digests
from alerts.notify.plan import plan
from metrics.base import now_utc
from store.db import StoreError, open_store

log = logging.getLogger("recall_ops.alerts")
TICK_S = 10.0


def after_load(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> None:
    """Evaluate every rule now, after a load; a failure is logged, never raised into the load."""
    try:
        evaluate(con, now or now_utc())
    except Exception:  # the load has committed; alerts catch up at the next scheduled tick
        log.exception("alert evaluation after a load failed")


@dataclass
class Scheduler:
    db: str | Path | None
    config: Config = NONE
    clock: Callable[[], datetime] = now_utc
    opener: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]] | None = None
    last_run: dict[str, datetime] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def _open(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return self.opener() if self.opener else open_store(self.db)

    def tick(self, now: datetime | None = None) -> dict[str, int]:
        now = now or self.clock()
        with self._open() as con:
            due = [
                r.id
                for r in rules.load(con)[0]
                if r.enabled and now - self.last_run.get(r.id, datetime.min) >= timedelta(minutes=r.every_min)
            ]
            changed = evaluate(con, now, rule_ids=due) if due else []
            self.last_run |= dict.fromkeys(due, now)
            planned = plan(con, now, self.config) + plan_digests(con, now, self.config)
        sent, failed = deliver(self._open, now, self.config, self.stop.is_set)
        return {"evaluated": len(due), "changed": len(changed), "planned": len(planned), "sent": sent, "failed": failed}

    def run(self, every_s: float = TICK_S, first_after_s: float = 0.0) -> None:
        """Tick every ``every_s`` seconds, the first after ``first_after_s``, until :attr:`stop`
        is set; a failing tick is logged."""
        if self.stop.wait(first_after_s):
            return
        while not self.stop.is_set():
            try:
                self.tick()
            except StoreError as e:  # another process is loading: the next tick catches up
                log.warning("alert tick skipped: %s", e)
            except Exception:
                log.exception("alert tick failed")
            self.stop.wait(every_s)


_background: Scheduler | None = None


def start_background(db: str | Path | None = None) -> Callable[[], None]:
    """Start the loop in a daemon thread (once per process); returns a function that stops it."""
    global _background
    if os.environ.get("RECALL_OPS_ALERTS", "").lower() in ("off", "0", "false", "no") or _background is not None:
        return lambda: None
    try:
        config = load_config()
    except ConfigError as e:
        log.error("alert notifications are off: %s", e)
        config = NONE
    _background = Scheduler(db, config)
    thread = threading.Thread(
        target=_background.run, kwargs={"first_after_s": TICK_S}, name="recall-ops-alerts", daemon=True
    )
    thread.start()

    def stop() -> None:
        global _background
        if _background is not None:
            _background.stop.set()
            thread.join(timeout=30)
            _background = None

    return stop


@asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """An ASGI lifespan (serve.py's ``st.App``): the scheduler thread runs while the server does."""
    stop = start_background()
    try:
        yield
    finally:
        stop()
