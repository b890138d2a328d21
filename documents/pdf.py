"""HTML → PDF by headless chromium's print-to-PDF (Playwright driving Debian's chromium).

The browser runs in a child process (``python -m documents.pdf IN.html OUT.pdf``) with a time cap,
so a stuck or crashed browser costs the caller a clear error, not a hung page. The page may load
nothing: every request that is not the document itself or a ``data:`` URL is aborted.
Chromium: ``$RECALL_OPS_CHROMIUM``, default ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_S = 120


class PdfError(RuntimeError):
    pass


def chromium() -> str:
    return os.environ.get("RECALL_OPS_CHROMIUM") or "/usr/bin/chromium"


def available() -> bool:
    return Path(chromium()).exists()


def html_to_pdf(html: str, timeout_s: float = TIMEOUT_S) -> bytes:
    """The PDF of ``html`` (A4, backgrounds printed); PdfError says why when it cannot be made."""
    if not available():
        raise PdfError(f"no chromium at {chromium()} (set RECALL_OPS_CHROMIUM): the HTML can be printed instead")
    with tempfile.TemporaryDirectory(prefix="recall-ops-pdf-") as tmp:
        src, out = Path(tmp) / "doc.html", Path(tmp) / "doc.pdf"
        src.write_text(html, encoding="utf-8")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "documents.pdf", str(src), str(out)],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                cwd=Path(__file__).resolve().parent.parent,
            )
        except subprocess.TimeoutExpired as e:
            raise PdfError(f"chromium did not print the PDF within {timeout_s:.0f} s") from e
        if done.returncode != 0 or not out.exists():
            raise PdfError("chromium could not print the PDF: " + (done.stderr.strip().splitlines() or ["?"])[-1])
        return out.read_bytes()


def _print(src: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # set_content loads nothing from outside
            page.set_content(src.read_text(encoding="utf-8"), wait_until="load")
            page.pdf(path=str(out), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()


if __name__ == "__main__":
    _print(Path(sys.argv[1]), Path(sys.argv[2]))
