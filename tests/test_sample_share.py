"""The bundled sample is never blended silently with a user's data (issue 12, item 11).

After a first real load into a store that still holds the sample, every page says so with the
sample's share, the Upload page and the command line offer to remove it in one action, and a
registry file that adds units to a recall that already has a registry says "adds N units to M"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import browser.harness as harness
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import ui.data
from connectors.load import ingest_paths
from store.db import connect
from store.sample import remove_sample, sample_share

SAMPLE_CONTACTS, SAMPLE_UNITS = 7123, 2892  # rows of sample_data/car_seat/contacts.csv and registry.csv


def user_files(folder: Path, units: int = 1500) -> list[Path]:
    """A registry of ``units`` more units of the sample's recall, and 3 contacts of the user's own."""
    folder.mkdir(exist_ok=True)
    registry = folder / "registry_batch2.csv"
    registry.write_text(
        "recall_id,serial,customer_id,email\n"
        + "".join(f"CS-2026-014,USR-{i:05d},U-{i},owner{i}@example.org\n" for i in range(units))
    )
    contacts = folder / "contacts.csv"
    contacts.write_text(
        "source,source_id,channel,direction,created_at,queue\n"
        + "".join(f"crm,u{i},phone,inbound,2026-03-03T1{i}:00:00Z,Recall Hotline\n" for i in range(3))
    )
    return [registry, contacts]


@pytest.fixture
def sample_store(tmp_path: Path) -> Path:
    """A copy of the sample store as a server makes it (tests/browser/harness.py)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(harness.sample_store(), path)
    return path


def test_a_registry_adding_units_says_so_and_the_share_is_counted(sample_store: Path, tmp_path: Path) -> None:
    con = connect(sample_store)
    assert sample_share(con).only_sample
    registry, contacts = ingest_paths(con, user_files(tmp_path / "mine"))
    assert (registry.inserted, contacts.inserted) == (1500, 3)
    assert (
        "registry_batch2.csv: adds 1,500 units to the 2,892 already in recall CS-2026-014's registry (now 4,392)"
        in registry.warnings[0]
    )
    share = sample_share(con)
    assert (share.contacts, share.contacts_total, share.units, share.units_total) == (
        SAMPLE_CONTACTS,
        SAMPLE_CONTACTS + 3,
        SAMPLE_UNITS,
        SAMPLE_UNITS + 1500,
    )
    assert share.describe() == "7,123 of 7,126 contacts (>99%) and 2,892 of 4,392 affected units (66%)"
    undone = remove_sample(con, "tester")
    assert len(undone) == 5  # recall, registry, contacts, notifications, csat
    assert sample_share(con) is None
    assert con.execute("SELECT count(*) FROM affected").fetchone()[0] == 1500  # the user's rows stay
    assert con.execute("SELECT count(*) FROM contacts").fetchone()[0] == 3


def test_cli_says_so_and_removes_the_sample(sample_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    files = [str(p) for p in user_files(tmp_path / "mine", units=10)]

    def run(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "connectors", *args, "--db", str(sample_store)], env=env,
                             capture_output=True, text=True)  # fmt: skip
        assert out.returncode == 0, out.stderr
        return out.stdout

    first = run("ingest", files[1])
    assert "note: this store still holds the bundled sample recall — 7,123 of 7,126 contacts" in first
    assert "python -m connectors remove-sample" in first
    second = run("ingest", files[0], "--remove-sample")
    assert second.startswith("removed the bundled sample data: 5 ingest(s) undone")
    assert "note:" not in second
    con = connect(sample_store)
    assert sample_share(con) is None
    assert con.execute("SELECT count(*) FROM contacts").fetchone()[0] == 3


def _page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_every_page_shows_the_share_and_upload_removes_it(sample_store, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ui.data, "SAMPLE_DIR", tmp_path / "no-sample")  # never reloaded into the emptied store
    monkeypatch.setenv("RECALL_OPS_DB", str(sample_store))
    con = connect(sample_store)
    ingest_paths(con, user_files(tmp_path / "mine"), loaded_by="analyst")
    con.close()
    for page in ("pages/overview.py", "pages/channels.py", "pages/coverage.py", "pages/standup.py"):
        warnings = [w.value for w in _page(page).warning]
        assert any("Sample data still in the store:" in w and "2,892 of 4,392 affected units (66%)" in w
                   for w in warnings), (page, warnings)  # fmt: skip
    at = _page("pages/upload.py")
    assert any("Your data is blended with the sample's" in w.value for w in at.warning)
    at.button(key="upload_remove_sample").click().run()
    assert not at.exception, at.exception
    assert any("Removed the bundled sample data: 5 upload(s) undone" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "upload_remove_sample"]  # nothing left to remove
    con = connect(sample_store)
    assert sample_share(con) is None
    con.close()
    assert not [w for w in _page("pages/coverage.py").warning if "Sample data" in w.value]


def test_a_share_that_is_not_all_or_none_never_reads_as_100_or_0_percent() -> None:
    from store.sample import SampleShare

    assert SampleShare(7_123, 7_136, 2_892, 2_892).describe() == (
        "7,123 of 7,136 contacts (>99%) and 2,892 of 2,892 affected units (100%)"
    )
    assert SampleShare(1, 500, 0, 40).describe() == "1 of 500 contacts (<1%) and 0 of 40 affected units (0%)"
    assert (
        SampleShare(980, 1_000, 5, 1_000).describe()
        == "980 of 1,000 contacts (98%) and 5 of 1,000 affected units (<1%)"
    )
