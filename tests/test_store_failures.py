"""A store that cannot be written, a damaged store file and a full disk (issue 13 item 19): clear
messages from the dashboard, ``ingest`` and ``metrics report``, never a traceback, and the store
file as it was. Real files: a read-only folder (a read-only bind mount when the tests run as
root, whom file modes do not stop), a truncated copy of a real store, and a disk that fills up (a
small tmpfs when it can be mounted; else a file-size limit on the process)."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import METRIC_FIXTURES, ROOT, plain
from streamlit.testing.v1 import AppTest

from connectors.load import ingest_paths
from store.db import connect


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec)  # fmt: skip


@contextmanager
def read_only_folder(folder: Path):
    """``folder`` and its files cannot be written while the block runs."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without the right to mount: cannot make a file read-only for root")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def fixture_store(tmp_path, monkeypatch):
    """The metrics fixture in a store file alone in its folder, used by the app under test."""
    import ui.data

    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "app.duckdb"
    con = connect(path)
    ingest_paths(con, [METRIC_FIXTURES])
    con.close()
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    monkeypatch.setattr(ui.data, "_READ_ONLY", set())
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    return path


def test_a_read_only_store_is_shown_and_not_changed(fixture_store, tmp_path):
    before = sha(fixture_store)
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "source,source_id,recall_id,channel,direction,created_at\nfive9,ro1,R1,phone,inbound,2026-03-03T10:00:00Z\n"
    )
    with read_only_folder(fixture_store.parent):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception, at.exception
        assert {m.label.split(" (")[0]: m.value for m in at.metric}["Contacts"] == "12"  # the data, read-only
        assert any("cannot be written" in plain(w.value) for w in at.warning)
        for page in ("pages/upload.py", "pages/settings.py"):
            at.switch_page(page).run()
            assert not at.exception, at.exception
            assert any("loading files, undo and saving settings are not possible" in plain(e.value) for e in at.error)
        run = cli("-m", "connectors", "ingest", str(extra), "--db", str(fixture_store))
        assert run.returncode == 2 and "the database file cannot be written" in run.stderr
        report = cli("-m", "metrics", "report", "--db", str(fixture_store), "--recall", "R1")
        assert report.returncode == 0 and "R1 as of" in report.stdout
        assert "Traceback" not in run.stderr + report.stderr
    assert sha(fixture_store) == before


def test_a_truncated_store_gives_a_clear_message_everywhere_and_is_left_as_it_is(fixture_store, tmp_path):
    os.truncate(fixture_store, fixture_store.stat().st_size // 2)
    before = sha(fixture_store)
    report = cli("-m", "metrics", "report", "--db", str(fixture_store), "--recall", "R1")
    assert report.returncode == 2 and "the database file is damaged or unreadable" in report.stderr
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "source,source_id,recall_id,channel,direction,created_at\nfive9,t1,R1,phone,inbound,2026-03-03T10:00:00Z\n"
    )
    run = cli("-m", "connectors", "ingest", str(extra), "--db", str(fixture_store))
    assert run.returncode in (1, 2) and (
        "damaged or unreadable" in run.stderr or "could not be read or written" in run.stdout
    )
    assert "Traceback" not in report.stderr + run.stderr
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert any(plain(e.value).startswith("The store cannot be") and "damaged" in plain(e.value) for e in at.error)
    assert sha(fixture_store) == before


def big_csv(path: Path, rows: int) -> Path:
    with open(path, "w") as fh:
        fh.write("source,source_id,recall_id,channel,direction,created_at,reason\n")
        for i in range(rows):
            fh.write(f"five9,full-{i},R1,phone,inbound,2026-03-03T10:00:00Z,{'r' * 60}\n")
    return path


def counts(db: Path) -> tuple:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM ingests)").fetchall()[0]
    finally:
        con.close()


@contextmanager
def small_disk(folder: Path, size_mb: int):
    """``folder`` on a tmpfs of ``size_mb`` MB (root with the right to mount), else skip."""
    folder.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)], capture_output=True
        ).returncode
    ):
        pytest.skip("cannot mount a small tmpfs here; the file-size-limit variant covers a write failure")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("how", ["full tmpfs", "file size limit"])
def test_a_disk_that_fills_up_mid_load_gives_a_clear_message_and_an_intact_store(fixture_store, tmp_path, how):
    data = big_csv(tmp_path / "big.csv", 200_000)
    small = big_csv(tmp_path / "small.csv", 3)
    if how == "full tmpfs":
        disk = tmp_path / "disk"
        ctx = small_disk(disk, 8)
    else:
        disk, ctx = fixture_store.parent, None
    with ctx if ctx else _nothing():
        db = disk / "app.duckdb"
        if db != fixture_store:
            shutil.copy(fixture_store, db)
        before = counts(db)
        preexec = _limit_file_size(db.stat().st_size + 256 * 1024) if how == "file size limit" else None
        run = cli("-m", "connectors", "ingest", str(data), str(small), "--db", str(db), preexec=preexec)
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert run.returncode == 1
        assert "FAILED big.csv: not loaded, the store could not be read or written" in run.stdout
        assert "FAILED small.csv: not loaded, the store could not be read or written" in run.stdout
        if how == "full tmpfs":
            shutil.copy(db, tmp_path / "after.duckdb")  # read it where there is room for DuckDB's own files
            db = tmp_path / "after.duckdb"
            for wal in disk.glob("app.duckdb.wal"):
                shutil.copy(wal, tmp_path / "after.duckdb.wal")
        assert counts(db) == before  # the failed file left nothing; the store opens as it was


@contextmanager
def _nothing():
    yield
