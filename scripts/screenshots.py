"""Refresh docs/screenshots/: every page at 1920×1080 on the bundled sample data.

Usage: ``python scripts/screenshots.py [--out docs/screenshots]``. Starts its own
``streamlit run serve.py`` on a fresh store (the sample recall loads on first start) and drives
Debian's chromium with Playwright (tests/browser/harness.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]
from harness import CHROMIUM, CHROMIUM_ARGS, Server, wait_for_app  # noqa: E402

from ui.navigation import PAGES  # noqa: E402

REPLAY = "as_of=2026-03-03T18:00:00Z"  # the afternoon after the announcement: day one in full swing
QUERY = {"standup": f"kiosk=1&{REPLAY}"}  # every other page is shown as it opens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "shots.duckdb", Path(tmp) / "streamlit.log")
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                for shown in PAGES:  # ui/navigation.py
                    query = QUERY.get(shown.name)
                    page.goto(f"{server.url}/{shown.path}" + (f"?{query}" if query else ""))
                    wait_for_app(page, shown.ready)
                    page.wait_for_timeout(1500)
                    page.screenshot(path=out / f"{shown.name}.png")
                    print(out / f"{shown.name}.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
