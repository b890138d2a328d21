"""The webhook loader: spooled bodies into the store, in micro-batches, in a thread of the server.

Rules:
- A *take* is a vendor's oldest pending bodies (at most ``max_bodies`` and about ``max_bytes``),
  taken whenever a body arrives (:meth:`HookLoader.notify`) or every ``interval_s``. A
  **micro-batch** is the bodies of one take whose events one connector reads
  (connectors/live/hook_records.py: every body's events go to one connector; SendGrid and WhatsApp
  have one, Twilio two — message and call callbacks). Each micro-batch is **one transaction and
  one ledger entry** (``loaded_by = "hook:<vendor>"``), which also records its bodies as loaded
  (store/live.py ``live_spool``) and the source's status. Only after the commit are the spool
  files deleted. Why not one transaction per take: a ledger entry names the one connector that
  read its file (``ingests.connector``; the load report and undo work per entry), and the store's
  writer (store/write.py, store/pg/load.py) opens and commits its own transaction per entry.
- A body holding no event (a WhatsApp template update) is recorded as loaded in the first
  micro-batch of its take that commits; only a take with no events at all (or whose every
  micro-batch was refused) records them in a transaction of their own.
- Restart safety: a body recorded as loaded but still on disk (the process died between the
  commit and the delete) is deleted, not loaded again; a body not recorded was rolled back and is
  loaded in full. Repeated deliveries of one event (vendors retry) collapse on the vendor's event
  key (``sg_event_id``; ``<wamid>:<status>``; ``<sid>:<status>`` or the CallSid), never counted twice.
- A micro-batch its connector refuses as a whole is retried body by body; a body that still cannot be
  loaded (or is not what the vendor sends) moves to ``failed/`` with its reason, and the source's
  last error says so. A write conflict inside the server leaves the bodies for the next tick.
- The store locked by another process (a ``pull`` or ``watch`` load) is waited for a moment, then
  tried again at the next tick; the spool keeps accepting bodies meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import duckdb

from connectors.base import Unreadable
from connectors.live import hook_records
from connectors.live.loading import load_records
from connectors.live.spool import Body, Spool
from store import live
from store.db import StoreError, open_store, write_conflicts

log = logging.getLogger("recall_ops.live.hooks")
KIND = {"sendgrid": "SendGrid Event Webhook", "whatsapp": "WhatsApp Cloud webhook", "twilio": "Twilio status callbacks"}


def source_name(vendor: str) -> str:
    return f"hook:{vendor}"


class HookLoader:
    """Loads the spool into the store at ``db`` until :meth:`stop`."""

    def __init__(
        self,
        spool: Spool,
        db: str | Path | None,
        interval_s: float = 0.5,
        max_bodies: int = 500,
        max_bytes: int = 32 * 1024**2,
        store_wait_s: float = 2.0,
        on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> None:
        self.spool, self.db = spool, db
        self.on_loaded = on_loaded  # called with the store after a batch that loaded bodies
        self.interval_s, self.max_bodies, self.max_bytes, self.store_wait_s = (
            interval_s,
            max_bodies,
            max_bytes,
            store_wait_s,
        )
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HookLoader:
        self._thread = threading.Thread(target=self._run, name="recall-ops-hook-loader", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def notify(self) -> None:
        """A body was spooled: load soon."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # a bug must not end the thread: the bodies stay spooled
                log.exception("webhook loader: unexpected error; bodies stay in the spool")
                self._stop.wait(5.0)
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def drain(self) -> int:
        """Load every pending body; the number of bodies handled (loaded, dropped or failed)."""
        handled = 0
        for vendor in hook_records.VENDORS:
            while not self._stop.is_set():
                paths = self.spool.pending(vendor, self.max_bodies)
                if not paths:
                    break
                n = self.load_batch(vendor, paths)
                handled += n
                if n == 0:  # the store is busy: next tick
                    return handled
        return handled

    def _take(self, vendor: str, paths: list[Path]) -> list[Body]:
        bodies, size = [], 0
        for p in paths:
            try:
                body = self.spool.read(p)
            except (ValueError, OSError) as e:
                self.spool.fail(vendor, p, str(e))
                continue
            if bodies and size + len(body.raw) > self.max_bytes:
                break
            bodies.append(body)
            size += len(body.raw)
        return bodies

    def load_batch(self, vendor: str, paths: list[Path]) -> int:
        """Load (at most) ``paths``; the number of bodies handled, 0 when the store was busy."""
        bodies = self._take(vendor, paths)
        if not bodies:
            return len(paths)
        try:
            with open_store(self.db, wait_s=self.store_wait_s) as con:
                handled = self._load(con, vendor, bodies)
                if handled and self.on_loaded is not None:
                    try:
                        self.on_loaded(con)
                    except Exception:  # evaluated again on the next load or by the scheduler
                        log.exception("after-load hook failed")
                return handled
        except StoreError as e:
            log.warning("webhook loader: store busy (%s); %d %s bodies wait", e, len(bodies), vendor)
            return 0

    def _load(self, con: duckdb.DuckDBPyConnection, vendor: str, bodies: list[Body]) -> int:
        names = [b.name for b in bodies]
        done = live.spooled(con, vendor, names)
        if done:  # loaded before a crash, deleted only now
            self.spool.remove([b.path for b in bodies if b.name in done])
            live.forget_spooled(con, vendor, sorted(done))
        groups: dict[ModuleType, list[tuple[Body, list[object]]]] = {}
        empty: list[Body] = []
        for body in (b for b in bodies if b.name not in done):
            try:
                recs = hook_records.records(vendor, body)
            except ValueError as e:
                self._fail(con, vendor, body, str(e))
                continue
            except Exception as e:  # a body no rule foresaw must not block the ones behind it
                self._fail(con, vendor, body, f"could not be read ({type(e).__name__})")
                continue
            if not recs:
                empty.append(body)
            for module, rec in recs:
                per_body = groups.setdefault(module, [])
                if not per_body or per_body[-1][0] is not body:
                    per_body.append((body, []))
                per_body[-1][1].append(rec)
        riders = empty  # bodies without events: marked in the first batch's transaction
        for module, items in groups.items():
            if self._load_group(con, vendor, module, items, riders):
                riders = []
        if riders:  # no batch committed with them (none had events, or each was refused)
            self._commit(con, vendor, riders, None)
            self._done(con, vendor, riders)
        return len(bodies)

    def _load_group(
        self,
        con: duckdb.DuckDBPyConnection,
        vendor: str,
        module: ModuleType,
        items: list[tuple[Body, list[object]]],
        riders: list[Body],
    ) -> bool:
        """One batch: ``items`` through ``module`` in one transaction with one ledger entry, which
        also marks ``riders`` (bodies without events) as loaded. True when it committed."""
        bodies = [b for b, _ in items]
        first = bodies[0].received_at.strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"hook-{vendor}-{first}-{len(bodies)}-bodies.ndjson"
        try:
            result = load_records(
                con,
                module,
                name,
                (r for _, recs in items for r in recs),
                source_name(vendor),
                also=self._also(vendor, bodies + riders),
            )
        except write_conflicts():
            raise  # a write conflict within this process: the bodies stay and load at the next tick
        except Exception as e:  # the connector (or the store's checks) refused the group
            if len(items) > 1:
                committed = False
                for item in items:
                    committed = self._load_group(con, vendor, module, [item], [] if committed else riders) or committed
                return committed
            reason = str(e) if isinstance(e, Unreadable) else f"{type(e).__name__}: {e}"
            self._fail(con, vendor, bodies[0], reason)
            return False
        log.info(
            "hook:%s loaded %d bodies as ingest %d: read=%d inserted=%d updated=%d unchanged=%d quarantined=%d",
            vendor,
            len(bodies),
            result.ingest_id,
            result.read,
            result.inserted,
            result.updated,
            result.unchanged,
            result.quarantined,
        )
        self._done(con, vendor, bodies + riders)
        return True

    def _done(self, con: duckdb.DuckDBPyConnection, vendor: str, bodies: list[Body]) -> None:
        """After the commit that marked ``bodies`` loaded: their spool files go, then their marks."""
        self.spool.remove([b.path for b in bodies])
        live.forget_spooled(con, vendor, [b.name for b in bodies])

    def _also(self, vendor: str, bodies: list[Body]) -> Callable[[duckdb.DuckDBPyConnection, int], None]:
        def record(con: duckdb.DuckDBPyConnection, ingest_id: int | None) -> None:
            live.mark_spooled(con, vendor, [b.name for b in bodies], ingest_id)
            newest = max(b.received_at for b in bodies)
            text = f"last batch: {len(bodies)} bodies, received up to {newest:%Y-%m-%d %H:%M:%S} UTC"
            live.report(con, source_name(vendor), KIND[vendor], ok=True, cursor_text=text, watermark_at=newest)

        return record

    def _commit(self, con: duckdb.DuckDBPyConnection, vendor: str, bodies: list[Body], ingest_id: int | None) -> None:
        con.execute("BEGIN TRANSACTION")
        try:
            self._also(vendor, bodies)(con, ingest_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _fail(self, con: duckdb.DuckDBPyConnection, vendor: str, body: Body, reason: str) -> None:
        dest = self.spool.fail(vendor, body.path, reason)
        message = f"a body received {body.received_at:%Y-%m-%d %H:%M:%S} UTC was not loaded: {reason} (kept as {dest})"
        log.warning("hook:%s %s", vendor, message)
        live.report(con, source_name(vendor), KIND[vendor], ok=False, state="degraded", error=message)
