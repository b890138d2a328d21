"""The strip of firing alerts above the stand-up tiles: what, the value and the rule, since when —
large enough to read across a room (docs/alerts.md#on-the-wall-and-the-alerts-page).

One line per alert that is firing or recovering, critical first, at most ``MAX_SHOWN`` (then "+N
more"); acknowledged and silenced alerts say so. Nothing at all when no alert is firing: the strip
is there only when something needs attention.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

MAX_SHOWN = 3

STRIP_CSS = """<style>
.alert-strip {display: flex; flex-direction: column; gap: 0.35rem; margin: 0 0 0.7rem 0;}
.alert-item {display: flex; align-items: baseline; gap: 1.1rem; padding: 0.35rem 1.1rem; border-radius: 0.6rem;
  font-size: 1.9rem; line-height: 1.2; color: #ffffff; border-left: 0.7rem solid #ffffff; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis;}
.alert-item.critical {background: #991b1b; border-left-color: #fecaca;}
.alert-item.warning {background: #92400e; border-left-color: #fde68a;}
.alert-item.recovering {opacity: 0.75;}
.alert-sev {font-weight: 800; letter-spacing: 0.06em; font-size: 1.5rem; white-space: nowrap;}
.alert-what {font-weight: 700;}
.alert-value {font-variant-numeric: tabular-nums;}
.alert-rule, .alert-since, .alert-mark {color: #fde2e2; font-size: 1.55rem; white-space: nowrap;}
.alert-item.warning .alert-rule, .alert-item.warning .alert-since {color: #fef3c7;}
.alert-more {font-size: 1.5rem; color: #cbd5e1;}
</style>"""


def _local(ts: datetime | None, zone: str) -> str:
    if ts is None:
        return ""
    return ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


def strip_html(alerts: list[dict], zone: str) -> str:
    """The strip for the alerts of alerts.history.states_at (only firing and recovering ones are shown)."""
    shown = [a for a in alerts if a["state"] in ("firing", "recovering")]
    if not shown:
        return ""
    items = []
    for a in shown[:MAX_SHOWN]:
        sev = a["severity"] or "warning"
        marks = []
        if a["state"] == "recovering":
            marks.append("recovering")
        if a["acknowledged"]:
            marks.append(f"ack {html.escape(str(a['acknowledged']['by'] or ''))}".strip())
        if a["silenced"]:
            marks.append("silenced")
        mark = f'<span class="alert-mark">{" · ".join(marks)}</span>' if marks else ""
        items.append(
            f'<div class="alert-item {sev} {a["state"]}" data-alert="{html.escape(a["rule"])}" '
            f'data-subject="{html.escape(a["subject"])}" data-severity="{sev}">'
            f'<span class="alert-sev">{"CRITICAL" if sev == "critical" else "WARNING"}</span>'
            f'<span class="alert-what">{html.escape(a["what"])}</span>'
            f'<span class="alert-value">{html.escape(a["value_text"])}</span>'
            f'<span class="alert-rule">{html.escape(a["rule_text"])}</span>'
            f'<span class="alert-since">since {_local(a["since"], zone)}</span>{mark}</div>'
        )
    more = len(shown) - MAX_SHOWN
    if more > 0:
        items.append(f'<div class="alert-more">+{more} more on the Alerts page</div>')
    return STRIP_CSS + f'<div class="alert-strip" data-alerts="{len(shown)}">' + "".join(items) + "</div>"
