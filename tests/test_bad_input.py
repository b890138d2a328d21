"""A corpus of bad input: each file gets one clear message (or clean quarantine) and changes
nothing it should not; arbitrary bytes never raise a traceback."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest
from conftest import METRIC_FIXTURES, ROOT, load, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store import HEADER, ledger, snapshot

from connectors.load import Failure, ingest_paths


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


ROW = "five9,{i},R1,phone,inbound,{t},,60\n"
CORPUS = {
    "empty.csv": (b"", "the file is empty"),
    "header_only.csv": (HEADER.encode(), "has a header but no data rows"),
    "truncated.json": (b'[{"ContactId": "a", "Channel": "VOICE"},\n {"ContactId": "b", "Chan', "broken JSON at line 2"),
    "garbage.bin": (bytes(range(256)) * 64, "binary data"),
    # UTF-16 without a byte-order mark is recognised by its zero bytes (tests/test_encodings.py)
    "utf16_no_bom.csv": (HEADER.encode("utf-16-le"), "has a header but no data rows"),
    "escape.zip": (_zip({"../../x.csv": (HEADER + ROW.format(i=1, t="2026-03-03T10:00:00Z")).encode()}), "escapes"),
    "bomb.zip": (_zip({"big.csv": b"a" * 50_000_000}), "zip bomb"),
    "broken.gz": (b"\x1f\x8b\x08\x00garbage", "broken gzip"),
    "not_a_zip.zip": (b"PK\x03\x04 not really", "not a readable zip"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_unreadable_input_gets_a_clear_message_and_changes_nothing(metrics_store, tmp_path, name):
    data, message = CORPUS[name]
    before, ledger_before = snapshot(metrics_store), ledger(metrics_store)
    path = tmp_path / name
    path.write_bytes(data)
    results = ingest_paths(metrics_store, [path])
    assert results and all(isinstance(r, Failure) for r in results)
    assert any(message in r.message for r in results), [r.message for r in results]
    assert all(name in r.message for r in results)
    assert snapshot(metrics_store) == before and ledger(metrics_store) == ledger_before


def test_rows_with_bad_values_are_quarantined_with_row_and_column(metrics_store, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + ROW.format(i="m1", t="2026-03-03T10:00:00Z")  # ISO
        + ROW.format(i="m2", t='"Tue, 03 Mar 2026 10:00:00 +0000"')  # RFC 2822, quoted
        + ROW.format(i="m3", t="1772532000")  # epoch seconds
        + ROW.format(i="m4", t="03/03/2026 04:00")  # US local, read in the recall zone
        + ROW.format(i="m5", t="03.03.2026 garbage")
        + "five9,m6,R1,phone,inbound,2026-03-03T10:00:00Z,,-30\n"
        + "five9,m7,R1,phone,inbound,2026-03-03T10:00:00Z,,999999\n"
    )
    (result,) = load(metrics_store, path)
    assert (result.read, result.inserted, result.quarantined) == (7, 4, 3)
    created = metrics_store.execute(
        "SELECT DISTINCT created_at FROM contacts WHERE source_id IN ('m1','m2','m3','m4')"
    ).fetchall()
    assert len(created) == 1  # all four formats name the same instant, 10:00 UTC
    reasons = metrics_store.execute(
        "SELECT source_row, column_name FROM quarantine WHERE ingest_id = ? ORDER BY 1", [result.ingest_id]
    ).fetchall()
    assert reasons == [(6, "created_at"), (7, "talk_s"), (8, "talk_s")]


def test_duplicate_keys_inside_one_file_count_once(metrics_store, tmp_path):
    path = tmp_path / "dups.csv"
    row = ROW.format(i="d1", t="2026-03-03T10:00:00Z")
    path.write_text(HEADER + row + row + row)
    (result,) = load(metrics_store, path)
    assert (result.read, result.inserted, result.unchanged) == (3, 1, 2)
    assert metrics_store.execute("SELECT count(*) FROM contacts WHERE source_id = 'd1'").fetchall() == [(1,)]


LONG_HEADER = "source,source_id,recall_id,channel,direction,created_at,reason\n"


def long_line_file(path, size: int):
    """Row 2 fine, row 3 one line of ``size`` bytes, row 4 a quoted reason over two lines, row 5 fine."""
    with open(path, "w") as fh:
        fh.write(LONG_HEADER + "five9,L0,R1,phone,inbound,2026-03-03T10:00:00Z,short\n")
        fh.write("five9,L1,R1,phone,inbound,2026-03-03T10:00:00Z," + "x" * size + "\n")
        fh.write('five9,L2,R1,phone,inbound,2026-03-03T10:00:00Z,"two\nlines"\n')
        fh.write("five9,L3,R1,phone,inbound,2026-03-03T10:00:00Z,short\n")
    return path


def test_a_line_over_one_mib_is_quarantined_with_its_reason(metrics_store, tmp_path):
    """Issue 13 item 10: the record is quarantined under its row number, the rest loads."""
    path = long_line_file(tmp_path / "long.csv", 3 * 1024 * 1024)
    (result,) = load(metrics_store, path)
    assert (result.read, result.inserted, result.quarantined) == (4, 3, 1)
    (row, column, reason, raw) = metrics_store.execute(
        "SELECT source_row, column_name, reason, raw FROM quarantine WHERE ingest_id = ?", [result.ingest_id]
    ).fetchall()[0]
    assert (row, column) == (3, "_line")
    # 47 bytes before the reason ("five9,L1,R1,phone,inbound,2026-03-03T10:00:00Z,") + 3 MiB
    assert reason == "line 3 is 3,145,775 bytes, longer than the 1,048,576 a line may have; its record was not read"
    assert raw.startswith("five9,L1,R1,phone") and len(raw) == 201
    ids = metrics_store.execute("SELECT source_id, source_row FROM contacts WHERE source_id LIKE 'L%' ORDER BY 1")
    assert ids.fetchall() == [("L0", 2), ("L2", 4), ("L3", 5)]
    from connectors.base import file_sha256

    sha = metrics_store.execute("SELECT sha256 FROM ingests WHERE ingest_id = ?", [result.ingest_id]).fetchall()
    assert sha == [(file_sha256(path),)]  # the file as given, not the copy read


def test_a_long_line_inside_a_quoted_field_quarantines_its_record(store, tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text(
        LONG_HEADER
        + 'five9,Q1,R1,phone,inbound,2026-03-03T10:00:00Z,"starts here\n' + "y" * 2_000_000 + '\nends here"\n'
        + "five9,Q2,R1,phone,inbound,2026-03-03T10:00:00Z,after\n"
    )  # fmt: skip
    (result,) = load(store, path)
    assert (result.read, result.inserted, result.quarantined) == (2, 1, 1)
    assert store.execute("SELECT source_row, reason FROM quarantine").fetchall()[0][0] == 2
    assert store.execute("SELECT source_id, source_row FROM contacts").fetchall() == [("Q2", 3)]


def test_a_header_line_over_one_mib_makes_the_file_unreadable(store, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a," * 600_000 + "b\n1,2\n")
    (failure,) = ingest_paths(store, [path])
    assert failure.message == "wide.csv: the header line is longer than 1,048,576 bytes; not read"


def test_a_value_over_32767_characters_quarantines_its_row(store, tmp_path):
    """The field cap holds for JSON too, where one line may legitimately be the whole file."""
    path = tmp_path / "field.csv"
    path.write_text(LONG_HEADER + "five9,F1,R1,phone,inbound,2026-03-03T10:00:00Z," + "r" * 40_000 + "\n")
    (result,) = load(store, path)
    assert (result.inserted, result.quarantined) == (0, 1)
    reason, raw = store.execute("SELECT reason, raw FROM quarantine").fetchall()[0]
    assert reason == "reason is longer than 32,767 characters" and len(raw) == 1_001


def _peak_rss_kib(args: list[str]) -> int:
    """Peak resident memory of ``python -m connectors ingest ARGS``, started from a small wrapper
    process (a child forked from this test process would count the test's own memory as its peak)."""
    import subprocess
    import sys

    wrapper = (
        "import resource, subprocess, sys; "
        "subprocess.run([sys.executable, '-m', 'connectors', 'ingest', *sys.argv[1:]], check=True, "
        "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    run = subprocess.run([sys.executable, "-c", wrapper, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(run.stdout.strip())


def test_a_100_mb_line_costs_about_what_a_small_file_costs(tmp_path):
    """Memory as a ratio against a baseline in the same run (not a timing): before the cap a
    100 MB line took about 4.4× the baseline's peak (880 MB against 202 MB); now 213 MB."""
    recall = str(METRIC_FIXTURES / "recall.toml")
    small = long_line_file(tmp_path / "small.csv", 10)
    big = long_line_file(tmp_path / "big.csv", 100_000_000)
    base = _peak_rss_kib([recall, str(small), "--db", str(tmp_path / "a.duckdb")])
    peak = _peak_rss_kib([recall, str(big), "--db", str(tmp_path / "b.duckdb")])
    assert peak < 1.5 * base, (peak, base)


def test_cp1252_is_read_with_a_warning_and_utf16_excel_text_is_read(metrics_store, tmp_path):
    cp = tmp_path / "cp1252.csv"
    cp.write_bytes(
        (HEADER.replace("talk_s", "reason") + "five9,e1,R1,phone,inbound,2026-03-03T10:00:00Z,,Réclamation\n").encode(
            "cp1252"
        )
    )
    (result,) = load(metrics_store, cp)
    assert result.inserted == 1 and any("Windows-1252" in w for w in result.warnings)
    assert metrics_store.execute("SELECT reason FROM contacts WHERE source_id = 'e1'").fetchall() == [("Réclamation",)]
    u16 = tmp_path / "unicode.txt"
    text = HEADER.replace(",", "\t") + "five9\te2\tR1\tphone\tinbound\t2026-03-03T10:00:00Z\t\t60\n"
    u16.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (result,) = load(metrics_store, u16)
    assert result.inserted == 1


@pytest.mark.parametrize("delimiter", [";", "|", "\t"])
def test_delimiters_are_sniffed(store, tmp_path, delimiter):
    path = tmp_path / "d.csv"
    path.write_text((HEADER + ROW.format(i="x", t="2026-03-03T10:00:00Z")).replace(",", delimiter))
    (result,) = load(store, path)
    assert result.inserted == 1


def test_gzip_and_zip_wrappers(store, tmp_path):
    body = (HEADER + ROW.format(i="g1", t="2026-03-03T10:00:00Z")).encode()
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(body))
    (tmp_path / "b.zip").write_bytes(_zip({"nested/c.csv": body.replace(b",g1,", b",g2,")}))
    results = load(store, tmp_path / "a.csv.gz", tmp_path / "b.zip")
    assert [r.file_name for r in results] == ["a.csv", "b.zip/nested/c.csv"]
    assert [r.inserted for r in results] == [1, 1]


SUFFIXES = [".csv", ".json", ".toml", ".txt", ".zip", ".gz", ".xlsx"]


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(str.encode),
        st.lists(st.sampled_from([HEADER, ROW.format(i="f", t="2026-03-03T10:00:00Z"), '{"a": [', "}", "\n", ",,,"]))
        .map("".join)
        .map(str.encode),
    ),
    suffix=st.sampled_from(SUFFIXES),
)
def test_any_bytes_yield_rows_or_a_clear_error(metrics_store, tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    for result in ingest_paths(metrics_store, [path]):
        if isinstance(result, Failure):
            assert result.message.startswith("input") and "Traceback" not in result.message
        else:
            assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined


def test_recall_fixture_present():
    assert (METRIC_FIXTURES / "recall.toml").exists()


DEEP = 100_000
NESTED = {
    "deep.json": "[" * DEEP + "]" * DEEP,
    "deep_object.json": '{"a":' * DEEP + "1" + "}" * DEEP,
    "deep.ndjson": '{"ContactId":"x","a":' + "[" * DEEP + "]" * DEEP + "}\n",
    "deep.toml": '[recall]\nid = "x"\nname = "y"\nv = ' + "[" * DEEP + "]" * DEEP + "\n",
}


def test_deeply_nested_files_are_unreadable_and_the_batch_goes_on(tmp_path):
    """Issue 13 item 15: 100,000 levels raised an uncaught RecursionError that ended the batch."""
    import subprocess
    import sys

    for name, text in NESTED.items():
        (tmp_path / name).write_text(text)
    later = tmp_path / "zz_after.csv"
    later.write_text(HEADER + ROW.format(i="after", t="2026-03-03T10:00:00Z"))
    paths = [str(tmp_path / n) for n in NESTED] + [str(METRIC_FIXTURES / "recall.toml"), str(later)]
    run = subprocess.run([sys.executable, "-m", "connectors", "ingest", *paths, "--db", str(tmp_path / "d.duckdb")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    for name in NESTED:
        assert f"FAILED {name}: nested too deeply to read" in run.stdout
    assert "zz_after.csv: canonical_csv read=1 inserted=1" in run.stdout


def test_a_deeply_nested_upload_gets_a_clear_message(empty_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["upload_seed"] = [(n, t.encode()) for n, t in NESTED.items()]
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    shown = [plain(e.value) for e in at.error]
    assert sorted(e.split(":")[0] for e in shown if "nested too deeply to read" in e) == sorted(NESTED)


@pytest.mark.parametrize("suffix", [".json", ".ndjson"])
def test_a_json_record_over_one_mib_is_quarantined_unparsed(metrics_store, tmp_path, suffix):
    """An array element or an NDJSON line over MAX_JSON_RECORD_CHARS is quarantined with a reason
    naming the file, the record and its line, without being parsed (a 100 MB one cost 0.9-1.1 GB and
    loaded); the file's other records load. A file that is one object is not capped (page formats)."""
    from connectors.base import SourceFile
    from connectors.textfile import MAX_JSON_RECORD_CHARS, TooLong, iter_json_records

    event = {"email": "a@b.com", "timestamp": 1772467200, "event": "delivered", "sg_event_id": "e1", "category": "n"}
    events = [event, {**event, "sg_event_id": "e2", "category": "x" * MAX_JSON_RECORD_CHARS}]
    path = tmp_path / f"events{suffix}"
    lines = [json.dumps(e) for e in events]
    path.write_text(f"[{', '.join(lines)}]" if suffix == ".json" else "\n".join(lines) + "\n")
    (result,) = load(metrics_store, path)
    assert (result.inserted, result.quarantined) == (1, 1)
    ((column, reason, raw),) = metrics_store.execute(
        "SELECT column_name, reason, raw FROM quarantine WHERE ingest_id = ?", [result.ingest_id]
    ).fetchall()
    line = 1 if suffix == ".json" else 2
    assert column == "_record" and reason == (
        f"events{suffix}: record 2 (line {line}) is {len(lines[1]):,} characters, longer than the 1,048,576 a "
        "JSON record may have; not read"
    )
    assert raw.startswith('{"email": "a@b.com"') and len(raw) < 300  # stored as read; shown masked
    whole = tmp_path / "page.json"
    whole.write_text(json.dumps({"calls": events}))
    ((number, value),) = iter_json_records(SourceFile("page.json", whole))
    assert number == 1 and not isinstance(value, TooLong) and value["calls"] == events
