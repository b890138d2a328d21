"""The measurements. Each timing is repeated ``runs`` times and summarised as min / median / max.

- **ingest** (per file family): end to end through ``connectors.load.ingest_paths`` (the code
  behind ``python -m connectors ingest``: detect, read, conform, write with the ledger) into a
  fresh store holding only the recall definition (loaded untimed); rows/s = rows read / s and
  MB/s = file bytes / s.
- **ceiling** (per CSV family: canonical contacts, Zendesk admin CSV): DuckDB's own
  ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` with its default options (types sniffed) into
  a fresh database, on the same file; the ratio is ours / ceiling in rows/s.
- **delta**: ``ingest_paths`` of a 10,000-row canonical contacts export (8,000 new, 2,000 newer
  versions) into a copy of the store holding all N contacts (the copy is not timed).
- **report**: ``metrics.build_report`` wall time on the store of N contacts (read-only connection).
- **pandas**: bench/baseline_pandas.py end to end (reading the CSVs included); the ratio is
  pandas / report. Its numbers are checked against the report's for the whole-recall phase.
- **pages**: server-side run time of each page script with ``streamlit.testing.v1.AppTest``
  against a copy of the store (``RECALL_OPS_DB``): cold = a new AppTest after
  ``st.cache_data.clear()`` (module imports are warmed by one untimed run first), warm = the same
  page run again in that AppTest (cached); every page at ``?as_of=`` the data's report time, so
  that a warm run never meets a new minute (the pages' "now" is kept to the minute).
- **peak memory**: each of ingest (CSV and JSON), report and a cold overview page run in a fresh
  child process, which reports its own RSS high-water mark (``VmHWM`` of /proc/self/status, read as
  it finishes; ``ru_maxrss`` is not used because Linux carries the parent's high-water mark across
  fork + exec).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from bench.generate import AS_OF, Dataset

ROOT = Path(__file__).resolve().parent.parent
PAGES = tuple(sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")))


@dataclass
class Stat:
    """One measure at one scale: ``values`` are seconds (or bytes for memory), one per run."""

    scale: int
    measure: str
    unit: str  # "s" or "bytes"
    values: list[float]
    rows: int = 0  # rows processed per run (throughput measures)
    size: int = 0  # bytes processed per run
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def max(self) -> float:
        return max(self.values)


def timed(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> list[float]:
    """Wall times of ``runs`` calls of ``fn`` (``setup`` before each, untimed)."""
    out = []
    for _ in range(runs):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def machine() -> dict[str, str]:
    """CPU model, cores and RAM from /proc; the git commit (with ``+dirty`` for local changes)."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in _lines("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem_kb = next((int(ln.split()[1]) for ln in _lines("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024**2:.1f} GiB",
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
        "commit": commit + ("+dirty" if dirty.stdout.strip() else ""),
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


# --------------------------------------------------------------------------------------------
# Stores
# --------------------------------------------------------------------------------------------


def _fresh_store(path: Path, ds: Dataset) -> duckdb.DuckDBPyConnection:
    """A new store at ``path`` holding only the recall definition."""
    from connectors.load import ingest_paths
    from store.db import connect

    for p in (path, path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    con = connect(path)
    ingest_paths(con, [ds.path("recall.toml")])
    return con


def base_store(ds: Dataset) -> Path:
    """The store of N contacts (all canonical files loaded), built once and cached beside the data;
    a cached store written by an older version is brought up to date (and checkpointed) first."""
    from connectors.load import Failure, ingest_paths
    from store.db import connect

    path = ds.path("store.duckdb")
    done = ds.path(".store-complete")
    if done.exists() and path.exists():
        with connect(path) as con:
            con.execute("CHECKPOINT")
        return path
    path.unlink(missing_ok=True)
    con = connect(path)
    results = ingest_paths(con, ds.canonical)
    con.execute("CHECKPOINT")
    con.close()
    failed = [r for r in results if isinstance(r, Failure) or r.quarantined]
    if failed:
        raise RuntimeError(f"building the benchmark store: {failed}")
    done.touch()
    return path


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------

FAMILIES = {  # measure name → file
    "ingest: canonical contacts CSV": "contacts.csv",
    "ingest: Zendesk admin CSV": "zendesk_tickets.csv",
    "ingest: Amazon Connect NDJSON": "amazon_connect.ndjson",
}
CEILINGS = {  # measure name → file; in the order of the CSV families of FAMILIES
    "ceiling: DuckDB read_csv (same CSV)": "contacts.csv",
    "ceiling: DuckDB read_csv (Zendesk CSV)": "zendesk_tickets.csv",
}


def ingest(ds: Dataset, runs: int, tmp: Path) -> list[Stat]:
    """End-to-end ingest per file family into a fresh store each run, and DuckDB's read_csv ceiling."""
    from connectors.load import ingest_paths

    out: list[Stat] = []
    db = tmp / "ingest.duckdb"
    for name, file in FAMILIES.items():
        path = ds.path(file)
        state: dict[str, object] = {}

        def setup(state=state) -> None:
            if "con" in state:
                state["con"].close()
            state["con"] = _fresh_store(db, ds)

        def run(path=path, state=state) -> None:
            (state["result"],) = ingest_paths(state["con"], [path])

        values = timed(run, runs, setup)
        state["con"].close()
        result = state["result"]
        if not hasattr(result, "read"):
            raise RuntimeError(f"{file}: {result}")
        out.append(Stat(ds.n_contacts, name, "s", values, rows=result.read, size=path.stat().st_size))

    ceiling_db = tmp / "ceiling.duckdb"

    def fresh() -> None:
        ceiling_db.unlink(missing_ok=True)

    for (name, file), ours in zip(CEILINGS.items(), (out[0], out[1]), strict=True):
        csv = ds.path(file)

        def read_csv(csv=csv) -> None:
            with duckdb.connect(str(ceiling_db)) as con:
                con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')")

        out.append(Stat(ds.n_contacts, name, "s", timed(read_csv, runs, fresh), ours.rows, csv.stat().st_size))
    return out


def delta(ds: Dataset, store: Path, runs: int, tmp: Path) -> Stat:
    """A 10k-row export loaded into a copy of the store of N contacts."""
    from connectors.load import ingest_paths
    from store.db import connect

    copy = tmp / "delta.duckdb"
    state: dict[str, duckdb.DuckDBPyConnection] = {}

    def setup() -> None:
        if "con" in state:
            state["con"].close()
        shutil.copyfile(store, copy)
        os.sync()  # the copy's writes land before the timing starts, not during it
        state["con"] = connect(copy)

    def run() -> None:
        ingest_paths(state["con"], [ds.path("delta_10k.csv")])

    values = timed(run, runs, setup)
    state["con"].close()
    return Stat(ds.n_contacts, "10k-row export into the store of N", "s", values, rows=10_000)


def report(ds: Dataset, store: Path, runs: int) -> Stat:
    """``metrics.build_report`` on the store of N contacts."""
    from metrics import build_report

    with duckdb.connect(str(store), read_only=True) as con:
        values = timed(lambda: build_report(con, as_of=AS_OF), runs)
    return Stat(ds.n_contacts, "report (metrics.build_report)", "s", values)


def pandas_memory_bytes(n_contacts: int) -> float:
    """What the pandas baseline needs: 2.9 GiB peak measured at 1M contacts, in proportion."""
    return 2.9 * 1024**3 * n_contacts / 1_000_000


def available_bytes() -> int:
    """MemAvailable of /proc/meminfo."""
    kb = next((int(ln.split()[1]) for ln in _lines("/proc/meminfo") if ln.startswith("MemAvailable")), 0)
    return kb * 1024


def pandas_baseline(ds: Dataset, store: Path, runs: int) -> tuple[Stat, list[str]]:
    """The pandas notebook's time, and its differences from the report (whole recall + coverage)."""
    from bench.baseline_pandas import compare, compute
    from metrics import build_report

    result: dict[str, object] = {}

    def run() -> None:
        result["pandas"] = compute(ds.folder, AS_OF)

    values = timed(run, runs)
    with duckdb.connect(str(store), read_only=True) as con:
        ours = build_report(con, as_of=AS_OF)
    return Stat(ds.n_contacts, "pandas baseline (same metrics)", "s", values), compare(ours, result["pandas"])


def pages(ds: Dataset, store: Path, runs: int, tmp: Path) -> list[Stat]:
    """Cold and warm server-side run time of every page script (AppTest, through app.py's router)."""
    copy = tmp / "pages.duckdb"
    shutil.copyfile(store, copy)
    os.sync()
    return page_times(str(copy), ds.n_contacts, runs)


def page_times(db: str, n_contacts: int, runs: int, prefix: str = "") -> list[Stat]:
    """Each page run cold (caches cleared) then warm against the store ``db`` (a DuckDB file or a
    PostgreSQL URL); measures named ``{prefix}page …``. A page with tabs (ui/tabs.py: only the
    open one runs) is also timed with each of its other tabs open, ``page … [tab]``."""
    import functools

    import streamlit as st
    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import AppTest

    from ui.tabs import key as tabs_key

    # A new AppTest scans every installed distribution for components (0.15–0.3 s); a server does
    # that once at start, not per page view, so it is done once here too.
    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
    os.environ["RECALL_OPS_DB"] = db
    app = str(ROOT / "app.py")
    AppTest.from_file(app, default_timeout=600).run()  # imports, untimed

    def timed_runs(page: str, tab: str | None) -> tuple[list[float], list[float], list[str]]:
        cold, warm, tabs = [], [], []
        for _ in range(runs):
            st.cache_data.clear()
            at = AppTest.from_file(app, default_timeout=600)
            at.query_params["as_of"] = AS_OF.isoformat() + "Z"
            if tab is not None:
                at.session_state[tabs_key(Path(page).stem)] = tab
            at.switch_page(page)
            t = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t)
            if at.exception:
                raise RuntimeError(f"{page} [{tab}]: {at.exception}")
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
            tabs = [t.label for t in at.tabs]
        return cold, warm, tabs

    out: list[Stat] = []
    for page in PAGES:
        cold, warm, tabs = timed_runs(page, None)
        out.append(Stat(n_contacts, f"{prefix}page {page}: cold", "s", cold))
        out.append(Stat(n_contacts, f"{prefix}page {page}: warm", "s", warm))
        for tab in tabs[1:]:
            cold, warm, _ = timed_runs(page, tab)
            out.append(Stat(n_contacts, f"{prefix}page {page} [{tab}]: cold", "s", cold))
            out.append(Stat(n_contacts, f"{prefix}page {page} [{tab}]: warm", "s", warm))
    return out


# --------------------------------------------------------------------------------------------
# Peak memory: one child process per task
# --------------------------------------------------------------------------------------------

PEAK_TASKS = ("ingest-csv", "ingest-json", "report", "page")


def peak_memory(ds: Dataset, store: Path, tmp: Path) -> list[Stat]:
    """RSS high-water mark of each task in a fresh ``python -m bench.measure`` child."""
    out = []
    for task in PEAK_TASKS:
        cmd = [sys.executable, "-m", "bench.measure", task, str(ds.folder), str(ds.n_contacts), str(store), str(tmp)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if proc.returncode:
            raise RuntimeError(f"peak-memory child {task} exited {proc.returncode}: {proc.stderr[-2000:]}")
        hwm_kb = int(proc.stdout.strip().splitlines()[-1])
        out.append(Stat(ds.n_contacts, f"peak memory: {task}", "bytes", [hwm_kb * 1024]))
    return out


def _child(task: str, folder: Path, n: int, store: Path, tmp: Path) -> None:
    ds = Dataset(folder, n)
    if task.startswith("ingest"):
        from connectors.load import ingest_paths

        con = _fresh_store(tmp / f"peak-{task}.duckdb", ds)
        ingest_paths(con, [ds.path("contacts.csv" if task == "ingest-csv" else "amazon_connect.ndjson")])
        con.close()
    elif task == "report":
        report(ds, store, 1)
    elif task == "page":
        from streamlit.testing.v1 import AppTest

        copy = tmp / "peak-page.duckdb"
        shutil.copyfile(store, copy)
        os.environ["RECALL_OPS_DB"] = str(copy)
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    status = Path("/proc/self/status").read_text().splitlines()
    print(next(ln.split()[1] for ln in status if ln.startswith("VmHWM:")))


if __name__ == "__main__":
    _child(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
