"""Archive bombs (connectors/archives.py): caps on members, bytes, ratio and nesting depth per
top-level file, through the API, the command line, the inbox watcher and the Upload page."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest
from test_upload_page import PAGE, query

from connectors.archives import ArchiveLimits
from connectors.load import Failure, expand_into
from connectors.watch import Watcher

MiB = 1024**2
HEADER = "source,source_id,recall_id,channel,direction,created_at\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def row_csv(i: int) -> bytes:
    return (HEADER + f"five9,a{i},R1,phone,inbound,2026-03-03T10:00:00Z\n").encode()


def three_deep() -> bytes:
    """A zip holding a zip holding a zip: one level more than allowed."""
    return zipped({"outer/middle.zip": zipped({"inner.zip": zipped({"calls.csv": row_csv(1)})})})


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_nesting_deeper_than_one_level_is_refused_whole_before_the_inner_layer_is_opened(tmp_path):
    (tmp_path / "deep.zip").write_bytes(three_deep())
    out = tmp_path / "out"
    out.mkdir()
    (failure,) = expand_into([tmp_path / "deep.zip"], out)
    assert isinstance(failure, Failure)
    assert failure.message.startswith("deep.zip: deep.zip/outer/middle.zip/inner.zip is an archive inside")
    assert "nest 1 level deep" in failure.message
    assert not any(p.name.endswith("calls.csv") for p in out.rglob("*"))  # the inner layer stayed shut
    # One level is fine: a zip in a zip, and a .gz in a zip.
    import gzip

    (tmp_path / "ok.zip").write_bytes(
        zipped({"a.zip": zipped({"a.csv": row_csv(2)}), "b.csv.gz": gzip.compress(row_csv(3))})
    )
    names = [f.name for f in expand_into([tmp_path / "ok.zip"], out)]
    assert names == ["ok.zip/a.zip/a.csv", "ok.zip/b.csv"]


def test_members_are_counted_across_nested_archives(tmp_path):
    """Three inner zips of 4,000 one-row files: each is under the 10,000 cap, together they pass it."""
    inner = zipped({f"r{i}.csv": row_csv(i) for i in range(4_000)})
    (tmp_path / "many.zip").write_bytes(zipped({"a.zip": inner, "b.zip": inner, "c.zip": inner}))
    out = tmp_path / "out"
    out.mkdir()
    (failure,) = expand_into([tmp_path / "many.zip"], out)
    assert failure.message.startswith("many.zip: more than 10,000 files inside (at many.zip/c.zip)")


def test_unpacking_stops_the_moment_the_total_is_passed(tmp_path):
    """Each member is within the ratio cap (text that packs about 2:1), but together they pass the
    total: unpacking stops within one block of the cap and the file is refused whole."""
    member = os.urandom(2 * MiB).hex().encode()  # 4 MiB of hex digits
    (tmp_path / "big.zip").write_bytes(zipped({f"part{i}.csv": member for i in range(10)}))
    out = tmp_path / "out"
    out.mkdir()
    limits = ArchiveLimits(max_total_bytes=10 * MiB)
    (failure,) = expand_into([tmp_path / "big.zip"], out, limits)
    assert "expands past 10 MiB (stopped at big.zip/part2.csv)" in failure.message and "zip bomb" in failure.message
    assert size_on_disk(out) <= 10 * MiB + MiB


def test_a_member_over_the_ratio_is_refused_whole(tmp_path):
    (tmp_path / "ratio.zip").write_bytes(zipped({"ok.csv": row_csv(1), "zeros.csv": b"0" * (20 * MiB)}))
    out = tmp_path / "out"
    out.mkdir()
    (failure,) = expand_into([tmp_path / "ratio.zip"], out)
    assert (
        failure.message
        == "ratio.zip: ratio.zip/zeros.csv expands more than 200× its packed size; refused whole as a zip bomb"
    )


def test_the_command_line_names_the_cap_and_goes_on_with_the_next_file(tmp_path):
    (tmp_path / "deep.zip").write_bytes(three_deep())
    (tmp_path / "recall.toml").write_bytes((ROOT / "tests/fixtures/metrics/recall.toml").read_bytes())
    db = tmp_path / "cli.duckdb"
    run = subprocess.run(
        [sys.executable, "-m", "connectors", "ingest", str(tmp_path / "deep.zip"), str(tmp_path / "recall.toml"),
         "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "FAILED deep.zip: deep.zip/outer/middle.zip/inner.zip is an archive inside an archive" in run.stdout
    assert "recall.toml: recall_toml read=1 inserted=1" in run.stdout
    assert "Traceback" not in run.stderr
    assert query(db, "SELECT count(*) FROM contacts") == [(0,)]


def test_the_inbox_moves_a_bomb_to_failed_with_the_cap_named(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "deep.zip").write_bytes(three_deep())
    lines: list[str] = []
    w = Watcher(inbox, tmp_path / "watch.duckdb", out=lines.append)
    assert w.step() == []  # first poll: size noted
    (outcome,) = w.step()
    assert not outcome.ok and outcome.moved_to == inbox / "failed" / "deep.zip"
    reason = (inbox / "failed" / "deep.zip.reason.txt").read_text()
    assert "archives may nest 1 level deep" in reason


def upload(files: list[tuple[str, bytes]]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.session_state["upload_seed"] = files
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_the_upload_page_names_the_cap_and_allows_fewer_members(empty_db):
    at = upload([("deep.zip", three_deep())])
    assert any("archives may nest 1 level deep" in plain(e.value) for e in at.error)
    at = upload([("many.zip", zipped({f"r{i}.csv": row_csv(i) for i in range(201)}))])
    assert [plain(e.value) for e in at.error] == [
        "many.zip: more than 200 files inside (at many.zip); an archive may hold at most 200, "
        "nested archives included. Refused whole."
    ]
    assert at.button(key="upload_load").disabled  # nothing loadable is staged
    assert query(empty_db, "SELECT count(*) FROM ingests") == [(0,)]


def test_the_upload_page_unpacks_an_archive_once_not_on_every_rerun(empty_db, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    at = upload([("pair.zip", zipped({"a.csv": row_csv(1), "b.csv": row_csv(2)}))])
    unpacked = sorted(p for p in (tmp_path / "tmp").rglob("*.csv") if "pair.zip" not in p.name)
    assert len(unpacked) == 2
    before = [(p, p.stat().st_ino, p.stat().st_mtime_ns) for p in unpacked]
    at.selectbox(key="upload_tz").set_value("Europe/Berlin").run()  # any widget: the page reruns
    at.run()
    assert not at.exception
    after = [(p, p.stat().st_ino, p.stat().st_mtime_ns) for p in unpacked if p.exists()]
    assert after == before
    assert sorted(p for p in (tmp_path / "tmp").rglob("*.csv") if "pair.zip" not in p.name) == unpacked


@pytest.mark.parametrize("name", ["x.zip", "x.csv.gz"])
def test_no_such_file_is_still_a_clear_message(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    (failure,) = expand_into([tmp_path / name], out)
    assert failure.message == f"{name}: no such file"


# --- issue 13 item 16: one upload, one ledger group, one undo -----------------------------------


def ledger(db) -> list[tuple]:
    return query(db, "SELECT ingest_id, file_name, group_id, undone_at IS NOT NULL FROM ingests ORDER BY 1")


def test_the_files_of_one_archive_are_one_ledger_group_and_one_undo(tmp_path):
    from connectors.load import ingest_paths
    from store.db import connect
    from store.undo import undo_group

    (tmp_path / "bundle.zip").write_bytes(zipped({f"r{i}.csv": row_csv(i) for i in range(3)}))
    (tmp_path / "single.csv").write_bytes(row_csv(9))
    db = tmp_path / "g.duckdb"
    con = connect(db)
    results = ingest_paths(con, [tmp_path / "bundle.zip", tmp_path / "single.csv"])
    rows = con.execute("SELECT file_name, group_id FROM ingests ORDER BY ingest_id").fetchall()
    first = results[0].ingest_id
    assert rows == [
        ("bundle.zip/r0.csv", first),
        ("bundle.zip/r1.csv", first),
        ("bundle.zip/r2.csv", first),
        ("single.csv", results[3].ingest_id),
    ]
    undone = undo_group(con, first, by="ana@example.com")
    assert [r.file_name for r in undone] == ["bundle.zip/r2.csv", "bundle.zip/r1.csv", "bundle.zip/r0.csv"]
    assert con.execute("SELECT source_id FROM contacts").fetchall() == [("a9",)]
    con.close()


def test_the_inbox_groups_an_archives_files_too(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bundle.zip").write_bytes(zipped({f"r{i}.csv": row_csv(i) for i in range(2)}))
    w = Watcher(inbox, tmp_path / "w.duckdb", out=lambda _line: None)
    w.step()
    w.step()
    groups = {r[2] for r in ledger(tmp_path / "w.duckdb")}
    assert len(ledger(tmp_path / "w.duckdb")) == 2 and len(groups) == 1


def test_the_upload_page_offers_an_archive_as_one_upload_to_undo(empty_db):
    files = [("bundle.zip", zipped({f"r{i}.csv": row_csv(i) for i in range(3)})), ("single.csv", row_csv(9))]
    at = upload(files)
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    rows = ledger(empty_db)
    assert len(rows) == 4 and len({r[2] for r in rows}) == 2
    options = at.selectbox(key="undo_pick").options
    assert len(options) == 2 and any("bundle.zip (3 files)" in o for o in options)
    bundle_group = rows[0][2]
    at.selectbox(key="undo_pick").set_value(bundle_group).run()
    at.button(key="undo_ask").click().run()
    at.button(key="undo_confirm").click().run()
    assert not at.exception, at.exception
    assert any(
        f"Undid upload #{bundle_group} (bundle.zip, 3 files): 3 rows removed" in plain(s.value) for s in at.success
    )
    assert [r[3] for r in ledger(empty_db)] == [True, True, True, False]
    assert query(empty_db, "SELECT source_id FROM contacts") == [("a9",)]


def test_a_refused_archive_leaves_nothing_on_disk_before_the_next_file_is_read(tmp_path, monkeypatch):
    """Issue 13 item 1: a refused file's partial output was kept until the whole batch ended (N bombs
    held N × the cap); it is deleted as soon as the file is refused, before the next one is unpacked."""
    import connectors.load

    member = os.urandom(2 * MiB).hex().encode()
    (tmp_path / "a_bomb.zip").write_bytes(zipped({f"part{i}.csv": member for i in range(4)}))
    (tmp_path / "b_good.zip").write_bytes(zipped({"calls.csv": row_csv(1)}))
    out = tmp_path / "out"
    out.mkdir()
    seen: list[tuple[str, int]] = []
    real = connectors.load.unpack

    def watched(path, tmp, limits):
        seen.append((path.name, size_on_disk(out)))
        return real(path, tmp, limits)

    monkeypatch.setattr(connectors.load, "unpack", watched)
    bomb, good = expand_into(
        [tmp_path / "a_bomb.zip", tmp_path / "b_good.zip"], out, ArchiveLimits(max_total_bytes=5 * MiB)
    )
    assert isinstance(bomb, Failure) and "expands past 5 MiB" in bomb.message and good.name == "b_good.zip/calls.csv"
    assert seen == [("a_bomb.zip", 0), ("b_good.zip", 0)]  # the bomb's 4+ MiB went before b_good.zip was read
    assert good.path.read_bytes() == row_csv(1)
