"""Day-first dates (issue 12, item 12).

A team outside the US exports ``10/03/2026 09:00`` for 10 March. Before, that read as 3 October,
and rows with a day above 12 were quarantined: 6 of 40 rows loaded, all months after the recall
closed. Now each column's order is decided by its values (any first field above 12 decides day
first); a column the values cannot decide is read as the upload says (``--date-format``, the Upload
page, a saved mapping) and otherwise month first with a warning; and a file whose timestamps fall
more than 5 % outside the recall's window (announcement − 30 d … closure + 90 d) or in the future
is warned about before it is loaded (the Upload preview shows the same warnings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import batches
from connectors.load import Failure, ingest_paths
from store.db import connect

ROOT = Path(__file__).resolve().parent.parent
RECALL = """[recall]
id = "R"
name = "Kettle"
timezone = "Europe/London"
announced_at = "2026-03-02T09:00:00Z"
closed_at = "2026-06-01T00:00:00Z"
"""
HEADER = "source,source_id,channel,direction,created_at\n"


def contacts_csv(days: list[int], month: int = 3, fmt: str = "{d:02d}/{m:02d}/2026 09:{i:02d}") -> str:
    return HEADER + "".join(
        f"crm,c{i},email,inbound,{fmt.format(d=d, m=month, i=i % 60)}\n" for i, d in enumerate(days)
    )


def load(tmp_path: Path, text: str, **kw):
    (tmp_path / "recall.toml").write_text(RECALL)
    (tmp_path / "contacts.csv").write_text(text)
    con = connect(tmp_path / "t.duckdb")
    results = ingest_paths(con, [tmp_path / "recall.toml", tmp_path / "contacts.csv"], **kw)
    assert not [r for r in results if isinstance(r, Failure)], results
    return con, results[1]


def days_stored(con) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT strftime(created_at, '%Y-%m-%d') FROM contacts ORDER BY source_row").fetchall()
    ]


def test_the_issues_file_loads_every_row_on_its_day(tmp_path: Path) -> None:
    days = [2 + i % 29 for i in range(40)]  # 2 to 30 March: 34 of the 40 rows have a day above 12
    con, result = load(tmp_path, contacts_csv(days))
    assert (result.read, result.inserted, result.quarantined) == (40, 40, 0)  # before: 6 loaded, 34 quarantined
    assert days_stored(con)[:3] == ["2026-03-02", "2026-03-03", "2026-03-04"]  # not 3 February, 3 March…
    assert days_stored(con)[8] == "2026-03-10"  # "10/03/2026": 10 March (before: 3 October)
    assert result.warnings == []  # the values decided: nothing to ask, nothing out of the window


def test_month_first_values_decide_month_first(tmp_path: Path) -> None:
    con, result = load(tmp_path, contacts_csv([3, 10, 25], fmt="{m:02d}/{d:02d}/2026 09:{i:02d}"))
    assert days_stored(con) == ["2026-03-03", "2026-03-10", "2026-03-25"]
    assert result.warnings == []


def test_ambiguous_column_is_read_month_first_with_a_warning_and_out_of_window(tmp_path: Path) -> None:
    con, result = load(tmp_path, contacts_csv(list(range(2, 12))))  # 02/03 … 11/03: no day above 12
    assert days_stored(con)[:2] == ["2026-02-03", "2026-03-03"]  # read month first: 3 Feb, 3 March, … 3 Nov
    ambiguous, window = result.warnings
    assert ambiguous.startswith("contacts.csv: dates in created_at such as '02/03/2026 09:00' could be day or month")
    assert "--date-format day-first" in ambiguous
    # 3 Sep, 3 Oct and 3 Nov fall after the window's end (closure + 90 d = 30 Aug): 3 of 10 > 5 %.
    assert window.startswith("contacts.csv: 3 of 10 timestamps (30%) fall outside the window of recall R")
    assert "row 9 created_at 2026-09-03 08:07 UTC" in window


def test_date_format_decides_an_ambiguous_column(tmp_path: Path) -> None:
    con, result = load(tmp_path, contacts_csv(list(range(2, 12))), date_format="day_first")
    assert days_stored(con) == [f"2026-03-{d:02d}" for d in range(2, 12)]
    assert result.warnings == []


def test_values_win_over_the_upload_choice(tmp_path: Path) -> None:
    con, result = load(tmp_path, contacts_csv([2, 25]), date_format="month_first")
    assert days_stored(con) == ["2026-03-02", "2026-03-25"]


def test_dotted_dates_are_day_first(tmp_path: Path) -> None:
    con, result = load(tmp_path, contacts_csv([3, 4], fmt="{d:02d}.{m:02d}.2026 09:{i:02d}"))
    assert days_stored(con) == ["2026-03-03", "2026-03-04"]
    assert "read day first" in result.warnings[0]


def test_future_timestamps_are_warned_about(tmp_path: Path) -> None:
    (tmp_path / "recall.toml").write_text(RECALL.replace('closed_at = "2026-06-01T00:00:00Z"\n', ""))
    soon = datetime.now(UTC) + timedelta(days=30)
    rows = [f"crm,c{i},email,inbound,{(soon + timedelta(hours=i)):%Y-%m-%dT%H:%M:%SZ}\n" for i in range(3)]
    rows += [f"crm,p{i},email,inbound,2026-03-0{i + 3}T10:00:00Z\n" for i in range(5)]
    (tmp_path / "contacts.csv").write_text(HEADER + "".join(rows))
    con = connect(tmp_path / "t.duckdb")
    _, result = ingest_paths(con, [tmp_path / "recall.toml", tmp_path / "contacts.csv"])
    (warning,) = result.warnings
    assert (
        "3 of 8 timestamps (38%) fall outside the window of recall R (before 2026-01-31, or later than now)" in warning
    )


def test_a_batched_read_decides_like_a_whole_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first pieces hold only days up to 12; a later one decides day first: the file is read
    again whole, so every row is day first (never a file half one way and half the other)."""
    monkeypatch.setattr(batches, "MIN_BYTES", 1)
    monkeypatch.setattr(batches, "CHUNK_BYTES", 2_000)
    days = [1 + i % 12 for i in range(200)] + [25]
    con, result = load(tmp_path, contacts_csv(days))
    assert (result.inserted, result.quarantined) == (201, 0)
    stored = days_stored(con)
    assert stored[0] == "2026-03-01" and stored[11] == "2026-03-12" and stored[-1] == "2026-03-25"


