"""``python -m connectors pull --config live.toml --db FILE [--once] [--secrets FILE]``: the scheduled readers.

Each stream of each ``[[source]]`` (connectors/live/config.py) is stepped one page at a time, the
most overdue first, in one thread (the store is written by one process at a time anyway):

- **Caught up** (the vendor has no more pages now): next poll after the source's ``interval_s``.
- **429**: wait ``Retry-After`` (else back off 1, 2, 4 … 60 s); not a failure. A page may also ask
  for a pause (rate-limit headers near zero).
- **Transient** (5xx, timeout, reset): retried after 1, 2, 4, 8, 16 s (± 20 % jitter; the source's
  ``retry_base_s`` setting scales them); after
  ``MAX_RETRIES`` the stream is ``degraded`` and polled again at its interval. The cursor never
  moves past a page that was not loaded.
- **Permanent** (401, 403, a bad query, a page its connector cannot read, a bad setting): that
  stream **stops** with the message, in the log and on the Settings page (``live_sources``); the
  others go on. Restart the puller once it is fixed.
- The store locked by another process: tried again a second later (not a failure).
Every step's outcome is written to ``live_sources``; messages never contain credentials.
``--once`` steps every stream until it is caught up (or stopped) and exits 0 when all caught up,
1 otherwise. SIGINT/SIGTERM stop after the page in hand.
"""

from __future__ import annotations

import argparse
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from connectors.base import Unreadable
from connectors.live import config, http
from connectors.live.stream import Broken, Position, Stream, step
from store import live
from store.db import StoreError, open_store
from store.signals import stop_on_signals

log = logging.getLogger("recall_ops.live.pull")
MAX_RETRIES = 5
MAX_BACKOFF_S = 60.0


@dataclass
class Scheduled:
    stream: Stream
    pos: Position = field(default_factory=Position)
    due_at: float = 0.0
    failures: int = 0
    rate_waits: int = 0
    stopped: bool = False
    gave_up: bool = False  # --once: degraded, not waited for
    caught_up: bool = False
    last_request_at: float = float("-inf")


def backoff_s(attempt: int, rng: random.Random, base_s: float = 1.0) -> float:
    """``base_s`` × 1, 2, 4 … (capped at 60 s) for attempt 1, 2, 3 …, ± 20 % jitter."""
    return min(base_s * 2.0 ** (attempt - 1), MAX_BACKOFF_S) * rng.uniform(0.8, 1.2)


