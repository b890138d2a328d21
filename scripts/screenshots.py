"""Refresh docs/screenshots/: every page at 1920×1080 on the bundled sample data, and the wall at
720p and 4K and in its chart views.

Usage: ``python scripts/screenshots.py [--out docs/screenshots] [--only overview standup]``. Loads
the sample recall into a fresh store as the app does on first start, replays the alert rules over it hourly up to day 9
(docs/alerts.md#replay), starts its own ``streamlit run serve.py`` on that store and drives Debian's
chromium with Playwright (tests/browser/harness.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser"), str(ROOT / "scripts")]
from harness import CHROMIUM, CHROMIUM_ARGS, Server, wait_for_app  # noqa: E402
from upload_shots import upload_flow  # noqa: E402

from ui.navigation import BY_NAME, PAGES  # noqa: E402

REPLAY = "as_of=2026-03-03T18:00:00Z"  # the afternoon after the announcement: day one in full swing
DAY_NINE = "as_of=2026-03-11T00:00:00Z"  # 19:00 on day 9: the seeded reason cluster is firing
QUERY = {"standup": f"kiosk=1&{REPLAY}", "alerts": DAY_NINE}  # every other page is shown as it opens
# Extra shots beyond one per page: (file name, page, query, what says it has drawn, viewport).
TILES, HD = "[data-value='contacts_today']", (1920, 1080)
EXTRA = [
    ("standup_alert", "standup", f"kiosk=1&{DAY_NINE}", ".alert-strip", HD),
    ("standup_720p", "standup", f"kiosk=1&{REPLAY}", TILES, (1280, 720)),
    ("standup_4k", "standup", f"kiosk=1&{REPLAY}", TILES, (3840, 2160)),
    ("standup_volume", "standup", f"kiosk=1&rotate=volume&{DAY_NINE}", "[data-chart='volume']", HD),
    ("standup_coverage", "standup", f"kiosk=1&rotate=coverage&{DAY_NINE}", "[data-chart='coverage']", HD),
]


def prepare(db: Path) -> None:
    """The sample recall, loaded as ui/data.py loads it on first start, and the alert rules replayed
    every hour from its first contact to the evening of day 9."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from alerts.engine import replay
    from connectors.load import ingest_paths
    from store.db import connect
    from ui.data import SAMPLE_DIR, SAMPLE_LOADER

    con = connect(db)
    ingest_paths(con, [SAMPLE_DIR], loaded_by=SAMPLE_LOADER)
    replay(con, "2026-02-15T06:00:00Z", "2026-03-11T00:00:00Z", 60)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*", help="shot names to refresh (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp) / "shots.duckdb")
        server = Server(Path(tmp) / "shots.duckdb", Path(tmp) / "streamlit.log")
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                shots = [(p.name, p.path, QUERY.get(p.name), p.ready, HD) for p in PAGES]  # ui/navigation.py
                shots += [(name, BY_NAME[on].path, query, ready, size) for name, on, query, ready, size in EXTRA]
                shots = [s for s in shots if not args.only or s[0] in args.only]
                for name, path, query, ready, size in shots:
                    page.set_viewport_size({"width": size[0], "height": size[1]})
                    page.goto(f"{server.url}/{path}" + (f"?{query}" if query else ""))
                    wait_for_app(page, ready)
                    page.wait_for_timeout(1500)
                    page.screenshot(path=out / f"{name}.png")
                    print(out / f"{name}.png")
                page.set_viewport_size({"width": HD[0], "height": HD[1]})
                print(*upload_flow(page, server.url, out, Path(tmp)), sep="\n")  # scripts/upload_shots.py
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
