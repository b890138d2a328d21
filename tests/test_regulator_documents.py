"""``python -m metrics regulator``: JSON, XLSX laid out like the form, escaped HTML, clear errors."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from documents.html import report_html
from documents.xlsx import to_xlsx
from metrics import regulator
from metrics.__main__ import main


def test_json_prints_the_reports_figures(metrics_store, tmp_path, capsys):
    path = metrics_store.execute("PRAGMA database_list").fetchall()[0][2]
    expected = regulator.build(metrics_store, "fda", "R1", "2026-03").as_dict()
    metrics_store.close()
    assert main(["regulator", "fda", "--db", path, "--recall", "R1", "--period", "2026-03", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == expected
    assert printed["sections"]["returned_corrected"]["rows"]["total"]["cumulative"] == 2


def test_xlsx_has_the_forms_labels_in_order(metrics_store):
    report = regulator.build(metrics_store, "cpsc", "R1", "2026-03")
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    cells = list(sheet.iter_rows(values_only=True))
    labels = [r[0] for r in cells if r and r[0]]
    order = [
        "Case number",
        "Section I — Products corrected by firm (as applicable under CAP)",
        "Location of products",
        "With manufacturer",
        "With distributor",
        "With retailers",
        "With consumers",
        "Total",
        "Section II — Incident update (reported this period)",
        "Section III — Notifications by firm and consumer response",
    ]
    positions = [labels.index(x) for x in order]
    assert positions == sorted(positions)
    total = next(r for r in cells if r[0] == "Total")
    assert total[1:4] == (6, 2, 2)  # numbers, not text
    consumers = next(r for r in cells if r[0] == "With consumers")
    assert consumers[1:4] == ("unknown", "unknown", "unknown")


def test_html_escapes_text_from_the_store(metrics_store):
    metrics_store.execute("UPDATE recalls SET product = '<script>alert(1)</script>' WHERE recall_id = 'R1'")
    html = report_html(regulator.build(metrics_store, "eu", "R1", "2026-Q1"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "default-src 'none'" in html  # the page may load nothing


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--period", "2026-3"], "write YYYY-MM"),
        (["--period", "2026-03", "--recall", "NOPE"], "no recall 'NOPE'"),
        (["--period", "2026-03", "--out", "x.docx"], "--out must end in"),
    ],
)
def test_errors_exit_2_with_a_message(metrics_store, capsys, args, says):
    path = metrics_store.execute("PRAGMA database_list").fetchall()[0][2]
    metrics_store.close()
    assert main(["regulator", "cpsc", "--db", path, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and "Traceback" not in err


def test_out_writes_the_file(metrics_store, tmp_path):
    path = metrics_store.execute("PRAGMA database_list").fetchall()[0][2]
    metrics_store.close()
    out = tmp_path / "mpr.xlsx"
    assert main(["regulator", "nhtsa", "--db", path, "--period", "2026-Q1", "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "NHTSA Quarterly Recall Report (49 CFR 573.7)"
