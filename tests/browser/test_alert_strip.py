"""The wall strip in a real browser: a file that trips a rule, dropped into the watched inbox, shows
on the stand-up strip within one refresh, without a click."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from harness import ROOT, Server, wait_for_app

from ui.navigation import BY_NAME

REFRESH_S = 3


def test_a_load_that_trips_a_rule_shows_on_the_strip_within_one_refresh(tmp_path, browser):
    srv = Server(tmp_path / "strip.duckdb", tmp_path / "strip.log", sample=True)
    srv.start()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = None
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(f"{srv.url}/standup?kiosk=1&as_of=now&refresh={REFRESH_S}")
        wait_for_app(page, BY_NAME["standup"].ready)
        assert page.locator("[data-subject='strap frays']").count() == 0
        watcher = subprocess.Popen(
            [sys.executable, "-m", "connectors", "watch", str(inbox), "--db", str(srv.db), "--interval", "0.5"],
            cwd=ROOT,
            stdout=open(tmp_path / "watch.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        # Three owners report a reason nobody gave before, in the last half hour: a problem (critical).
        now = datetime.now(UTC)
        rows = "".join(
            f"zendesk,strip-{i},CS-2026-014,email,inbound,{(now - timedelta(minutes=30 - i)):%Y-%m-%dT%H:%M:%SZ},"
            f"Strap frays,owner{i}@example.com\n"
            for i in range(3)
        )
        drop = inbox / "new_reason.csv.part"
        drop.write_text("source,source_id,recall_id,channel,direction,created_at,reason,customer_email\n" + rows)
        drop.rename(inbox / "new_reason.csv")
        deadline = time.monotonic() + 60
        while not (inbox / "loaded" / "new_reason.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        loaded_at = time.monotonic()
        assert (inbox / "loaded" / "new_reason.csv").exists(), (tmp_path / "watch.log").read_text()
        # The watcher evaluated the rules when the load committed; the strip shows at the next refresh.
        item = page.locator(".alert-item[data-alert='reason-reports'][data-subject='strap frays']")
        item.wait_for(timeout=60_000)
        shown_after_s = time.monotonic() - loaded_at
        assert shown_after_s <= REFRESH_S + 5, f"shown {shown_after_s:.1f} s after the load (refresh {REFRESH_S} s)"
        assert item.get_attribute("data-severity") == "critical"
        text = item.inner_text()
        assert "New reason “Strap frays”" in text and "3 customers" in text and "≥ 3 customers within 72 h" in text
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.alert-what')).fontSize)")
        assert size >= 30, f"the strip's text is {size}px: too small to read across a room"
        strip_bottom = page.evaluate("() => document.querySelector('.alert-strip').getBoundingClientRect().bottom")
        tiles_top = page.evaluate("() => document.querySelector('.wall-grid').getBoundingClientRect().top")
        assert strip_bottom <= tiles_top
        print(f"strip shown {shown_after_s:.1f} s after the load")
        page.screenshot(path=tmp_path / "strip.png")
    finally:
        context.close()
        if watcher:
            watcher.terminate()
            watcher.wait(timeout=20)
        srv.stop()
