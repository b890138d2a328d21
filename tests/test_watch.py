"""The inbox watcher (connectors/watch.py): completeness, moves, reason files, restart safety, locks."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pytest

from connectors.watch import Watcher
from store.db import connect

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "metrics"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    return d


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


def drop(inbox: Path, *names: str) -> None:
    for n in names:
        shutil.copy(FIXTURES / n, inbox / n)


def query(db: Path, sql: str) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def ledger(db: Path) -> dict[str, int]:
    """Ledger rows per file name."""
    return dict(query(db, "SELECT file_name, count(*) FROM ingests GROUP BY file_name"))


def watch_cli(inbox: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "connectors", "watch", str(inbox), "--db", str(db), "--interval", "0.2", *extra]


def run_once(inbox: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(watch_cli(inbox, db, "--once"), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)


class Proc:
    """A background process whose output lines can be waited for."""

    def __init__(self, args: list[str]) -> None:
        self.p = subprocess.Popen(
            args, cwd=ROOT, env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(ln) for ln in self.p.stdout], daemon=True).start()

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed within {timeout} s; output: {self.seen}")

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def wait_until(check, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_complete_files_are_loaded_and_moved_with_a_reason(inbox, db):
    drop(inbox, "contacts.csv", "recall.toml")
    r = run_once(inbox, db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "contacts.csv: canonical_csv read=14 inserted=14" in r.stdout
    assert sorted(p.name for p in inbox.iterdir()) == ["loaded"]
    loaded = inbox / "loaded"
    assert (loaded / "contacts.csv").read_bytes() == (FIXTURES / "contacts.csv").read_bytes()
    reason = (loaded / "contacts.csv.reason.txt").read_text()
    assert reason.strip() == "contacts.csv: canonical_csv read=14 inserted=14 updated=0 unchanged=0 quarantined=0"
    assert ledger(db) == {"recall.toml": 1, "contacts.csv": 1}
    # the recall definition loaded first, so the contacts were read against it
    first = query(db, "SELECT file_name FROM ingests ORDER BY ingest_id")[0][0]
    assert first == "recall.toml"
    assert query(db, "SELECT count(*) FROM contacts") == [(14,)]
    assert all(by.startswith("watch:") for (by,) in query(db, "SELECT loaded_by FROM ingests"))


def test_unreadable_file_goes_to_failed_with_the_message(inbox, db):
    (inbox / "notes.txt").write_text("just some words\nnothing tabular\n")
    r = run_once(inbox, db)
    assert r.returncode == 1
    assert "FAILED notes.txt: no connector recognises this file" in r.stdout
    reason = (inbox / "failed" / "notes.txt.reason.txt").read_text()
    assert "notes.txt: no connector recognises this file" in reason
    assert (inbox / "failed" / "notes.txt").exists() and not (inbox / "notes.txt").exists()
    assert ledger(db) == {}


def test_partial_and_hidden_files_wait_until_renamed(inbox, db):
    out: list[str] = []
    w = Watcher(inbox, db, out=out.append)
    shutil.copy(FIXTURES / "contacts.csv", inbox / "contacts.csv.part")
    (inbox / ".hidden.csv").write_text((FIXTURES / "contacts.csv").read_text())
    (inbox / "x.csv.tmp").write_text((FIXTURES / "contacts.csv").read_text())
    for _ in range(3):
        assert w.step() == []
    (inbox / "contacts.csv.part").rename(inbox / "contacts.csv")
    [outcome] = w.step()  # renamed from .part: complete at once, no second poll needed
    assert outcome.ok and outcome.moved_to == inbox / "loaded" / "contacts.csv"
    assert (inbox / ".hidden.csv").exists() and (inbox / "x.csv.tmp").exists()
    assert ledger(db) == {"contacts.csv": 1}


def test_growing_file_waits_until_stable(inbox, db):
    w = Watcher(inbox, db, out=lambda _: None)
    text = (FIXTURES / "contacts.csv").read_text()
    target = inbox / "contacts.csv"
    target.write_text(text[: len(text) // 2])
    assert w.step() == []
    with target.open("a") as f:
        f.write(text[len(text) // 2 :])
    assert w.step() == []  # size changed since the last poll
    [outcome] = w.step()
    assert outcome.ok
    assert query(db, "SELECT rows_read FROM ingests") == [(14,)]


def test_zip_is_one_file_and_collisions_keep_earlier_files(inbox, db):
    with zipfile.ZipFile(inbox / "drop.zip", "w") as z:
        for n in ("recall.toml", "contacts.csv"):
            z.write(FIXTURES / n, n)
    w = Watcher(inbox, db, out=lambda _: None)
    w.step()
    [outcome] = w.step()
    assert outcome.ok and outcome.moved_to.name == "drop.zip"
    assert len((inbox / "loaded" / "drop.zip.reason.txt").read_text().splitlines()) == 2
    assert ledger(db) == {"drop.zip/recall.toml": 1, "drop.zip/contacts.csv": 1}
    # the same name again: kept apart, and the same content is not loaded twice
    drop(inbox, "contacts.csv")
    shutil.copy(FIXTURES / "contacts.csv", inbox / "loaded" / "contacts.csv")
    w.step()
    [again] = w.step()
    assert again.moved_to.name.startswith("contacts.") and again.moved_to.name != "contacts.csv"
    assert "already loaded" in (again.moved_to.parent / (again.moved_to.name + ".reason.txt")).read_text()
    assert (inbox / "loaded" / "contacts.csv").exists()
    assert ledger(db) == {"drop.zip/recall.toml": 1, "drop.zip/contacts.csv": 1}


CRASH_AFTER_COMMIT = """
    import os, signal, sys
    import connectors.watch as w
    real = w._move
    def move(src, folder):
        if src.name == "contacts.csv":  # the load has committed; die before the file is moved
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, folder)
    w._move = move
    from connectors.__main__ import main
    sys.exit(main(sys.argv[1:]))
