"""Reporting periods of the regulator reports (docs/regulator-reports.md#periods).

A period is a run of whole local days in the recall's zone, written ``YYYY-MM`` (a month),
``YYYY-Qn`` (a calendar quarter) or ``START..END`` (ISO dates, both days included). It covers the
instants ``(start_at, end_at]``: from the local midnight that starts its first day (excluded) to the
local midnight that ends its last day (included) — so the figures "cumulative to the period's end"
are those of ``metrics report --as-of end_at`` (everything at or before it), and an instant belongs
to exactly one of two consecutive periods.

A report is made at a **report time** (now, or the replayed moment): its figures are those at the
period's ``status_at`` = min(``end_at``, report time) — the rule of ``metrics report --as-of``, so a
period still running is reported as of the report time, never as of an end still to come. A period
that starts at or after the report time has nothing to report and is refused.

The NHTSA schedule (49 U.S.C. 30118(f)): eight calendar quarters from the one holding the
announcement, then three years of four quarters each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3_660  # about ten years: longer periods are refused
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """Whole local days ``first_day``..``last_day`` in ``timezone``; ``start_at``/``end_at`` are
    naive UTC instants (the period is ``(start_at, end_at]``). ``report_at`` (naive UTC, set by
    :meth:`at`): the report time, which caps the figures at :attr:`status_at`."""

    label: str
    first_day: date
    last_day: date
    timezone: str
    report_at: datetime | None = None

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.first_day, self.timezone)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1), self.timezone)

    @property
    def status_at(self) -> datetime:
        """The moment the figures are as of: the period's end, or the report time when earlier."""
        end = self.end_at
        return end if self.report_at is None or self.report_at >= end else self.report_at

    def at(self, report_at: datetime) -> Period:
        """This period reported at ``report_at`` (naive UTC); PeriodError when the period starts at or
        after it (nothing of it has happened by then)."""
        if report_at <= self.start_at:
            moment = report_at.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))
            raise PeriodError(
                f"period {self.label!r} starts {self.first_day} ({self.timezone}), after the report time "
                f"{moment:%Y-%m-%d %H:%M %Z}: nothing of it has happened yet"
            )
        return replace(self, report_at=report_at)

    def as_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "timezone": self.timezone,
            "start_at": self.start_at.isoformat() + "Z",
            "end_at": self.end_at.isoformat() + "Z",
            "status_at": self.status_at.isoformat() + "Z",
            "status": self.status_text(),
        }

    def status_text(self) -> str:
        """The heading "Status as of <moment in the recall's zone>", saying whether it is the period's
        end or the report time (the period still running then)."""
        at = self.status_at.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))
        if self.status_at == self.end_at:
            return f"Status as of {at:%Y-%m-%d %H:%M %Z} (the end of the period)"
        return f"Status as of {at:%Y-%m-%d %H:%M %Z} (the report time; the period runs to {self.last_day})"


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant (naive UTC) at which ``day`` starts in ``timezone``."""
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC).replace(tzinfo=None)


def local_day(instant: datetime, timezone: str) -> date:
    """The local date of a naive UTC instant."""
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def quarter(year: int, q: int, timezone: str) -> Period:
    first = date(year, 3 * q - 2, 1)
    after = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return Period(f"{year}-Q{q}", first, after - timedelta(days=1), timezone)


def month(year: int, m: int, timezone: str) -> Period:
    after = date(year + (m == 12), 1 if m == 12 else m + 1, 1)
    return Period(f"{year}-{m:02d}", date(year, m, 1), after - timedelta(days=1), timezone)


def parse_period(text: str, timezone: str) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` or ``START..END`` as a Period in ``timezone``; PeriodError says why not."""
    raw = (text or "").strip()
    try:
        if m := _MONTH.match(raw):
            if not 1 <= int(m[2]) <= 12:
                raise PeriodError(f"period {raw!r}: month must be 01–12")
            return month(int(m[1]), int(m[2]), timezone)
        if m := _QUARTER.match(raw):
            return quarter(int(m[1]), int(m[2]), timezone)
        if m := _RANGE.match(raw):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise PeriodError(f"period {raw!r}: the end is before the start")
            if (last - first).days >= MAX_DAYS:
                raise PeriodError(f"period {raw!r}: longer than {MAX_DAYS:,} days")
            return Period(f"{first}..{last}", first, last, timezone)
    except ValueError as e:
        if isinstance(e, PeriodError):
            raise
        raise PeriodError(f"period {raw!r}: {e}") from e
    raise PeriodError(f"period {raw[:40]!r}: write YYYY-MM, YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD")


def nhtsa_schedule(announced_at: datetime, timezone: str) -> list[tuple[str, Period]]:
    """(report name, period) of every report: quarterly 1–8 from the quarter holding the
    announcement, then annual 1–3 (each the four quarters after the last report)."""
    first = local_day(announced_at, timezone)
    year, q = first.year, (first.month - 1) // 3 + 1
    quarters = []
    for _ in range(8 + 12):
        quarters.append(quarter(year, q, timezone))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    out = [(f"Quarterly report {i + 1} of 8", p) for i, p in enumerate(quarters[:8])]
    for k in range(3):
        span = quarters[8 + 4 * k : 12 + 4 * k]
        label = f"{span[0].first_day}..{span[-1].last_day}"
        out.append((f"Annual report {k + 1} of 3", Period(label, span[0].first_day, span[-1].last_day, timezone)))
    return out
