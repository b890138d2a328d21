"""Soak test of the wall screen: N browser sessions on the auto-refreshing stand-up page.

``python -m bench.soak [--sessions 20] [--seconds 300] [--refresh 5]`` starts its own
``streamlit run serve.py`` on a fresh store (sample data), opens N kiosk sessions in one headless
chromium (separate contexts), and every 10 s records the server's resident memory and counts
sessions showing an exception, or no tiles for more than 2 s (a fragment redraw is brief). It
prints a summary line and exits 1 on any error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
from harness import CHROMIUM, CHROMIUM_ARGS, Server, wait_for_app  # noqa: E402

from ui.navigation import BY_NAME  # noqa: E402

WALL_READY = BY_NAME["standup"].ready  # a tile is drawn


def status_kib(pid: int, field: str) -> int:
    """A kB field of /proc/PID/status (``VmRSS``, ``VmHWM``…)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_mib(pid: int) -> float:
    return status_kib(pid, "VmRSS") / 1024


def soak(sessions: int, seconds: int, refresh: int, out=print, browser=None) -> tuple[int, list[float]]:
    """Run the soak; (errors, server RSS samples in MiB, one per 10 s). ``browser``: a running
    Playwright chromium to open the sessions in (the tests' own); else one is launched here."""
    if browser is None:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return soak(sessions, seconds, refresh, out, launched)
            finally:
                launched.close()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "soak.duckdb", Path(tmp) / "streamlit.log", sample=True)
        server.start()
        errors, samples = 0, []
        pages = []
        try:
            url = f"{server.url}/standup?kiosk=1&refresh={refresh}&as_of=2026-03-03T18:00:00Z"
            for _ in range(sessions):
                page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
                pages.append(page)
                page.goto(url, timeout=120_000)
                wait_for_app(page, WALL_READY, timeout_ms=120_000)
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                time.sleep(10)
                failed = [pg for pg in pages if pg.locator("[data-testid='stException']").count()]
                blank = [pg for pg in pages if pg.locator(WALL_READY).count() == 0]
                time.sleep(2)  # a tile missing for a moment is the fragment redrawing; count it if it stays
                blank = [pg for pg in blank if pg.locator(WALL_READY).count() == 0]
                for pg in failed:
                    out("  exception:", pg.locator("[data-testid='stException']").first.inner_text()[:300])
                errors += len(failed) + len(blank)
                samples.append(rss_mib(server.proc.pid))
                out(
                    f"t={time.monotonic() - start:5.0f}s rss={samples[-1]:7.1f} MiB "
                    f"exceptions={len(failed)} blank={len(blank)}"
                )
        finally:
            for page in pages:
                page.context.close()
            server.stop()
    return errors, samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--refresh", type=int, default=5)
    args = parser.parse_args()
    errors, samples = soak(args.sessions, args.seconds, args.refresh)
    first, last, peak = samples[0], samples[-1], max(samples)
    print(
        f"soak: {args.sessions} sessions × {args.seconds} s, refresh {args.refresh} s: errors={errors}, "
        f"server RSS first {first:.0f} MiB, last {last:.0f} MiB, peak {peak:.0f} MiB"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
