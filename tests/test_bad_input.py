"""A corpus of bad input: each file gets one clear message (or clean quarantine) and changes
nothing it should not; arbitrary bytes never raise a traceback."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from conftest import METRIC_FIXTURES, load
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


def test_a_50_mb_line_is_handled(metrics_store, tmp_path):
    path = tmp_path / "long.csv"
    long_reason = "x" * 50_000_000
    path.write_text(
        "source,source_id,recall_id,channel,direction,created_at,reason\n"
        f"five9,L1,R1,phone,inbound,2026-03-03T10:00:00Z,{long_reason}\n"
    )
    (result,) = load(metrics_store, path)
    assert result.inserted == 1


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
