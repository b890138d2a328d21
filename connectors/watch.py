"""Inbox folder: ``python -m connectors watch DIR --db FILE [--interval S] [--recall ID] [--tz ZONE] [--once]``.

Rules:

- **Which files.** Regular files directly in DIR. Names starting with ``.`` or ending in ``.part``,
  ``.tmp`` or ``.crdownload`` are never loaded (still being written); sub-folders are not entered.
  A symbolic link is never followed: the link itself moves to ``failed/`` with a reason, and what
  it points to is neither read nor moved.
- **Complete.** A file is loaded once its size and mtime are unchanged across two consecutive polls,
  or at once when it appears as ``X`` while ``X.part`` (``.tmp``, ``.crdownload``) was seen in the
  previous poll and is now gone (renamed when done).
- **Loading.** Each file goes through the ``ingest`` code path (``connectors.load.expand`` and
  ``ingest_file``: one transaction per loaded file). A ``.zip`` or ``.gz`` is one inbox file even
  when it expands to several loads; recall definitions (TOML) complete at one poll load first. The
  database is opened for the batch of files complete at one poll and closed right after, so the
  dashboard can open it between polls; a database locked by another process is reported and tried
  again at the next poll.
- **Moves.** Then the file moves to ``DIR/loaded/`` (every part read) or ``DIR/failed/`` (any part
  unreadable), with ``<name>.reason.txt`` beside it: per load what ``ingest`` prints (connector,
  read / inserted / updated / unchanged / quarantined, warnings, the first quarantine lines), or the
  error messages — personal data masked by pattern (connectors/redact.py). A name already taken
  there gets a timestamp (and a counter), so nothing is overwritten.
- **Restart safety.** Watch loads are written to the ledger with ``loaded_by = "watch:<user>"``.
  Before loading, a file (an archive: each member) whose sha256 is in the ledger from a watch load
  that was not undone is not loaded again: it counts as loaded, with a reason saying so. A watcher
  killed after a load committed but before the move therefore loads nothing twice on restart, and
  one killed mid-load was rolled back, so the file loads in full. The same content dropped again
  later is reported as already loaded too (undo the earlier upload, or use ``ingest``, to reload).
- **Alerts.** After a poll that loaded a file, the alert rules are evaluated (docs/alerts.md#evaluation).
- **Stopping.** SIGINT/SIGTERM stop after the file in hand, exit 0. ``--once`` polls twice,
  ``interval`` apart, handles what is complete and exits: 0, or 1 if a file failed or the database
  was locked (the files stay in DIR for the next run).
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.base import SourceFile, Unreadable, file_sha256
from connectors.load import Failure, LedgerGroups, expand, ingest_file
from connectors.longlines import digest_path
from connectors.reading import date_format_arg
from connectors.redact import mask_text, report_lines
from store.db import StoreError, check_path, connect
from store.ledger import loaded_before
from store.pg.engine import is_postgres
from store.signals import stop_on_signals

PARTIAL = (".part", ".tmp", ".crdownload")
LOADER_PREFIX = "watch:"


@dataclass
class Outcome:
    """What happened to one inbox file."""

    name: str
    ok: bool
    lines: list[str]
    moved_to: Path


def _out(line: str) -> None:
    print(line, flush=True)


class Watcher:
    """Polls ``inbox``; :meth:`step` loads and moves the files that are complete."""

    def __init__(
        self,
        inbox: str | Path,
        db: str | Path | None,
        recall_id: str | None = None,
        tz: str | None = None,
        out: Callable[[str], None] = _out,
        date_format: str | None = None,
        on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> None:
        self.inbox, self.db, self.recall_id, self.tz, self.out = Path(inbox), db, recall_id, tz, out
        self.date_format = date_format
        self.on_loaded = on_loaded  # called with the open store after a poll that loaded a file
        self.stop = threading.Event()
        self._seen: dict[str, tuple[int, int]] = {}
        self._partial: set[str] = set()

    def poll(self) -> list[Path]:
        """The files complete at this poll (unchanged since the last poll, or just renamed), TOML first."""
        stats: dict[str, tuple[int, int]] = {}
        partial: set[str] = set()
        links: list[Path] = []
        for p in self.inbox.iterdir():
            try:
                st = p.lstat()  # the entry itself: a symbolic link is never followed
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode) and not p.name.startswith("."):
                links.append(p)
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if p.name.startswith(".") or p.name.lower().endswith(PARTIAL):
                partial.add(p.name)
                continue
            stats[p.name] = (st.st_size, st.st_mtime_ns)

        def renamed(name: str) -> bool:
            return any(name + s in self._partial and name + s not in partial for s in PARTIAL)

        ready = [n for n, s in stats.items() if self._seen.get(n) == s or (n not in self._seen and renamed(n))]
        ready.sort(key=lambda n: (not n.lower().endswith(".toml"), n))  # recall definitions first, as in ingest
        self._seen, self._partial = stats, partial
        return sorted(links) + [self.inbox / n for n in ready]

    def step(self) -> list[Outcome] | None:
        """One poll: load and move the complete files. ``None`` when the database is locked."""
        ready = self.poll()
        if not ready:
            return []
        try:
            con = connect(self.db)
        except StoreError as e:
            if "lock" not in str(e).lower():
                raise
            self.out(f"database in use by another process, {len(ready)} file(s) wait for the next poll: {e}")
            return None
        try:
            outcomes = [self.handle(con, p) for p in ready if not self.stop.is_set() and (p.is_symlink() or p.exists())]
            if self.on_loaded and any(o.ok for o in outcomes):
                self.on_loaded(con)
            return outcomes
        finally:
            con.close()

    def handle(self, con: duckdb.DuckDBPyConnection, path: Path) -> Outcome:
        """Load every part of ``path``, move it to loaded/ or failed/ and write its reason file; a
        symbolic link is moved (the link itself) to failed/ unread."""
        lines: list[str] = []
        errors: list[str] = []
        if path.is_symlink():
            errors.append(
                f"{path.name}: a symbolic link; the inbox loads only files placed in it, never what a link points to"
            )
            return self._finish(path, errors, lines)
        groups = LedgerGroups()  # an archive's files: one ledger group, one undo
        with expand([path]) as items:
            for item in items:
                if isinstance(item, Failure):
                    errors.append(item.message)
                    continue
                try:
                    lines.extend(self._load(con, item, groups))
                except Unreadable as e:
                    errors.append(str(e))
                except Exception as e:  # a connector or store bug must not stop the watcher
                    errors.append(f"{item.name}: not loaded ({type(e).__name__}: {e})")
        if not lines and not errors:
            errors.append(f"{path.name}: nothing to load in this file")
        return self._finish(path, errors, lines)

    def _finish(self, path: Path, errors: list[str], lines: list[str]) -> Outcome:
        errors = [mask_text(e) for e in errors]  # the reason file and the log carry no personal data
        dest = _move(path, self.inbox / ("failed" if errors else "loaded"))
        reason_path(dest).write_text("\n".join([*errors, *lines]) + "\n", encoding="utf-8")
        where = f"{dest.parent.name}/{dest.name}"
        for line in [*(f"FAILED {e}" for e in errors), *lines]:
            self.out(line if line.startswith("  ") else f"{line} → {where}")
        return Outcome(path.name, not errors, [*errors, *lines], dest)

    def _load(self, con: duckdb.DuckDBPyConnection, item: SourceFile, groups: LedgerGroups) -> list[str]:
        prior = loaded_before(con, file_sha256(digest_path(item)), LOADER_PREFIX)
        if prior:
            ingest_id, at, _by = prior
            return [f"{item.name}: already loaded (ingest {ingest_id} at {at:%Y-%m-%d %H:%M:%S}), not loaded again"]
        loader = LOADER_PREFIX + getpass.getuser()
        r = groups.noted(
            item,
            ingest_file(
                con,
                item,
                self.recall_id,
                self.tz,
                loaded_by=loader,
                group_id=groups.of(item),
                date_format=self.date_format,
            ),
        )
        return report_lines(r)


def reason_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".reason.txt")


def _move(src: Path, folder: Path) -> Path:
    """Move ``src`` into ``folder`` under a name whose file and reason file are both free."""
    folder.mkdir(exist_ok=True)
    base, dot, ext = src.name.partition(".")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    dest, n = folder / src.name, 0
    while os.path.lexists(dest) or reason_path(dest).exists():
        n += 1
        dest = folder / f"{base}.{stamp}{f'-{n}' if n > 1 else ''}{dot}{ext}"
    shutil.move(src, dest)
    return dest


def run(
    inbox: str | Path,
    db: str | Path | None,
    interval: float = 2.0,
    once: bool = False,
    recall_id: str | None = None,
    tz: str | None = None,
    date_format: str | None = None,
) -> int:
    """Watch ``inbox`` until SIGINT/SIGTERM (exit 0), or with ``once`` poll twice and exit."""
    if not Path(inbox).is_dir():
        print(f"error: {inbox}: no such folder")
        return 2
    if db is not None and not is_postgres(db):
        check_path(db)  # a database URL other than PostgreSQL's is refused before the first poll (StoreError)
    from alerts.scheduler import after_load  # the command wires alerts in; Watcher itself does not import it

    w = Watcher(inbox, db, recall_id, tz, date_format=date_format, on_loaded=after_load)
    status, polls = 0, 0
    with stop_on_signals(w.stop):
        if not once:
            w.out(f"watching {inbox} every {interval:g} s (Ctrl-C to stop)")
        while not w.stop.is_set():
            outcomes = w.step()
            polls += 1
            if outcomes is None or any(not o.ok for o in outcomes):
                status = 1
            if once and polls >= 2:
                break
            w.stop.wait(interval)
    return status if once else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``watch`` subcommand."""
    p = sub.add_parser("watch", help="load the files that land in an inbox folder")
    p.add_argument("dir")
    p.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between polls (default 2)")
    p.add_argument("--recall", help="recall id for files that name none")
    p.add_argument("--tz", help="IANA zone for timestamps without an offset (default: the recall's)")
    p.add_argument("--once", action="store_true", help="handle what is complete now, then exit")
    p.add_argument(
        "--date-format",
        type=date_format_arg,
        help="day-first or month-first, for numeric dates the values do not decide",
    )


def main(args: argparse.Namespace) -> int:
    return run(args.dir, args.db, args.interval, args.once, args.recall, args.tz, args.date_format)
