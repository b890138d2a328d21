"""Browser-test helpers: a real `streamlit run` server on its own DuckDB file, Debian's chromium."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from functools import cache
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"

from documents.pdf import CHROMIUM_ARGS  # noqa: E402, F401  (one list: the PDF printer and the browser tests)
from ui.first_paint import PENDING  # noqa: E402


@cache
def sample_store() -> Path:
    """The bundled sample loaded once per process exactly as a server loads it into an empty store
    (ui/data.py ``_create``: the ingest, then the alert evaluation after it). A server given a
    store file that does not exist yet starts on a copy of this one: the same store, without each
    server spending a CPU-second loading the sample again."""
    from ui.data import _create

    folder = tempfile.mkdtemp(prefix="recall-ops-sample-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "sample.duckdb"
    _create(str(path))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run serve.py` (the README's command; ``script="app.py"``: the router alone) on
    localhost with its own store file (and, if given, its own secrets.toml instead of the app's
    .streamlit/secrets.toml: sign-in tests; ``options``: extra ``--section.option value`` pairs).
    ``sample``: a store file that does not exist yet starts as the sample store (:func:`sample_store`)
    instead of the server loading the sample into it on the first page visit: for tests that open a
    page first (without it the store stays empty until a page is opened)."""

    def __init__(
        self,
        db: Path,
        log: Path,
        secrets: Path | None = None,
        options: dict[str, str] | None = None,
        script: str = "serve.py",
        sample: bool = False,
    ):
        self.db, self.log, self.port, self.secrets = db, log, free_port(), secrets
        self.options, self.script, self.sample = options or {}, script, sample
        self.url = f"http://localhost:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.sample and isinstance(self.db, Path) and not self.db.exists():
            shutil.copyfile(sample_store(), self.db)
        env = {**os.environ, "RECALL_OPS_DB": str(self.db)}
        cmd = [sys.executable, "-m", "streamlit", "run", self.script, "--server.port", str(self.port)]
        cmd += ["--server.headless", "true", "--server.fileWatcherType", "none"]
        if self.secrets is not None:
            cmd += ["--secrets.files", str(self.secrets)]
        for name, value in self.options.items():
            cmd += [f"--{name}", value]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start; log: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


# What a page shows: its main area (where a page's exception is drawn), else the whole body.
SHOWN = "() => (document.querySelector(\"[data-testid='stMain']\") ?? document.body)?.innerText ?? ''"


def wait_for_app(page, selector: str = "[data-testid='stMain']", timeout_ms: int = 60_000, server=None) -> None:
    """Wait until ``selector`` is shown and the script has finished running (no status widget). On a
    timeout the failure says what the page showed instead and, given the ``server``, the end of its log."""
    try:
        page.wait_for_selector(selector, timeout=timeout_ms)
        # A session's first Overview draws its charts in a second run (ui/first_paint.py).
        page.wait_for_function(f"() => !document.querySelector(\"[class*='{PENDING}']\")", timeout=timeout_ms)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    except PlaywrightTimeout as timeout:
        try:
            shown = page.evaluate(SHOWN)[:2000]
        except PlaywrightError as e:  # a closed or crashed page: the timeout is still the failure
            shown = f"(the page could not be read: {e.message})"
        log = server.log.read_text(errors="replace")[-3000:] if server is not None else "(no server given)"
        report = f"{timeout.message}\n--- the page showed:\n{shown}\n--- the server's log:\n{log}"
        raise AssertionError(report) from None
    page.wait_for_timeout(500)
