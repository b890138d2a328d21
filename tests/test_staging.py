"""Upload staging folders are swept at start-up and on a schedule (issue 13 item 20): a real
`streamlit run serve.py` with its own temp directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from browser.harness import Server

from ui import staging


def folder(tmp, name: str, owner: int | None, age_s: float = 0) -> object:
    path = tmp / name
    path.mkdir()
    (path / "calls.csv").write_text("customer_email\nann@example.com\n")
    if owner is not None:
        (path / staging.OWNER).write_text(str(owner))
    if age_s:
        then = time.time() - age_s
        for p in (*path.iterdir(), path):
            os.utime(p, (then, then))
    return path


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def wait_until(check, timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return check()


def test_a_server_sweeps_stale_staging_folders_at_start_and_on_a_schedule(tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    left = folder(tmp, "recall-ops-stream-left", dead_pid())  # a stopped server's upload
    widget = folder(tmp, "recall-ops-widget-left", dead_pid())
    old = folder(tmp, "recall-ops-unpacked-old", None, age_s=2 * 3600)  # no owner, two hours old
    other = folder(tmp, "recall-ops-stream-other", os.getpid())  # another running process's
    recent = folder(tmp, "recall-ops-unpacked-recent", None)  # no owner, just made
    unrelated = folder(tmp, "someone-elses", dead_pid())
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("RECALL_OPS_STAGING_SWEEP_S", "1")
    srv = Server(tmp_path / "app.duckdb", tmp_path / "streamlit.log")
    srv.start()
    try:
        assert wait_until(lambda: not left.exists() and not widget.exists() and not old.exists())
        assert other.exists() and recent.exists() and unrelated.exists()
        later = folder(tmp, "recall-ops-unpacked-later", dead_pid())  # appears while the server runs
        assert wait_until(lambda: not later.exists(), 20), "the scheduled sweep did not run"
        assert other.exists() and recent.exists()
    finally:
        srv.stop()
