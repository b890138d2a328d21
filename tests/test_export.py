"""Downloads: personal data masked, formula-like cells neutralised."""

import polars as pl

from ui.export import masked, spreadsheet_safe, to_xlsx


def test_masking_and_formula_injection():
    frame = pl.DataFrame(
        {
            "customer_email": ["ann.lee@example.com", None],
            "customer_phone": ["+13125550142", "+447911123456"],
            "note": ['=HYPERLINK("http://x")', "ok"],
            "reason": ["+1 attack", "\tTAB"],
            "count": [1, 2],
        }
    )
    out = spreadsheet_safe(masked(frame)).to_dicts()
    assert out[0]["customer_email"] == "a***@example.com" and out[1]["customer_email"] is None
    assert masked(frame)["customer_phone"].to_list() == ["+*******0142", "+********3456"]
    assert out[0]["customer_phone"] == "'+*******0142"  # a leading + would start a formula
    assert out[0]["note"].startswith("'=") and out[1]["note"] == "ok"
    assert out[0]["reason"] == "'+1 attack" and out[1]["reason"] == "'\tTAB"
    assert masked(frame, show_pii=True)["customer_email"][0] == "ann.lee@example.com"


def test_xlsx_download_opens():
    import io

    from openpyxl import load_workbook

    data = to_xlsx(spreadsheet_safe(pl.DataFrame({"a": ["=1+1"], "b": [2]})))
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[2]] == ["'=1+1", 2]


def test_xlsx_download_drops_control_characters_a_workbook_cannot_hold():
    """Issue 13 item 18: a ``\\x0b`` (vertical tab) from an export made the Excel download crash."""
    import io

    from openpyxl import load_workbook

    frame = pl.DataFrame({"reason\x01": ["line\x0bbreak", "bell\x07", "tab\tkept\nand newline"], "n": [1, 2, 3]})
    ws = load_workbook(io.BytesIO(to_xlsx(spreadsheet_safe(frame)))).active
    assert [c.value for c in ws[1]] == ["reason", "n"]
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == ["linebreak", "bell", "tab\tkept\nand newline"]
