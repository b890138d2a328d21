"""Staging folders of uploads (customer data on the server's disk) and their sweeping.

The dashboard stages uploads in folders of the temp directory: a ticket's folder
(``recall-ops-stream-*``, ui/disk_upload.py), the uploader's files of a session
(``recall-ops-widget-*``) and the files unpacked from a session's uploads
(``recall-ops-unpacked-*``, ui/upload.py). Each is made by :func:`make`, which writes the server
process's id into it (``.recall-ops-owner``) and, for a session's folders, remembers the session.

A folder is **stale**, and :func:`sweep` deletes it, when:
- its owner process is no longer running (a server stopped or killed: at start-up nothing of it
  is in use), or it names no owner and is older than ``STALE_AFTER_S``;
- it is this process's, and its session has ended or its ticket has lapsed (disk_upload.sweep).
A folder of another running server is left alone.

:func:`start` runs a sweep at once (start-up) and then every ``SWEEP_EVERY_S`` seconds
(``$RECALL_OPS_STAGING_SWEEP_S``) on a daemon thread, once per server process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

PREFIXES = ("recall-ops-stream-", "recall-ops-widget-", "recall-ops-unpacked-")
OWNER = ".recall-ops-owner"
STALE_AFTER_S = 3600.0
SWEEP_EVERY_S = float(os.environ.get("RECALL_OPS_STAGING_SWEEP_S") or 600)

_sessions: dict[str, str] = {}  # folder → the session it belongs to (this process)
_lock = threading.Lock()
_started = False


def make(prefix: str, session_id: str | None = None) -> Path:
    """A new staging folder with ``prefix`` (one of :data:`PREFIXES`), owned by this process and,
    when given, by the session ``session_id``."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / OWNER).write_text(str(os.getpid()))
    if session_id:
        with _lock:
            _sessions[str(folder)] = session_id
    return folder


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / OWNER).read_text().strip())
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


def _age_s(folder: Path, now: float) -> float:
    try:
        return now - max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
    except OSError:
        return 0.0


def sweep(in_use: set[str] = frozenset(), session_active=lambda _sid: True) -> list[Path]:
    """Delete the stale staging folders (module docstring); ``in_use``: this process's folders
    still in use (live tickets); ``session_active``: whether a session id is still connected.
    Returns the folders deleted."""
    now = time.time()
    me = os.getpid()
    gone: list[Path] = []
    with _lock:
        sessions = dict(_sessions)
    for folder in Path(tempfile.gettempdir()).iterdir():
        if not folder.name.startswith(PREFIXES) or not folder.is_dir() or folder.is_symlink():
            continue
        owner = _owner(folder)
        if owner is None:
            stale = _age_s(folder, now) > STALE_AFTER_S
        elif owner != me:
            stale = not _running(owner)
        elif str(folder) in in_use:
            stale = False
        elif str(folder) in sessions:
            stale = not session_active(sessions[str(folder)])
        else:
            stale = folder.name.startswith(PREFIXES[0])  # a ticket's folder no live ticket holds
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    with _lock:
        for folder in gone:
            _sessions.pop(str(folder), None)
    return gone


def start(sweep_now) -> None:
    """Run ``sweep_now()`` at once and then every ``SWEEP_EVERY_S`` seconds on a daemon thread;
    once per process (later calls do nothing)."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    sweep_now()

    def loop() -> None:
        while True:
            time.sleep(SWEEP_EVERY_S)
            try:
                sweep_now()
            except Exception:  # a sweep that fails is tried again at the next period
                pass

    threading.Thread(target=loop, name="recall-ops-staging-sweep", daemon=True).start()
