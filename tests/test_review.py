"""The post-recall review: its data (metrics/review.py), the self-contained HTML, and one real PDF
printed by chromium through the command line (the sample recall)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, load

from documents.review import _volume, review_html
from metrics.__main__ import main
from metrics.review import build_review, review_time
from store.db import connect

SAMPLE = ROOT / "sample_data" / "car_seat"


def test_review_time_defaults_to_two_weeks_after_the_close():
    closed = {"closed_at": datetime(2026, 6, 1, 5)}
    assert review_time(closed, None) == datetime(2026, 6, 15, 5)
    assert review_time({"closed_at": None}, "2026-04-01T00:00:00Z") == datetime(2026, 4, 1)


def test_review_html_is_self_contained_and_masks_customers(metrics_store):
    data = build_review(metrics_store, "R1", "2026-04-01T00:00:00Z")
    # Unreachable at that time (tests/fixtures/metrics/README.md): frank (C3, bounced) only.
    assert data["unreachable_count"] == 1 and data["unreachable"]["customer_ref"].to_list() == ["C3"]
    html = review_html(data)
    assert "frank@x.com" not in html and "f***@x.com" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the review loads nothing from outside"
    for heading in ("Timeline", "Every metric, per phase", "Inbound contacts by channel", "Coverage of affected",
                    "Correction rate against published benchmarks", "Time to notify", "Unreachable customers",
                    "Alerts and reason patterns that fired", "Data provenance"):  # fmt: skip
        assert f">{heading}" in html, heading
    assert html.count("<svg") == 5  # volume, funnel, correction by region and by lot, time to notify
    whats = [what for _, what in data["timeline"]]
    assert whats[0] == "Recall announced (day one begins)" and any(w.startswith("Peak day: ") for w in whats)
    assert "Recall closed" not in whats  # R1 closes on 06-01, after the review time
    assert "Alert history was not included" in html  # build_review alone: the callers add episodes
    # The stages are not nested (issue 12 item 13): bob was reached by a call, never notified.
    assert "Reached is not a subset of notified: 1 reached customer was not notified." in html


def test_review_volume_marks_the_phases_from_the_one_phase_rule():
    """A recall row without ``ongoing_from`` (store/phases.py: A + 168 h) still has its Ongoing mark,
    on the local day the timeline's "Ongoing phase begins" falls on; no close, no Closed mark."""
    recall = {"recall_id": "R", "name": "R", "timezone": "America/Chicago",
              "announced_at": datetime(2026, 3, 2, 15), "ongoing_from": None, "closed_at": None}  # fmt: skip
    days = [date(2026, 3, d) for d in range(1, 12)]
    daily = pl.DataFrame({"day": days * 2, "channel": ["phone"] * 11 + ["all"] * 11, "contacts": [1] * 22})
    svg = _volume({"volume": daily}, recall)
    marks = re.findall(r'<line x1="([\d.]+)"[^>]*stroke-dasharray', svg)
    labels = re.findall(r'font-size="10">([^<]*)<', svg)
    assert labels == ["Announced", "Ongoing"] and len(marks) == 2
    # 03-02 and 03-09 (local) are the 2nd and 9th of 11 days: the Ongoing line sits 7/10 of the axis later.
    width = (float(marks[1]) - float(marks[0])) / 7
    assert width > 0 and float(marks[0]) == pytest.approx(48 + width)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (scripts/install-test-deps.sh)")
def test_review_pdf_of_the_sample_from_the_command_line(tmp_path):
    con = connect(tmp_path / "sample.duckdb")
    load(con, SAMPLE)
    con.close()
    out = tmp_path / "review.pdf"
    assert main(["review", "--db", str(tmp_path / "sample.duckdb"), "--recall", "CS-2026-014", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Post-recall review — Harbor car seat buckle" in text
    assert "Peak day: 302 inbound contacts" in text
    assert "Alerts and reason patterns that fired\nNo alert fired." in text  # no replay: evaluated only at load
    assert re.search(r"All levels \(remedied units .+?70\.3%\s+65\.0%", text, re.S)  # 2,033 / 2,892 at 06-15
    assert "@example.com" in text and not re.search(r"\b[a-z]+\.[a-z]+@example\.com", text)  # masked
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert 3 <= int(re.search(r"Pages:\s+(\d+)", pages)[1]) <= 10


def test_review_errors_exit_2(tmp_path, capsys):
    assert main(["review", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.docx")]) == 2
    assert "--out must end in .html, .pdf" in capsys.readouterr().err
    assert Path(tmp_path / "r.docx").exists() is False
