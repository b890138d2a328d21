"""PostgreSQL beside DuckDB at one scale (``python -m bench --postgres``): the same measures, in the
same run, against a throwaway PostgreSQL 15 server on this machine (bench/pg_server.py), each shown
with its ratio to DuckDB's figure (bench/report.py).

- ``load: all files of N``: every canonical file of the dataset into an empty store, once per
  engine (the store of N that the other measures read);
- ``ingest: …``: the canonical contacts CSV and the Zendesk admin CSV into a fresh store holding only
  the recall definition, as bench/measure.py's ingest;
- ``10k-row export into the store of N``: into a copy of the loaded database (``CREATE DATABASE …
  TEMPLATE``, untimed) each run;
- ``report`` and every page cold and warm (AppTest), as on DuckDB.

Rows are named ``postgresql: <the DuckDB measure>``. The server runs with PostgreSQL's default
settings (shared_buffers 128 MB) on the same cores as the benchmark.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.generate import AS_OF, Dataset
from bench.measure import FAMILIES, Stat, page_times, timed
from bench.report import LOAD_ALL as LOAD
from bench.report import POSTGRES as PREFIX

CSV_FAMILIES = {k: v for k, v in FAMILIES.items() if v.endswith(".csv")}


def load_all(ds: Dataset, db: str | Path) -> float:
    """Seconds to load every canonical file of ``ds`` into the empty store ``db``."""
    from connectors.load import Failure, ingest_paths
    from store.db import connect

    con = connect(db)
    t = time.perf_counter()
    results = ingest_paths(con, ds.canonical)
    elapsed = time.perf_counter() - t
    con.close()
    failed = [r for r in results if isinstance(r, Failure) or r.quarantined]
    if failed:
        raise RuntimeError(f"loading the benchmark store into {db}: {failed}")
    return elapsed


def duckdb_load(ds: Dataset, tmp: Path) -> Stat:
    """DuckDB's side of ``load: all files of N`` (the other DuckDB rows come from bench/measure.py)."""
    return Stat(ds.n_contacts, LOAD, "s", [load_all(ds, tmp / "load-all.duckdb")])


def measures(ds: Dataset, runs: int) -> list[Stat]:
    """Every PostgreSQL row at ``ds``'s scale, on a server started for them and stopped after."""
    from bench.pg_server import start

    server = start()
    pg = next(server)
    try:
        return _measures(ds, runs, pg)
    finally:
        server.close()


def _measures(ds: Dataset, runs: int, pg, pages: bool = True) -> list[Stat]:
    out: list[Stat] = []
    try:
        _measure_into(out, ds, runs, pg, pages)
    finally:
        for s in out:  # what was measured, even when a later measure fails
            print(f"[{ds.n_contacts:,}] {s.measure}: median {s.median:.4g} {s.unit}", flush=True)
    return out


def _measure_into(out: list[Stat], ds: Dataset, runs: int, pg, pages: bool) -> None:
    from connectors.load import ingest_paths
    from metrics import build_report
    from store.db import connect
    from store.pg.engine import dispose

    n = ds.n_contacts
    for name, file in CSV_FAMILIES.items():
        state: dict = {}

        def setup(state=state) -> None:
            if "con" in state:
                state["con"].close()
            state["con"] = connect(pg.fresh())
            ingest_paths(state["con"], [ds.path("recall.toml")])

        def run(file=file, state=state) -> None:
            (state["result"],) = ingest_paths(state["con"], [ds.path(file)])

        values = timed(run, runs, setup)
        state["con"].close()
        out.append(Stat(n, PREFIX + name, "s", values, rows=state["result"].read, size=ds.path(file).stat().st_size))

    base = pg.create("bench_base")
    out.append(Stat(n, PREFIX + LOAD, "s", [load_all(ds, base)]))
    dispose(base)  # no session may stay on a template database

    copies: dict = {}

    def fresh_copy() -> None:
        if "con" in copies:
            copies["con"].close()
        copies["con"] = connect(pg.create(f"delta_{pg.next_name()}", template="bench_base"))

    values = timed(lambda: ingest_paths(copies["con"], [ds.path("delta_10k.csv")]), runs, fresh_copy)
    copies["con"].close()
    out.append(Stat(n, PREFIX + "10k-row export into the store of N", "s", values, rows=10_000))

    con = connect(base, read_only=True)
    report_s = timed(lambda: build_report(con, as_of=AS_OF), runs)
    out.append(Stat(n, PREFIX + "report (metrics.build_report)", "s", report_s))
    con.close()
    if pages:
        out.extend(page_times(base, n, runs, prefix=PREFIX))
