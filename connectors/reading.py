"""Reading one file through its connector, with the checks that belong in the load's warnings.

:func:`read_file` is what loading (connectors/load.py) and the Upload page's preview both run, so
a file shows the same warnings before it is loaded as in its load report and the ledger:

- **Invalid phone numbers** (a length the country never uses, e.g. 13 digits after ``+1``): the
  raw text is stored, E.164 left empty; the warning counts them and names the first rows.
- **Numeric dates whose order the values do not decide** (no first or second field above 12,
  e.g. ``03/04/2026``): read month first unless the upload says day first (``--date-format``,
  the Upload page's choice, a saved mapping's ``date_format``); the warning names the column.
  A column whose values decide (``25/03/2026``) is read their way, whatever the upload says.
- **Timestamps out of the recall's window**: when more than :data:`OUT_OF_WINDOW_SHARE` of the
  file's timestamps (every time column of its main table) fall outside [announcement − 30 days,
  closure + 90 days] of the upload's recall (when none is named, of the span from the first
  announcement to the last closure of the defined recalls), or after the moment of loading, a
  warning says how many and shows the first — usually a wrong zone or day/month order. Without a
  closure the window has no end.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType

import duckdb
import polars as pl

from connectors import mapped
from connectors.base import Findings, Parsed, ReadContext, SourceFile
from store.mappings import MappingError, date_format_of
from store.schema import TABLES

OUT_OF_WINDOW_SHARE = 0.05
BEFORE_ANNOUNCEMENT = timedelta(days=30)
AFTER_CLOSURE = timedelta(days=90)
SHOWN_ROWS = 5


def read_file(
    module: ModuleType,
    f: SourceFile,
    ctx: ReadContext,
    mapping: dict | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Parsed | Iterator[Parsed]:
    """``module.read(f, ctx)`` (``mapped.read`` with a mapping spec) with the warnings of this
    module's docstring added: to the Parsed, or, for a file read in parts, as a last part that
    carries only warnings. ``ctx.findings`` starts empty on every call (a re-read starts over).

    A connector whose records complete records of other files (Twilio Voice: a dialled leg and the
    call it belongs to) has ``complete(parsed, con, ctx)``, run here with the store ``con``."""
    ctx.findings = Findings()
    parsed = mapped.read(f, ctx, mapping) if module is mapped else module.read(f, ctx)
    if isinstance(parsed, Parsed) and con is not None and hasattr(module, "complete"):
        parsed = module.complete(parsed, con, ctx)
    if isinstance(parsed, Parsed):
        clock = TimeCheck(ctx)
        clock.add(parsed)
        parsed.warnings = merged(parsed.warnings, warnings(f, ctx, clock))
        return parsed
    return _parts(parsed, f, ctx)


def _parts(parts: Iterator[Parsed], f: SourceFile, ctx: ReadContext) -> Iterator[Parsed]:
    clock = TimeCheck(ctx)
    primary = None
    for part in parts:
        primary = primary or part.primary
        clock.add(part)
        yield part
    extra = warnings(f, ctx, clock)
    if extra and primary:
        yield Parsed(primary, {}, rows_read=0, warnings=extra)


def merged(first: list[str], more: list[str]) -> list[str]:
    return first + [w for w in more if w not in first]


def warnings(f: SourceFile, ctx: ReadContext, clock: TimeCheck) -> list[str]:
    """The findings and the time check, worded."""
    out = []
    rows = sorted(ctx.findings.invalid_phone_rows)
    if rows:
        shown = ", ".join(map(str, rows[:SHOWN_ROWS])) + (
            f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > 5 else ""
        )
        out.append(
            f"{f.name}: {len(rows)} phone number(s) cannot be valid (a length their country never uses; rows "
            f"{shown}): kept as written, without E.164, so they match no customer by phone"
        )
    for column, example in sorted(ctx.findings.ambiguous_dates.items() if ctx.date_format is None else []):
        read, other = (
            ("day first", "month-first")
            if ctx.findings.date_orders[column][0] == "day_first"
            else (
                "month first",
                "day-first",
            )
        )
        out.append(
            f"{f.name}: dates in {column} such as {example!r} could be day or month first (no day above 12); "
            f"read {read} — if they are not, load again with --date-format {other} (or choose the order on "
            "the Upload page)"
        )
    if note := clock.warning(f):
        out.append(note)
    return out


@dataclass
class TimeCheck:
    """Counts a file's timestamps outside its recall's window or in the future, part by part."""

    ctx: ReadContext
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))
    total: int = 0
    outside: int = 0
    examples: list[tuple[int, str, datetime]] = field(default_factory=list)

    def add(self, part: Parsed) -> None:
        frame = part.tables.get(part.primary)
        if frame is None or frame.height == 0 or part.primary == "recalls":
            return
        start, end = self.ctx.window or (None, None)
        for c in TABLES[part.primary].columns:
            if c.type != "ts" or c.name not in frame.columns:
                continue
            values = frame.select("source_row", pl.col(c.name).alias("t")).filter(pl.col("t").is_not_null())
            bad = pl.col("t") > self.now
            if start is not None:
                bad = bad | (pl.col("t") < start)
            if end is not None:
                bad = bad | (pl.col("t") > end)
            hits = values.filter(bad)
            self.total += values.height
            self.outside += hits.height
            for row, at in hits.head(SHOWN_ROWS - len(self.examples)).iter_rows():
                self.examples.append((row, c.name, at))

    def warning(self, f: SourceFile) -> str | None:
        if not self.total or self.outside / self.total <= OUT_OF_WINDOW_SHARE:
            return None
        start, end = self.ctx.window or (None, None)
        span = (
            "later than now"
            if start is None
            else (f"before {start:%Y-%m-%d}" + (f" or after {end:%Y-%m-%d}" if end else "") + ", or later than now")
        )
        shown = "; ".join(f"row {r} {c} {at:%Y-%m-%d %H:%M} UTC" for r, c, at in self.examples)
        who = f"recall {self.ctx.recall_id}" if self.ctx.recall_id else "any defined recall"
        return (
            f"{f.name}: {self.outside:,} of {self.total:,} timestamps ({self.outside / self.total:.0%}) fall outside "
            f"the window of {who} ({span}): e.g. {shown}. Check the time zone and the day/month order before "
            "relying on these rows"
        )


def recall_window(con: duckdb.DuckDBPyConnection, recall_id: str | None) -> tuple | None:
    """(announcement − 30 days, closure + 90 days) of ``recall_id``, else the span of every defined
    recall; the end is None when a recall has no closure; None when no recall is defined."""
    where, params = ("WHERE recall_id = ?", [recall_id]) if recall_id else ("", [])
    row = con.execute(
        f"SELECT min(announced_at), CASE WHEN count(*) = count(closed_at) THEN max(closed_at) END, count(*) "
        f"FROM recalls {where}",
        params,
    ).fetchall()[0]
    if not row[2] or row[0] is None:
        return None
    return row[0] - BEFORE_ANNOUNCEMENT, (row[1] + AFTER_CLOSURE if row[1] is not None else None)


def date_format_arg(value: str) -> str:
    """``--date-format day-first|month-first`` → ``day_first`` / ``month_first``; argparse reports
    any other value."""
    try:
        return date_format_of(value) or ""
    except MappingError as e:
        raise argparse.ArgumentTypeError(str(e)) from e
