"""The results as markdown (docs/benchmarks.md): command, machine, commit, one table, targets.

Targets are the issues' ("Fast at recall scale"; "Speed, round two": CSV ingest of both CSV
families ≥ 50 % of DuckDB's read_csv with default options, peak memory ≤ 1.5 GiB); most are
stated at 10M contacts. Each row says
whether the figure measured at its scale meets the target, or misses it by how much; a figure
measured below 10M only indicates the trend toward the 10M target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.generate import label
from bench.measure import Stat

GIB = 1024**3


@dataclass(frozen=True)
class Target:
    """A target: its text, the value checked (from a stat and its ceiling/report/pandas peers),
    the bound, and whether higher is better."""

    text: str
    value: Callable[[Stat, dict[str, Stat]], float | None]
    bound: float
    higher_is_better: bool
    unit: str = ""

    def judge(self, stat: Stat, peers: dict[str, Stat]) -> tuple[str, str]:
        """(value as text, verdict)."""
        v = self.value(stat, peers)
        if v is None:
            return "", "n/a"
        shown = f"{v:,.3g}{self.unit}"
        ok = v >= self.bound if self.higher_is_better else v <= self.bound
        if ok:
            return shown, "met"
        factor = self.bound / v if self.higher_is_better else v / self.bound
        return shown, f"missed ({factor:.1f}× off)"


def _median(stat: Stat, _: dict[str, Stat]) -> float:
    return stat.median


def _csv_ratio(ceiling_name: str) -> Callable[[Stat, dict[str, Stat]], float | None]:
    def ratio(stat: Stat, peers: dict[str, Stat]) -> float | None:
        ceiling = peers.get(ceiling_name)
        return ceiling.median / stat.median * 100 if ceiling else None  # same rows: time ratio = throughput ratio

    return ratio


def _pandas_ratio(stat: Stat, peers: dict[str, Stat]) -> float | None:
    ours = peers.get("report (metrics.build_report)")
    return stat.median / ours.median if ours else None


TARGETS: dict[str, Target] = {
    "ingest: canonical contacts CSV": Target(
        "≥ 50 % of DuckDB read_csv", _csv_ratio("ceiling: DuckDB read_csv (same CSV)"), 50, True, " %"
    ),
    "ingest: Zendesk admin CSV": Target(
        "≥ 50 % of DuckDB read_csv", _csv_ratio("ceiling: DuckDB read_csv (Zendesk CSV)"), 50, True, " %"
    ),
    "ingest: Amazon Connect NDJSON": Target(
        "≥ 150k records/s", lambda s, _: s.rows / s.median, 150_000, True, " rec/s"
    ),
    "10k-row export into the store of N": Target("≤ 1 s at 10M", _median, 1.0, False, " s"),
    "report (metrics.build_report)": Target("≤ 2 s at 10M", _median, 2.0, False, " s"),
    "pandas baseline (same metrics)": Target("report ≥ 50× faster (1M, 10M)", _pandas_ratio, 50, True, "×"),
}
PAGE_COLD = Target("≤ 3 s cold at 10M", _median, 3.0, False, " s")
PAGE_WARM = Target("≤ 300 ms warm at 10M", _median, 0.3, False, " s")
PEAK = Target("≤ 1.5 GiB (any ingest)", lambda s, _: s.median / GIB, 1.5, False, " GiB")


POSTGRES = "postgresql: "
LOAD_ALL = "load: all files of N"  # measured for the comparison with PostgreSQL only


def engine_ratio(stat: Stat, peers: dict[str, Stat]) -> tuple[str, str, str]:
    """A PostgreSQL row beside DuckDB's row of the same measure: (target text, value, verdict)."""
    duck = peers.get(stat.measure.removeprefix(POSTGRES))
    if duck is None:
        return "beside DuckDB (same run)", "", "n/a"
    ratio = stat.median / duck.median
    return "beside DuckDB (same run)", f"{ratio:.2f}× DuckDB's time", "slower" if ratio > 1 else "faster"


