"""Text encodings an analyst's tools write (issue 12, item 5).

Excel's "Save as › Unicode Text" writes UTF-16 LE with a byte-order mark, tab-delimited, CRLF; other
tools write UTF-16 BE, UTF-32 or UTF-8 with a mark. Each is recognised by the connector that reads
the original CSV and loads exactly the same rows; a file no connector knows is refused with its
header shown decoded, readable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from connectors.base import SourceFile, text_encoding
from connectors.load import Failure, detect, ingest_paths
from store.db import connect

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "connectors"
SAMPLE = ROOT / "sample_data" / "car_seat"
TABLES = ("contacts", "csat", "notifications", "affected")


def excel_unicode_text(source: Path) -> str:
    """The text Excel writes for ``source`` saved as Unicode Text: cells tab-separated, CRLF."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


ENCODINGS = {
    "utf-16-le-bom": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),  # what Excel writes
    "utf-16-be-bom": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
    "utf-32-bom": lambda t: t.encode("utf-32"),  # LE with its mark
    "utf-32-be-bom": lambda t: b"\x00\x00\xfe\xff" + t.encode("utf-32-be"),
    "utf-8-bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
}


def stored(con) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        cols = [c for c in con.table(table).columns if c not in ("ingest_id", "source_row")]
        out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    return out


def load(tmp_path: Path, name: str, files: list[Path]):
    con = connect(tmp_path / f"{name}.duckdb")
    results = ingest_paths(con, [SAMPLE / "recall.toml", *files])
    assert not [r for r in results if isinstance(r, Failure)], results
    return con, results


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """original path → (its load result, its stored rows), each original loaded once for all encodings."""
    cache: dict[Path, tuple] = {}

    def of(original: Path):
        if original not in cache:
            con, (_, result) = load(tmp_path_factory.mktemp("original"), "original", [original])
            cache[original] = (result, stored(con))
            con.close()
        return cache[original]

    return of


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize(
    "original",
    [
        FIXTURES / "zendesk_csv.csv",
        FIXTURES / "salesforce_report.csv",
        FIXTURES / "salesforce_dataloader.csv",
        FIXTURES / "freshdesk_csv.csv",
        FIXTURES / "genesys_csv.csv",
        FIXTURES / "twilio_voice_csv.csv",
        FIXTURES / "twilio_messaging_csv.csv",
        SAMPLE / "contacts.csv",  # larger than the 64 KiB detection head
        SAMPLE / "registry.csv",
    ],
    ids=lambda p: p.name,
)
def test_reencoded_export_loads_exactly_as_the_original(
    tmp_path: Path, originals, original: Path, encoding: str
) -> None:
    (tmp_path / "resaved").mkdir()
    resaved = tmp_path / "resaved" / original.name  # same name: the same warnings
    resaved.write_bytes(ENCODINGS[encoding](excel_unicode_text(original)))
    module, _ = detect(SourceFile(original.name, original))
    assert detect(SourceFile(resaved.name, resaved))[0] is module
    a, rows_a = originals(original)
    con_b, (_, b) = load(tmp_path, "resaved", [resaved])
    assert (b.connector, b.read, b.inserted, b.quarantined) == (a.connector, a.read, a.inserted, a.quarantined)
    assert b.warnings == a.warnings
    assert stored(con_b) == rows_a


def test_text_encoding_by_mark_and_by_zero_bytes() -> None:
    text = "Ticket ID\tSubject\r\n1\tRücksendung\r\n"
    assert text_encoding(ENCODINGS["utf-16-le-bom"](text)) == ("utf-16-le", 2)
    assert text_encoding(ENCODINGS["utf-16-be-bom"](text)) == ("utf-16-be", 2)
    assert text_encoding(ENCODINGS["utf-32-bom"](text)) == ("utf-32-le", 4)
    assert text_encoding(ENCODINGS["utf-32-be-bom"](text)) == ("utf-32-be", 4)
    assert text_encoding(ENCODINGS["utf-8-bom"](text)) == ("utf-8", 3)
    assert text_encoding(text.encode("utf-16-le")) == ("utf-16-le", 0)
    assert text_encoding(text.encode("utf-16-be")) == ("utf-16-be", 0)
    assert text_encoding(text.encode("utf-8")) == ("utf-8", 0)


@pytest.mark.parametrize("encoding", ["utf-16-le-bom", "utf-16-be-bom", "utf-32-bom"])
def test_unrecognised_file_shows_its_header_readable(tmp_path: Path, encoding: str) -> None:
    rows = "Auftragsnummer\tKundennummer\tStraße\r\n" + "".join(
        f"A-{i}\tK-{i}\tHauptstraße {i}\r\n" for i in range(9000)
    )
    path = tmp_path / "auftraege.txt"
    path.write_bytes(ENCODINGS[encoding](rows))  # larger than the detection head
    con = connect(tmp_path / "t.duckdb")
    (result,) = ingest_paths(con, [path])
    assert isinstance(result, Failure)
    assert result.message == (
        "auftraege.txt: no connector recognises this file (header: Auftragsnummer, Kundennummer, Straße)"
    )
