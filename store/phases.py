"""The phases of a recall (docs/phases.md#bounds), declared once for SQL and for Python.

With A = ``announced_at``, a moment t is in
- ``pre_announcement`` when t < A;
- ``day_one`` when A ≤ t < A + 24 h;
- ``during`` when A + 24 h ≤ t < ``ongoing_from`` (A + 168 h unless the recall says otherwise);
- ``ongoing`` when ``ongoing_from`` ≤ t < ``closed_at`` (no end while the recall is open);
- ``after`` when ``closed_at`` ≤ t (never while the recall is open).

:func:`phase_bounds` gives each phase's [start, end) for a recall row; :func:`phase_sql` is the
same rule as an SQL ``CASE`` over the recall row ``r`` (store/derived/ keeps each contact's
phase with it). Both read :data:`_ENDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

PHASES = ("pre_announcement", "day_one", "during", "ongoing", "after")
DAY_ONE = timedelta(hours=24)  # day one lasts 24 h from the announcement
ONGOING_AFTER = timedelta(hours=168)  # ongoing_from when the recall definition does not give it


def _hours(span: timedelta) -> str:
    return f"INTERVAL {int(span.total_seconds() // 3600)} HOUR"


# The end of each phase but the last (the next one's start), as SQL over the recall row ``r`` and as
# a function of a recall mapping; None = no end (a recall not closed yet).
_ENDS: dict[str, tuple[str, Callable[[Mapping[str, Any]], datetime | None]]] = {
    "pre_announcement": ("r.announced_at", lambda r: r["announced_at"]),
    "day_one": (f"r.announced_at + {_hours(DAY_ONE)}", lambda r: r["announced_at"] + DAY_ONE),
    "during": (
        f"coalesce(r.ongoing_from, r.announced_at + {_hours(ONGOING_AFTER)})",
        lambda r: r.get("ongoing_from") or r["announced_at"] + ONGOING_AFTER,
    ),
    "ongoing": ("coalesce(r.closed_at, 'infinity'::TIMESTAMP)", lambda r: r.get("closed_at")),
}


def phase_bounds(recall: Mapping[str, Any]) -> dict[str, tuple[datetime | None, datetime | None]]:
    """``{phase: (start, end)}`` for a recall row (naive UTC): start included, end excluded. The
    first phase has no start; ``ongoing`` has no end and ``after`` no start while ``closed_at`` is
    unset (the recall is still open, so ``after`` never begins)."""
    bounds, start = {}, None
    for phase in PHASES:
        end = _ENDS[phase][1](recall) if phase in _ENDS else None
        bounds[phase] = (start, end)
        start = end
    return bounds


def phase_sql(moment: str = "x.created_at") -> str:
    """The phase of ``moment`` (an SQL timestamp) for the recall row ``r``, by the rule above."""
    whens = " ".join(f"WHEN {moment} < {end} THEN '{phase}'" for phase, (end, _) in _ENDS.items())
    return f"CASE {whens} ELSE '{PHASES[-1]}' END"
