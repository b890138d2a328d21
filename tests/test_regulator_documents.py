"""``python -m metrics regulator``: JSON, XLSX laid out like the form, escaped HTML, clear errors."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

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


# The labels of the FDA, NHTSA and EU workbooks in the order of their forms (21 CFR 7.53(b) items 1–6;
# 49 CFR 573.7; docs/regulator-reports.md for the EU summary), with a figure of each (R1, March:
# U3 and U1 remedied, tests/fixtures/metrics/README.md).
FORM_ORDERS = {
    "fda": (["Recall number", "Reporting period", "Status as of", "1. Consignees notified of the recall",
             "Date of first notification", "Date of latest notification", "1. Method of notification",
             "2–3. Consignee response", "Consignees responding", "Consignees notified and not responding",
             "4. Products returned or corrected", "Total returned or corrected", "Quantity outstanding",
             "5. Effectiveness checks", "Check calls made (outbound recall calls)",
             "6. Estimated time frame for completion", "Estimated completion at that rate"],
            ("Total returned or corrected", (2, 2))),
    "nhtsa": (["Campaign number", "Report period", "Owner notification began",
               "Owner notification ended (latest by the period's end)", "Campaign status",
               "Number of vehicles or items of equipment involved", "Inspected and remedied",
               "Of these, equipment remedied or returned before first sale",
               "Inspected and found not to need the remedy", "Unreachable: exported", "Unreachable: stolen",
               "Unreachable: scrapped or destroyed by the owner", "Unreachable: failure to receive notification",
               "Unreachable: other", "Unreachable, total", "Completion rate (remedied ÷ involved)",
               "Reports of the schedule to this period (cumulative at each report's end)"],
              ("Inspected and remedied", (2, 2))),
    "eu": (["Recall", "Reporting period", "Affected, notified, reached and remedied by country/region",
            "Country / region", "Total (whole recall)", "Consumers: direct notification (art. 35) and response",
            "Identifiable affected consumers", "Directly notified", "Reached (delivery confirmed or call answered)",
            "Identifiable but never notified", "Notice channels used", "Channel",
            "Indirect notice (website, social media, shops, press; art. 35(4))",
            "Remedies completed (art. 37), units", "Remedy"],
           ("Total (whole recall)", (6, 4))),
}  # fmt: skip


def test_fda_nhtsa_and_eu_workbooks_have_their_forms_labels_in_order(metrics_store):
    for form, (order, (label, figures)) in FORM_ORDERS.items():
        cells = list(load_workbook(io.BytesIO(to_xlsx(regulator.build(metrics_store, form, "R1", "2026-03")))).active
                     .iter_rows(values_only=True))  # fmt: skip
        labels = [r[0] for r in cells if r and r[0]]
        assert labels[2] == "Status as of 2026-04-01 00:00 CDT (the end of the period)", form
        positions = [labels.index(x) for x in order]
        assert positions == sorted(positions), form
        assert next(r for r in cells if r[0] == label)[1:3] == figures, form  # numbers, not text
    # the last form, eu: the regions' columns, this period beside cumulative
    assert [c for c in next(r for r in cells if r[0] == "Country / region") if c] == [
        "Country / region", "Affected units", "Identifiable consumers", "Directly notified, this period",
        "Directly notified, cumulative", "Reached, this period", "Reached, cumulative",
        "Units remedied, this period", "Units remedied, cumulative", "Correction rate",
    ]  # fmt: skip


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (scripts/install-test-deps.sh)")
def test_pdf_of_a_report_from_the_command_line(metrics_store, tmp_path):
    """`--out x.pdf` prints the report with chromium; at a report time in March (--as-of) only U3's
    remedy (03-15) has happened, and the report says so at its head."""
    path = metrics_store.execute("PRAGMA database_list").fetchall()[0][2]
    metrics_store.close()
    out = tmp_path / "mpr.pdf"
    args = ["regulator", "cpsc", "--db", path, "--period", "2026-03", "--as-of", "2026-03-17T12:00:00Z"]
    assert main([*args, "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "CPSC Monthly Progress Report — Corrective Action Plan" in text
    assert "Status as of 2026-03-17 07:00 CDT (the report time; the period runs to 2026-03-31)" in text
    assert re.search(r"^\s*Total\s+6\s+1\s+1\s*$", text, re.M)  # affected, this period, cumulative
    assert re.search(r"With consumers\s+unknown\s+unknown\s+unknown", text)


def test_html_escapes_text_from_the_store(metrics_store):
    metrics_store.execute("UPDATE recalls_versions SET product = '<script>alert(1)</script>' WHERE recall_id = 'R1'")
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
