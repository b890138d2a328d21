"""How a report cell reads on paper: numbers with thousands separators, rates (fractions) as
percentages, markers and text as they are."""

from __future__ import annotations

from typing import Any


def cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return "" if value is None else str(value)


def is_rate(value: Any) -> bool:
    return isinstance(value, float)