def target_for(stat: Stat) -> Target | None:
    if stat.measure.startswith("page "):
        return PAGE_COLD if stat.measure.endswith("cold") else PAGE_WARM
    if stat.measure.startswith("peak memory: ingest"):
        return PEAK  # the target is for ingest; a report's or a page's peak is shown without one
    return TARGETS.get(stat.measure)


def _rows(shown: list[Stat], stats: list[Stat]) -> list[str]:
    """One table row per stat of ``shown``, judged against the stats of its scale in ``stats``."""
    lines = []
    for scale in sorted({s.scale for s in shown}):
        peers = {s.measure: s for s in stats if s.scale == scale}
        for s in (s for s in shown if s.scale == scale):
            if s.measure.startswith(POSTGRES):
                text, value, verdict = engine_ratio(s, peers)
            else:
                target = target_for(s)
                value, verdict = target.judge(s, peers) if target else ("", "")
                text = target.text if target else ""
            lines.append(
                f"| {label(scale)} | {s.measure} | {_fmt(s, s.min)} | {_fmt(s, s.median)} | {_fmt(s, s.max)} | "
                f"{_throughput(s)} | {text} | {value} | {verdict} |"
            )
    return lines


def _fmt(stat: Stat, v: float) -> str:
    if stat.unit == "bytes":
        return f"{v / 1024**2:,.0f} MiB"
    return f"{v * 1000:,.0f} ms" if v < 1 else f"{v:,.2f} s"


def _throughput(stat: Stat) -> str:
    parts = []
    if stat.rows and stat.unit == "s" and not stat.measure.startswith("10k"):
        parts.append(f"{stat.rows / stat.median:,.0f} rows/s")
    if stat.size:
        parts.append(f"{stat.size / 1e6 / stat.median:,.1f} MB/s")
    return ", ".join(parts)


def markdown(
    stats: list[Stat], info: dict[str, str], commands: dict[int, str], runs: dict[int, int], notes: list[str]
) -> str:
    """The whole of docs/benchmarks.md; ``commands``: the command that measured each scale."""
    shown = "\n".join(dict.fromkeys(commands[n] for n in sorted(commands)))
    lines = [
        "# Benchmarks",
        "",
        "Produced by `bench/` (see its module docstrings for what is measured and how) with:",
        "",
        f"```\n{shown}\n```",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; Python {info['python']}, "
        f"DuckDB {info['duckdb']}",
        f"- Commit: `{info['commit']}`",
        "- Runs per measure: " + ", ".join(f"{runs[n]} at {label(n)}" for n in sorted(runs)) + " (peak memory: 1)",
        "- Data: bench/generate.py, seeded; N contacts, N/2 affected units, ~3 outreach events per notified "
        "customer, ~10 % of handled contacts rated. Times are wall-clock, min / median / max over the runs.",
        '- Targets (issues "Fast at recall scale", "Speed, round two") are stated at 10M contacts unless '
        "marked; a verdict at a smaller scale only shows the trend.",
        "",
        "| Scale | Measure | min | median | max | Throughput (median) | Target | Value | Verdict |",
        "|---|---|---:|---:|---:|---|---|---:|---|",
    ]
    duck = [s for s in stats if not s.measure.startswith(POSTGRES) and s.measure != LOAD_ALL]
    lines += _rows(duck, stats)
    postgres = [s for s in stats if s.measure.startswith(POSTGRES) or s.measure == LOAD_ALL]
    if postgres:
        lines += [
            "",
            "## PostgreSQL beside DuckDB",
            "",
            "`--postgres` (bench/postgres.py): the same measures against a throwaway PostgreSQL 15 server on this "
            "machine (default settings), each beside DuckDB's figure from the same run.",
            "",
            "| Scale | Measure | min | median | max | Throughput (median) | Compared | Value | Verdict |",
            "|---|---|---:|---:|---:|---|---|---:|---|",
            *_rows(postgres, stats),
        ]
    if notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"
