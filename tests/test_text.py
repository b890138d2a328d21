"""Data-derived text made literal (ui/text.py); what a browser renders is checked in
tests/browser/test_hardening.py."""

from __future__ import annotations

import polars as pl
from conftest import plain

from ui.charts import coverage_rates, reasons_bars
from ui.text import md

HOSTILE = "[Claim](https://phish.example) ![x](http://phish.example/x.png) :red[URGENT] $x$ # www.phish.example"


def test_md_escapes_every_markdown_construct_and_reads_back_the_same():
    out = md(HOSTILE + "\nsecond line")
    assert "](" not in out and "![" not in out and ":red[" not in out and "$x$" not in out
    assert "://" not in out and "www." not in out.lower()  # autolinks broken
    assert "\n" not in out
    assert plain(out) == HOSTILE + " second line"


def test_chart_labels_from_data_are_not_html():
    link = '<a href="https://phish.example">refund</a>'
    reasons = pl.DataFrame({"reason": [link], "contacts": [3], "share": [1.0]})
    assert reasons_bars(reasons).data[0].y == ('&lt;a href="https://phish.example"&gt;refund&lt;/a&gt;',)
    groups = pl.DataFrame(
        {"region": [link], "affected_customers": [1], "notified": [1], "reached": [1], "engaged": [0], "remedied": [0]}
    )
    assert "<a" not in str(coverage_rates(groups, "region").data[0].x)


def test_a_saved_mapping_name_is_literal_in_its_expander_label(empty_db):
    """Issue 13 item 11: a saved column mapping's name went raw into the Upload page's expander label
    (which renders links and images): it is escaped like every data-derived label."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest
    from test_mappings import WFM

    from store.db import connect
    from store.mappings import save_mapping

    evil = "[Verify](https://phish.example/login) ![x](https://phish.example/p.png)"
    con = connect(empty_db)
    save_mapping(con, evil, WFM)
    con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/upload.py").run()
    (label,) = [e.label for e in at.expander if "phish" in e.label]
    assert "](https://phish" not in label and label.startswith(md(evil))