def test_cli_date_format_and_a_saved_mapping_remember_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (tmp_path / "recall.toml").write_text(RECALL)
    (tmp_path / "calls.csv").write_text(
        "Call ID,Started,Kind\n" + "".join(f"k{d},{d:02d}/03/2026 10:00,email\n" for d in range(2, 8))
    )
    spec = {
        "table": "contacts",
        "columns": {"source_id": "Call ID", "created_at": "Started", "channel": "Kind"},
        "constants": {"source": "wfm", "direction": "inbound"},
        "date_format": "day-first",
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    db = str(tmp_path / "t.duckdb")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "connectors", *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    assert run("ingest", "recall.toml", "--db", db).returncode == 0
    assert run("mapping", "save", "wfm", "spec.json", "--db", db).returncode == 0
    out = run("ingest", "calls.csv", "--mapping", "wfm", "--db", db)
    assert out.returncode == 0 and "warning" not in out.stdout, out.stdout
    con = connect(db, read_only=True)
    assert [r[0] for r in con.execute("SELECT strftime(created_at, '%d %b') FROM contacts ORDER BY 1").fetchall()] == [
        "02 Mar", "03 Mar", "04 Mar", "05 Mar", "06 Mar", "07 Mar"
    ]  # fmt: skip
    con.close()
    bad = run("ingest", "calls.csv", "--date-format", "yesterday", "--db", db)
    assert bad.returncode == 2 and "must be day-first or month-first" in bad.stderr


def test_salesforce_report_dates_the_values_cannot_decide_follow_the_upload(tmp_path: Path) -> None:
    """A Salesforce report in a day-first locale whose days are all up to 12: asked, not guessed."""
    report = ROOT / "tests" / "fixtures" / "connectors" / "salesforce_report.csv"  # "3/5/2024, 6:14 AM"…
    con = connect(tmp_path / "t.duckdb")
    (guessed,) = ingest_paths(con, [report])
    assert any("could be day or month first" in w for w in guessed.warnings)
    con = connect(tmp_path / "u.duckdb")
    (told,) = ingest_paths(con, [report], date_format="day_first")
    assert not any("could be day or month first" in w for w in told.warnings)
    query = "SELECT strftime(created_at, '%d %b') FROM contacts WHERE source_id = '00001027'"
    assert con.execute(query).fetchone()[0] == "03 May"  # 3/5/2024 read day first
