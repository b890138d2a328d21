"""How a metric's value is written, which way is better, its target, and the small-sample rule.

Declared once here and used by every tile, table, chart label and the stand-up (metrics/catalog.py
says which unit, direction and target each metric has; docs/metrics.md the rules).

- **Small samples** (docs/metrics.md#small-samples): a value measured on n < 5
  (:data:`HIDE_BELOW_N`) is not shown (—); on n < 30 (:data:`GREY_BELOW_N`) it is shown greyed,
  marked "small sample".
- **Targets** (docs/metrics.md#targets-and-colours): for a higher-is-better metric a value ≥
  ``green`` is green, ≥ ``amber`` amber, else red; lower-is-better: ≤ ``green`` green, ≤ ``amber``
  amber, else red.
- **Deltas** are coloured by direction and sign: a rise of a higher-is-better metric (or a fall of
  a lower-is-better one) is *better*, the opposite *worse*, no change or no direction *neutral*;
  the arrow follows the sign alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HIDE_BELOW_N = 5
GREY_BELOW_N = 30
SMALL_SAMPLE_RULE = f"n < {GREY_BELOW_N} is greyed (small sample), n < {HIDE_BELOW_N} is not shown"

Better = Literal["higher", "lower"] | None
Sample = Literal["hidden", "small", "enough"]


def sample(n: int | None) -> Sample:
    """The small-sample rule for a value measured on ``n`` (None: a census, not a sample)."""
    if n is None or n >= GREY_BELOW_N:
        return "enough"
    return "hidden" if n < HIDE_BELOW_N else "small"


@dataclass(frozen=True)
class Unit:
    """How values are written: ``scale`` turns a stored value into the number people read and
    type (a fraction × 100 = %), ``symbol`` follows it in headers and forms."""

    id: str
    symbol: str
    scale: float = 1.0

    def format(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.id == "pct":
            return f"{value:.0%}" if abs(value) >= 0.995 or value == 0 else f"{value:.1%}"
        if self.id == "s":
            return f"{value / 60:.1f} min" if value >= 90 else f"{value:.0f} s"
        if self.id == "h":
            return f"{value:,.1f} h"
        if self.id == "per_1000":
            return f"{value:,.1f}"
        return f"{value:,.0f}"

    def format_target(self, value: float) -> str:
        """A threshold as people set it: ``80%`` rather than ``80.0%``."""
        return f"{value * 100:g}%" if self.id == "pct" else self.format(value)

    def unchanged(self, delta: float) -> bool:
        """The change rounds to nothing at the precision shown."""
        return abs(delta) < {"pct": 0.0005, "s": 0.5, "h": 0.05, "per_1000": 0.05}.get(self.id, 0.5)

    def format_delta(self, delta: float | None) -> str:
        """``+1.5 pts`` for rates, ``+3`` for counts, ``+4 s`` for times, ``±0…`` when unchanged;
        a fall starts with an ASCII minus (how st.metric picks its arrow)."""
        if delta is None:
            return "—"
        unchanged = self.unchanged(delta)
        if self.id == "pct":
            return "±0 pts" if unchanged else f"{delta * 100:+.1f} pts"
        if self.id == "s":
            if unchanged:
                return "±0 s"
            return f"{delta / 60:+.1f} min" if abs(delta) >= 90 else f"{delta:+.0f} s"
        if self.id == "h":
            return "±0 h" if unchanged else f"{delta:+,.1f} h"
        if self.id == "per_1000":
            return "±0" if unchanged else f"{delta:+,.1f}"
        return "±0" if unchanged else f"{delta:+,.0f}"

    def header(self, title: str) -> str:
        """A column header: the title, with the unit when a number alone would not say it."""
        return f"{title} ({self.symbol})" if self.id in ("s", "h") else title


PCT = Unit("pct", "%", 100.0)
SECONDS = Unit("s", "s")
HOURS = Unit("h", "h")
COUNT = Unit("count", "")
PER_1000 = Unit("per_1000", "per 1,000 units")


@dataclass(frozen=True)
class Target:
    """Red/amber/green thresholds of one metric (values in the metric's stored unit)."""

    green: float
    amber: float
    higher_is_better: bool = True

    def colour(self, value: float | None) -> str | None:
        """'green', 'amber', 'red', or None when the value is unknown."""
        if value is None:
            return None
        if self.higher_is_better:
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        return "green" if value <= self.green else "amber" if value <= self.amber else "red"

    def consistent(self) -> bool:
        """Green is at least as good as amber."""
        return self.green >= self.amber if self.higher_is_better else self.green <= self.amber


def tone(better: Better, delta: float | None, unit: Unit) -> Literal["better", "worse", "neutral"]:
    """Whether a change is good news, by the metric's direction and the change's sign (a change
    that rounds to nothing is neutral)."""
    if better is None or delta is None or unit.unchanged(delta):
        return "neutral"
    return "better" if (delta > 0) == (better == "higher") else "worse"


def arrow(delta: float | None, unit: Unit) -> Literal["up", "down", "off"]:
    """The arrow of a change: its sign alone (none when it rounds to nothing)."""
    if delta is None or unit.unchanged(delta):
        return "off"
    return "up" if delta > 0 else "down"
