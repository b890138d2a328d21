"""The dashboard keeps serving while another process holds the database for a load."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import ROOT
from streamlit.testing.v1 import AppTest


def test_pages_serve_the_last_numbers_while_another_process_loads(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    before = {m.label: m.value for m in at.metric}
    assert before and not at.exception
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        at.run()
        assert time.monotonic() - started < 10
        assert not at.exception, at.exception
        assert {m.label: m.value for m in at.metric} == before
        assert any("database is busy" in c.value for c in at.caption)
    finally:
        holder.kill()
        holder.wait()
    at.run()
    assert not any("database is busy" in c.value for c in at.caption)
