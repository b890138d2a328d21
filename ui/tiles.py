"""KPI tiles: a value, its denominator, a delta against the previous phase, and the rule as help.

Small samples: n < 30 is marked "small sample", n < 5 shows "—" (docs/metrics.md#small-samples).
"""

from __future__ import annotations

import streamlit as st

from metrics.scope import PHASES

HIDE_BELOW_N = 5
GREY_BELOW_N = 30

HELP = {
    "contacts": "Inbound contacts in the phase, abandoned calls included.",
    "handled": "Inbound contacts that were not abandoned.",
    "fcr": "Repeat-contact FCR: handled contacts with a known customer whose 7-day window has closed, "
    "not transferred and with no other inbound contact from the same customer for this recall within "
    "7 days (any channel), ÷ those eligible. Pending = windows still open.",
    "aht": "Mean handle time of handled contacts with known handle time (calls: talk + hold + wrap; "
    "tickets: tracked agent time). Never ticket age.",
    "sl": "Phone: answered within 20 s ÷ (answered + abandoned after ≥ 5 s).",
    "abandon": "Phone: abandoned after ≥ 5 s ÷ (answered + abandoned after ≥ 5 s).",
    "asa": "Phone: mean wait of answered calls.",
    "csat": "Satisfied (4–5 of 5, or good) ÷ responses about contacts in the phase; 0–10 (NPS) excluded.",
}


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "s":
        return f"{value / 60:.1f} min" if value >= 90 else f"{value:.0f} s"
    return f"{value:,.0f}"


def tile(
    label: str,
    value: float | None,
    kind: str,
    n: int | None,
    help_key: str,
    previous=None,
    help_text: str | None = None,
) -> None:
    """One st.metric; hidden below 5, flagged below 30, delta vs ``previous`` when known; ``help_text``
    replaces the standard help of ``help_key``."""
    small = n is not None and n < GREY_BELOW_N
    if n is not None and n < HIDE_BELOW_N:
        value, previous = None, None
    delta = None
    if value is not None and previous is not None:
        diff = value - previous
        delta = (
            f"{diff * 100:+.1f} pts" if kind == "pct" else _fmt(abs(diff), kind).join(("+" if diff >= 0 else "−", ""))
        )
    suffix = f" · n={n}" if n is not None else ""
    st.metric(
        label + (" (small sample)" if small and value is not None else ""),
        _fmt(value, kind),
        delta=delta,
        delta_color="off" if kind in ("count", "s") else "normal",
        help=(help_text or HELP[help_key]) + suffix,
    )


def previous_phase(phase: str) -> str | None:
    if phase not in PHASES or phase == PHASES[0]:
        return None
    return PHASES[PHASES.index(phase) - 1]


def phase_kpis(report: dict, phase: str) -> None:
    """The KPI row of one phase, with deltas against the phase before it."""
    m = report["phases"][phase]
    prev_id = previous_phase(phase)
    p = report["phases"][prev_id] if prev_id else None

    def prev(path: tuple[str, ...]):
        if p is None:
            return None
        value = p
        for k in path:
            value = value[k]
        return value

    cols = st.columns(4)
    with cols[0]:
        tile("Contacts", m["contacts"], "count", None, "contacts", prev(("contacts",)))
    with cols[1]:
        tile("First contact resolution", m["fcr"]["rate"], "pct", m["fcr"]["n"], "fcr", prev(("fcr", "rate")))
    with cols[2]:
        tile("Avg handle time", m["aht_s"]["all"], "s", m["handled"], "aht", prev(("aht_s", "all")))
    with cols[3]:
        tile("CSAT", m["csat"]["rate"], "pct", m["csat"]["n"], "csat", prev(("csat", "rate")))
    cols = st.columns(4)
    with cols[0]:
        tile("Handled", m["handled"], "count", None, "handled", prev(("handled",)))
    with cols[1]:
        sl = m["service_level"]
        tile("Service level (20 s)", sl["rate"], "pct", sl["n"], "sl", prev(("service_level", "rate")))
    with cols[2]:
        ab = m["abandon_rate"]
        tile("Abandon rate", ab["rate"], "pct", ab["n"], "abandon", prev(("abandon_rate", "rate")))
    with cols[3]:
        tile("Speed of answer", m["asa_s"], "s", m["service_level"]["n"], "asa", prev(("asa_s",)))
