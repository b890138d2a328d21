"""The dashboard on the PostgreSQL store (``RECALL_OPS_DB`` a PostgreSQL URL, docs/deployment.md):
every page draws from PostgreSQL exactly what it draws from the DuckDB file holding the same
fixture, and a file uploaded through the Upload page lands in PostgreSQL (AppTest; the browser and
two servers: tests/browser/test_pg_servers.py)."""

from __future__ import annotations

import pytest
from conftest import METRIC_FIXTURES, ROOT, plain
from streamlit.testing.v1 import AppTest

import ui.data
from store.db import connect
from ui.navigation import PAGES

AS_OF = "2026-03-08T12:00:00Z"  # a fixed report time: both runs read the same moment


@pytest.fixture
def pg_url(pg_server, pg_metrics_template, monkeypatch, tmp_path) -> str:
    """A PostgreSQL database holding the metrics fixture, served by the app under test."""
    url = pg_server.create(f"d{pg_server.next_name()}", template=pg_metrics_template)
    monkeypatch.setattr(ui.data, "SAMPLE_DIR", tmp_path / "no-sample")
    return url


VOLATILE = ("loaded at (UTC)",)  # when each copy of the fixture was loaded


def table(frame) -> list[list]:
    """A shown table as plain values: header first, NaN as None, arrays as lists."""
    frame = frame.drop(columns=[c for c in VOLATILE if c in frame.columns])
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    return [list(frame.columns), *[[v.tolist() if hasattr(v, "tolist") else v for v in r] for r in rows]]


def drawn(page: str) -> dict:
    """What a person reads on ``page`` (as of :data:`AS_OF`): tiles, tables, messages."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = AS_OF
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return {
        "tiles": [(m.label, m.value, m.proto.delta) for m in at.metric],
        "tables": [table(d.value) for d in at.dataframe],
        "errors": [e.value for e in at.error],
        "headers": [h.value for h in at.header] + [h.value for h in at.subheader],
    }


def test_every_page_draws_the_same_from_postgresql_as_from_duckdb(pg_url, metrics_template, tmp_path, monkeypatch):
    import shutil

    duck = tmp_path / "app.duckdb"
    shutil.copyfile(metrics_template, duck)
    for page in PAGES:
        monkeypatch.setenv("RECALL_OPS_DB", str(duck))
        want = drawn(page.script)
        monkeypatch.setenv("RECALL_OPS_DB", pg_url)
        got = drawn(page.script)
        assert got == want, page.name
        assert not [e for e in got["errors"] if "store" in e], (page.name, got["errors"])
    assert any(t for t in want.values()), "the last page drew nothing to compare"


def test_a_file_uploaded_through_the_page_lands_in_postgresql(pg_server, monkeypatch, tmp_path):
    url = pg_server.fresh()
    monkeypatch.setattr(ui.data, "SAMPLE_DIR", tmp_path / "no-sample")
    monkeypatch.setenv("RECALL_OPS_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["upload_seed"] = [(n, (METRIC_FIXTURES / n).read_bytes()) for n in ("contacts.csv", "recall.toml")]
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    (frame,) = [d.value for d in at.dataframe if {"file", "ingest_id", "inserted"} <= set(d.value.columns)]
    assert {r["file"]: r["inserted"] for r in frame.to_dict("records")} == {"recall.toml": 1, "contacts.csv": 14}
    con = connect(url)
    assert con.execute("SELECT count(*) FROM contacts").fetchall() == [(14,)]
    assert con.execute("SELECT DISTINCT loaded_by FROM ingests").fetchall() == [("open mode (localhost)",)]
    con.close()
    at.switch_page("pages/overview.py").run()  # the Overview reads it at once
    tiles = {m.label.split(" (")[0]: m.value for m in at.metric}
    assert tiles["Contacts"] == "12", plain(str(tiles))