class Puller:
    """Steps ``streams`` into the store at ``db`` until :attr:`stop` is set."""

    def __init__(
        self,
        streams: list[Stream],
        db: str | Path | None,
        out: Callable[[str], None] = print,
        on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> None:
        self.items = [Scheduled(s) for s in streams]
        self.db, self.out = db, out
        self.on_loaded = on_loaded  # called with the store after a step that loaded records
        self.stop = threading.Event()
        self.rng = random.Random()
        self.once = False

    def _say(self, line: str) -> None:
        self.out(line)
        log.info(line)

    def _report(self, item: Scheduled, state: str, error: str) -> None:
        try:
            with open_store(self.db, wait_s=10.0) as con:
                live.report(con, item.stream.name, item.stream.kind, ok=False, state=state, error=error)
        except StoreError as e:
            log.warning("could not record the state of %s: %s", item.stream.name, e)

    def run_one(self, item: Scheduled) -> None:
        """One step of ``item`` and its next due time."""
        s = item.stream
        base = float(s.source.setting("retry_base_s", 1.0))
        try:
            page, result = step(s, item.pos, self.db)
        except http.RateLimited as e:
            item.rate_waits += 1
            wait = e.retry_after_s if e.retry_after_s is not None else backoff_s(item.rate_waits, self.rng, base)
            item.due_at = time.monotonic() + wait
            self._say(f"{s.name}: rate limited, waiting {wait:.1f} s")
            return
        except http.Transient as e:
            item.failures += 1
            if item.failures > MAX_RETRIES:
                self._report(item, "degraded", f"{e} (failed {item.failures} times in a row; polling at the interval)")
                item.due_at = time.monotonic() + s.source.interval_s
                item.caught_up = False
                item.gave_up = self.once
                self.out(f"{s.name}: degraded — {e}")
                log.warning("%s degraded: %s", s.name, e)
            else:
                wait = backoff_s(item.failures, self.rng, base)
                self._report(item, "retrying", f"{e} (retry {item.failures} of {MAX_RETRIES} in {wait:.1f} s)")
                item.due_at = time.monotonic() + wait
                self._say(f"{s.name}: {e}; retrying in {wait:.1f} s")
            return
        except StoreError as e:
            if "lock" not in str(e).lower() and "conflict" not in str(e).lower():
                self._stop(item, f"the store cannot be used: {e}")
                return
            item.due_at = time.monotonic() + 1.0
            self._say(f"{s.name}: store busy, trying again in 1 s")
            return
        except (http.Permanent, config.ConfigError, Unreadable) as e:
            self._stop(item, str(e))
            return
        except Exception as e:  # a bug in a reader: stop this stream, keep the others
            log.exception("%s: unexpected error", s.name)
            self._stop(item, f"internal error ({type(e).__name__}: {e})")
            return
        item.failures = item.rate_waits = 0
        item.last_request_at = s.answered_at  # when its answer was in, not when the step began
        if result is not None:
            self._say(
                f"{s.name}: read={result.read} inserted={result.inserted} updated={result.updated} "
                f"unchanged={result.unchanged} quarantined={result.quarantined} ({page.summary})"
            )
            self._loaded()
        item.caught_up = not page.more
        pause = page.wait_s or 0.0
        delay = pause if page.more else max(pause, s.source.interval_s)
        item.due_at = max(time.monotonic() + delay, item.last_request_at + s.min_request_interval_s)

    def _loaded(self) -> None:
        if self.on_loaded is None:
            return
        try:
            with open_store(self.db, wait_s=10.0) as con:
                self.on_loaded(con)
        except Exception:  # the alerts are evaluated again on the next load or by the scheduler
            log.exception("after-load hook failed")

    def _stop(self, item: Scheduled, message: str) -> None:
        item.stopped = True
        self._report(item, "stopped", message)
        self.out(f"{item.stream.name}: STOPPED — {message}")
        log.error("%s stopped: %s", item.stream.name, message)

    def run(self, once: bool = False) -> int:
        """Poll until stopped (0), or with ``once`` until every stream is caught up or stopped."""
        self.once = once
        while not self.stop.is_set():
            active = [i for i in self.items if not i.stopped and not i.gave_up and not (once and i.caught_up)]
            if not active:
                break
            item = min(active, key=lambda i: i.due_at)
            wait = item.due_at - time.monotonic()
            if wait > 0:
                self.stop.wait(min(wait, 1.0))
                continue
            self.run_one(item)
        if once:
            return 0 if all(i.caught_up and not i.stopped for i in self.items) else 1
        return 0


def streams_for(sources: list[config.SourceConfig]) -> list[Stream]:
    """The streams of every source (each kind's module lists its own)."""
    from connectors.live import freshdesk, genesys, sql, twilio, zendesk

    kinds = {"zendesk": zendesk, "twilio": twilio, "genesys": genesys, "freshdesk": freshdesk, "sql": sql}
    out: list[Stream] = []
    for source in sources:
        try:
            out.extend(kinds[source.kind].streams(source))
        except config.ConfigError as e:  # this source stops with the reason; the others run
            out.append(Broken(source, str(e)))
    return out


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pull", help="pull vendor APIs and SQL databases listed in a live.toml")
    p.add_argument("--config", required=True, help="live.toml listing the sources (docs/live-sources.md)")
    p.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    p.add_argument("--secrets", help="secrets file with [recall_ops.pull.<name>] (default .streamlit/secrets.toml)")
    p.add_argument("--once", action="store_true", help="catch every source up, then exit")


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        streams = streams_for(config.load(args.config, args.secrets))
    except config.ConfigError as e:
        print(f"error: {e}", flush=True)
        return 2
    from alerts.scheduler import after_load  # the command wires alerts in; Puller itself does not import it

    puller = Puller(streams, args.db, out=lambda line: print(line, flush=True), on_loaded=after_load)
    with stop_on_signals(puller.stop):
        if not args.once:
            names = ", ".join(s.name for s in streams)
            print(f"pulling {names} (Ctrl-C to stop)", flush=True)
        return puller.run(once=args.once)
