"""A ``--db`` value that is not a file path (a database URL) is refused before anything is created
(issue 12, item 7): by the ingest, watch, mapping and report commands, and from $RECALL_OPS_DB —
except a PostgreSQL URL, which opens the PostgreSQL store (issue 20, tests/test_pg_store.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from store.db import StoreError, check_path, connect

URLS = [
    "mysql+pymysql://analyst:s3cret@db.example.com:3306/recall",
    "sqlite:///recall.db",
    "md:recall_ops",
    "s3://bucket/recall.duckdb",
]


@pytest.mark.parametrize("url", URLS)
def test_connect_refuses_a_url(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="not a file path") as e:
        connect(url)
    assert "s3cret" not in str(e.value)  # the address is not echoed (it may carry a password)
    assert list(tmp_path.iterdir()) == []  # no folder named after the URL


def test_file_paths_still_open(tmp_path: Path) -> None:
    assert check_path("C:\\data\\recall.duckdb") == Path("C:\\data\\recall.duckdb")  # a Windows drive
    con = connect(tmp_path / "store.duckdb")
    con.close()
    assert (tmp_path / "store.duckdb").exists()


def _run(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


def test_commands_refuse_a_url_with_a_clear_message(tmp_path: Path) -> None:
    export = ROOT / "tests" / "fixtures" / "connectors" / "zendesk_csv.csv"
    (tmp_path / "inbox").mkdir()
    url = URLS[0]
    runs = [
        _run(tmp_path, "-m", "connectors", "ingest", str(export), "--db", url),
        _run(tmp_path, "-m", "connectors", "watch", "inbox", "--db", url, "--once", "--interval", "0"),
        _run(tmp_path, "-m", "connectors", "mapping", "list", "--db", url),
        _run(tmp_path, "-m", "metrics", "report", "--db", url),
        _run(tmp_path, "-m", "metrics", "report", env={"RECALL_OPS_DB": url}),
    ]
    for r in runs:
        assert r.returncode == 2, r.stdout + r.stderr
        assert "'mysql+pymysql:…' is a database address, not a file path" in r.stderr
        assert "Traceback" not in r.stderr and "s3cret" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox"]
