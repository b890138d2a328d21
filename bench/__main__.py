"""python -m bench [--scales 100k,1m] [--runs 5[,3]] [--out FILE] [--merge] [--skip pages,peak] [--postgres]

Generates (or reuses) the data for each scale, runs every measure of bench/measure.py, checks
the pandas baseline against the report, prints the table and writes it as markdown. The results
of each scale are also kept in ``<cache>/results-<scale>.json``; ``--merge`` adds the kept results
of the other scales to the markdown (so each scale can be run by its own, time-bounded command).
With ``--postgres`` the load, ingest, delta, report and page measures also run against a throwaway
PostgreSQL server, each beside DuckDB's (bench/postgres.py). Exits 1 when the pandas numbers differ
from the report's.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import measure
from bench.generate import CACHE, Dataset, generate, label, parse_scale
from bench.report import markdown

MEASURES = ("ingest", "delta", "report", "pandas", "pages", "peak")


def _step(name: str, ds: Dataset, store: Path, runs: int, tmp: Path) -> list[measure.Stat]:
    """Run one measure (all but the pandas baseline) at one scale."""
    if name == "ingest":
        return measure.ingest(ds, runs, tmp)
    if name == "delta":
        return [measure.delta(ds, store, runs, tmp)]
    if name == "report":
        return [measure.report(ds, store, runs)]
    if name == "pages":
        return measure.pages(ds, store, runs, tmp)
    return measure.peak_memory(ds, store, tmp)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[2])
    ap.add_argument("--scales", default="100k", help="comma-separated contact counts: 2k, 100k, 1m, 10m")
    ap.add_argument("--runs", default="5", help="runs per timing (min / median / max); one value, or one per scale")
    ap.add_argument("--out", type=Path, default=None, help="markdown file to write (e.g. docs/benchmarks.md)")
    ap.add_argument("--cache", type=Path, default=CACHE, help="where generated data and stores are kept")
    ap.add_argument("--merge", action="store_true", help="also show the kept results of other scales")
    ap.add_argument("--postgres", action="store_true", help="also measure the PostgreSQL store (bench/postgres.py)")
    ap.add_argument("--skip", default="", help=f"comma-separated measures to skip: {', '.join(MEASURES)}")
    args = ap.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))

    stats: list[measure.Stat] = []
    notes: list[str] = []
    mismatched = False
    runs: dict[int, int] = {}
    commands: dict[int, str] = {}
    scales = [parse_scale(s) for s in args.scales.split(",")]
    per_scale = [int(r) for r in args.runs.split(",")]
    for i, n in enumerate(scales):
        runs[n] = per_scale[min(i, len(per_scale) - 1)]
        commands[n] = command
        first = len(stats)
        t0 = time.perf_counter()
        ds = generate(n, args.cache)
        store = measure.base_store(ds)
        print(f"[{label(n)}] data and store ready in {time.perf_counter() - t0:.1f} s ({ds.folder})", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            tmp_path = Path(tmp)
            for name in MEASURES:
                if name in skip:
                    continue
                t0 = time.perf_counter()
                if name == "pandas" and (need := measure.pandas_memory_bytes(n)) > measure.available_bytes():
                    print(f"[{label(n)}] pandas baseline not run: needs about {need / 1024**3:.0f} GiB", flush=True)
                    notes.append(
                        f"{label(n)}: the pandas baseline was not run: reading the CSVs as a notebook does needs "
                        f"about {need / 1024**3:.0f} GiB (2.9 GiB measured at 1M contacts), more than this machine has "
                        f"available ({measure.available_bytes() / 1024**3:.0f} GiB)."
                    )
                    continue
                if name == "pandas":
                    stat, diffs = measure.pandas_baseline(ds, store, runs[n])
                    new = [stat]
                    if diffs:
                        mismatched = True
                        print(f"[{label(n)}] pandas baseline differs from the report:", *diffs, sep="\n  ")
                        notes.append(f"{label(n)}: pandas baseline differs from the report: " + "; ".join(diffs[:10]))
                    else:
                        notes.append(
                            f"{label(n)}: the pandas baseline equals metrics.build_report for the whole recall "
                            "(every phase-`all` figure and the coverage funnel)."
                        )
                else:
                    new = _step(name, ds, store, runs[n], tmp_path)
                stats.extend(new)
                for s in new:
                    print(
                        f"[{label(n)}] {s.measure}: median {s.median:.4g} {s.unit} (min {s.min:.4g}, max {s.max:.4g})"
                    )
                print(f"[{label(n)}] {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
            if args.postgres:
                from bench import postgres

                t0 = time.perf_counter()
                new = [postgres.duckdb_load(ds, tmp_path), *postgres.measures(ds, runs[n])]
                stats.extend(new)
                print(f"[{label(n)}] postgresql done in {time.perf_counter() - t0:.1f} s", flush=True)
        kept = {"command": command, "runs": runs[n], "stats": [asdict(s) for s in stats[first:]]}
        kept["notes"] = [x for x in notes if x.startswith(f"{label(n)}:")]
        (args.cache / f"results-{label(n)}.json").write_text(json.dumps(kept, indent=1))

    if args.merge:
        for path in sorted(args.cache.glob("results-*.json")):
            kept = json.loads(path.read_text())
            n = kept["stats"][0]["scale"] if kept["stats"] else None
            if n is None or n in runs:
                continue
            stats.extend(measure.Stat(**s) for s in kept["stats"])
            runs[n], commands[n] = kept["runs"], kept["command"]
            notes.extend(kept["notes"])
    stats.sort(key=lambda s: s.scale)
    text = markdown(stats, measure.machine(), commands, runs, notes)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)
    return 1 if mismatched else 0


if __name__ == "__main__":
    raise SystemExit(main())