"""

CRASH_INSIDE_ZIP = """
    import os, signal, sys
    import connectors.watch as w
    real = w.ingest_file
    def ingest_file(con, item, *a, **k):
        if item.name.endswith("notifications.csv"):  # two members committed, the third never started
            os.kill(os.getpid(), signal.SIGKILL)
        return real(con, item, *a, **k)
    w.ingest_file = ingest_file
    from connectors.__main__ import main
    sys.exit(main(sys.argv[1:]))
"""


def crash(script: str, inbox: Path, db: Path) -> None:
    args = [sys.executable, "-c", textwrap.dedent(script), *watch_cli(inbox, db, "--once")[3:]]
    r = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert r.returncode == -signal.SIGKILL, r.stdout + r.stderr


def test_killed_between_commit_and_move_loads_nothing_twice(inbox, db):
    drop(inbox, "recall.toml", "contacts.csv")
    crash(CRASH_AFTER_COMMIT, inbox, db)
    assert (inbox / "contacts.csv").exists()  # committed but not moved
    assert ledger(db) == {"recall.toml": 1, "contacts.csv": 1}

    r = run_once(inbox, db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "contacts.csv: already loaded" in r.stdout
    assert "already loaded" in (inbox / "loaded" / "contacts.csv.reason.txt").read_text()
    assert not (inbox / "contacts.csv").exists()
    assert ledger(db) == {"recall.toml": 1, "contacts.csv": 1}
    assert query(db, "SELECT count(*) FROM contacts") == [(14,)]


def test_killed_inside_a_zip_loads_only_the_rest_on_restart(inbox, db):
    with zipfile.ZipFile(inbox / "drop.zip", "w") as z:
        for n in ("recall.toml", "contacts.csv", "notifications.csv"):
            z.write(FIXTURES / n, n)
    crash(CRASH_INSIDE_ZIP, inbox, db)
    assert ledger(db) == {"drop.zip/recall.toml": 1, "drop.zip/contacts.csv": 1}

    r = run_once(inbox, db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ledger(db) == {"drop.zip/recall.toml": 1, "drop.zip/contacts.csv": 1, "drop.zip/notifications.csv": 1}
    assert query(db, "SELECT count(*) FROM contacts") == [(14,)]
    reason = (inbox / "loaded" / "drop.zip.reason.txt").read_text()
    assert reason.count("already loaded") == 2 and "notifications.csv: canonical_csv" in reason


def test_once_on_an_empty_folder_exits_0(inbox, db):
    r = run_once(inbox, db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(inbox.iterdir()) == []


def test_missing_folder_is_an_error(tmp_path, db):
    r = run_once(tmp_path / "nope", db)
    assert r.returncode == 2 and "no such folder" in r.stdout


def test_locked_database_is_retried_and_sigterm_exits_0(inbox, db):
    hold = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline()"
    holder = Proc([sys.executable, "-c", hold, str(db)])  # a write connection until it reads a line
    watcher = None
    try:
        holder.wait_for("held")
        drop(inbox, "contacts.csv")
        watcher = Proc(watch_cli(inbox, db))
        watcher.wait_for("database in use by another process")
        assert (inbox / "contacts.csv").exists() and watcher.p.poll() is None
        holder.p.stdin.write("\n")
        holder.p.stdin.flush()
        assert holder.p.wait(timeout=15) == 0
        watcher.wait_for("contacts.csv: canonical_csv read=14 inserted=14")
        wait_until(lambda: (inbox / "loaded" / "contacts.csv.reason.txt").exists())
        watcher.p.send_signal(signal.SIGTERM)
        assert watcher.p.wait(timeout=15) == 0
    finally:
        holder.stop()
        if watcher:
            watcher.stop()
    assert ledger(db) == {"contacts.csv": 1}


def test_sigint_exits_0(inbox, db):
    watcher = Proc(watch_cli(inbox, db))
    try:
        watcher.wait_for("watching")
        watcher.p.send_signal(signal.SIGINT)
        assert watcher.p.wait(timeout=15) == 0
    finally:
        watcher.stop()


def test_a_symbolic_link_is_never_followed_out_of_the_inbox(tmp_path):
    """Issue 13 item 14: the link moves to failed/ with a reason; its target is not read (its first
    line is not echoed into the reason file) and stays where it is."""
    from connectors.watch import Watcher

    secret = tmp_path / "outside" / "secrets.csv"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:TOP-SECRET-LINE\n1,2\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "looks_like_an_export.csv").symlink_to(secret)
    w = Watcher(inbox, tmp_path / "w.duckdb", out=lambda _line: None)
    (outcome,) = w.step()
    assert not outcome.ok
    moved = inbox / "failed" / "looks_like_an_export.csv"
    assert moved.is_symlink() and secret.read_text().startswith("root:x")
    reason = (inbox / "failed" / "looks_like_an_export.csv.reason.txt").read_text()
    assert "a symbolic link" in reason and "TOP-SECRET" not in reason
    assert w.step() == []
