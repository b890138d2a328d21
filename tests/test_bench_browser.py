"""bench/browser.py's summary: nearest-rank p95, the targets and verdicts of issue 19."""

from __future__ import annotations

from bench.browser import Timing, markdown, target_for


def test_rows_targets_and_verdicts():
    # Twenty trials 1..20 s: median 10.5, p95 by nearest rank = the 19th value.
    inbox = Timing("sample", "inbox → stand-up", [float(s) for s in range(20, 0, -1)])
    assert inbox.row() == ["sample", "inbox → stand-up", "1.00 s", "10.50 s", "19.00 s", "20.00 s"]
    assert target_for(inbox) == 10.0
    assert target_for(Timing("1m", "phase switch", [1.0])) == 1.0
    assert target_for(Timing("sample", "page switch", [1.0])) == 0.5
    assert target_for(Timing("sample", "page complete, warm", [1.0])) is None
    assert target_for(Timing("sample", "phase switch, whole step", [1.0])) is None  # the automation's time too
    text = markdown([inbox, Timing("sample", "first paint, warm", [1.5, 1.9, 2.5])], "python -m bench.browser")
    assert "| ≤ 10 s p95 | missed (1.9× off) |" in text  # p95 19 s against 10 s
    assert "| sample | first paint, warm | 1.50 s | 1.90 s | 2.50 s | 2.50 s | ≤ 2 s | met |" in text
