"""Server memory of one large upload, through each of the Upload page's choosers.

``python -m bench.upload_memory [--mb 512]`` writes a file of that size (text lines no connector
recognises, so the page does not read it through after the upload), then for each
way of serving the dashboard starts its own server on a fresh store, opens the Upload page in
headless chromium, chooses the file and waits until the page has the file:

- ``serve.py`` (the README's command): the chooser of ui/disk_chooser.py, the file written to disk
  as it arrives (ui/disk_upload.py);
- ``app.py``: Streamlit's ``st.file_uploader``, which holds the file in server memory (the baseline).

It reports the server's resident memory before the upload and its high-water mark after it
(``VmRSS`` and ``VmHWM`` of /proc/PID/status), and the ratio of the two growths.
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

from bench.soak import status_kib  # noqa: E402


def filler(path: Path, mib: int) -> Path:
    """``mib`` MiB of 100-byte text lines (no header any connector knows)."""
    line = b"filler " + b"x" * 92 + b"\n"
    block = line * (1024 * 1024 // len(line) + 1)
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(block[: 1024 * 1024])
    return path


def measure(script: str, file: Path, tmp: Path) -> dict[str, float]:
    """(RSS before, peak RSS after, seconds) for one upload of ``file`` through ``script``'s chooser."""
    limit = {"server.maxUploadSize": "2048"}
    server = Server(tmp / f"{script}.duckdb", tmp / f"{script}.log", script=script, options=limit)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{server.url}/upload")
            wait_for_app(page, "text=Choose files" if script == "serve.py" else "[data-testid=stFileUploaderDropzone]")
            time.sleep(2)
            before = status_kib(server.proc.pid, "VmRSS")
            t = time.perf_counter()
            page.locator("input[type='file']").first.set_input_files(str(file))
            page.get_by_role("heading", name="Files").wait_for(timeout=600_000)
            wait_for_app(page, timeout_ms=600_000)
            seconds = time.perf_counter() - t
            peak = status_kib(server.proc.pid, "VmHWM")
            browser.close()
    finally:
        server.stop()
    return {"before_mib": before / 1024, "peak_mib": peak / 1024, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=512, help="size of the uploaded file in MiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        file = filler(Path(tmp) / "large_export.txt", args.mb)
        results = {script: measure(script, file, Path(tmp)) for script in ("serve.py", "app.py")}
    for script, r in results.items():
        growth = r["peak_mib"] - r["before_mib"]
        print(
            f"{script:9} {args.mb} MiB upload: server RSS {r['before_mib']:.0f} MiB before, "
            f"peak {r['peak_mib']:.0f} MiB (+{growth:.0f} MiB), {r['seconds']:.1f} s"
        )
    disk, widget = (results[s]["peak_mib"] - results[s]["before_mib"] for s in ("serve.py", "app.py"))
    print(f"memory growth, Streamlit's uploader / upload to disk: {widget / max(disk, 1):.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
