"""Screenshot every page of a running dashboard at 1920×1080 into docs/screenshots/.

Usage: ``python scripts/screenshots.py [--url http://localhost:8501] [--out docs/screenshots]``.
Uses Playwright's Python API driving Debian's chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {"overview": ""}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8501")
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        for name, path in PAGES.items():
            page.goto(f"{args.url}/{path}")
            page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=out / f"{name}.png", full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
