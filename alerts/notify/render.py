"""A planned message (the outbox ``body``: JSON) as each channel shows it (docs/alerts.md#notifications).

- **email**: the title as subject, a plain-text body;
- **json** webhook: the payload itself (``id``, ``type`` alerts or digest, and its fields);
- **slack** webhook: an incoming-webhook body, ``{"text": <title>, "blocks": [header, sections]}``.

The same body always renders to the same bytes, so a message sent again after a restart is
identical to the first (its ``id`` lets a receiver drop the copy).
"""

from __future__ import annotations

import json
from typing import Any

SLACK_TEXT_MAX = 2900  # Slack's section text limit is 3000 characters


def alert_line(alert: dict[str, Any]) -> str:
    """``FIRING critical: <what> · <value> (<rule>) since <UTC> — <detail>``."""
    head = "RESOLVED" if alert["state"] == "resolved" else ("still firing" if alert.get("repeat") else "FIRING")
    severity = f" {alert['severity']}" if alert["state"] != "resolved" and alert.get("severity") else ""
    since = f" since {alert['since'][:16].replace('T', ' ')} UTC" if alert.get("since") else ""
    detail = f" — {alert['detail']}" if alert.get("detail") else ""
    return f"{head}{severity}: {alert['what']} · {alert['value_text']} ({alert['rule_text']}){since}{detail}"


def digest_lines(p: dict[str, Any]) -> list[str]:
    lines = [p["verdict"], p["alerts_line"], "", "Tiles (now · since yesterday · target):"]
    lines += [f"  {t['label']}: {t['text']}" for t in p["tiles"]]
    lines += ["", f"Alerts fired in the last 24 h: {len(p['fired_24h']) or 'none'}"]
    lines += [
        f"  {a['at'][:16].replace('T', ' ')} UTC {a['severity']}: {a['rule_name']} · {a['subject']}"
        for a in p["fired_24h"]
    ]
    lines += ["", "Data freshness:"]
    lines += [
        f"  {f['source']} ({f['table']}): newest {f['newest_at'][:16].replace('T', ' ')} UTC, "
        f"{f['age_h']:,.1f} h old{' — STALE' if f['stale'] else ''}"
        for f in p["freshness"]
    ]
    return lines


def text(p: dict[str, Any]) -> str:
    """The plain-text body of an email."""
    lines = digest_lines(p) if p["type"] == "digest" else [alert_line(a) for a in p["alerts"]]
    if p.get("dashboard_url"):
        lines += ["", f"Dashboard: {p['dashboard_url']}"]
    lines += ["", f"Recall Ops · message {p['id']}"]
    return "\n".join(lines) + "\n"


def slack(p: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook body (also understood by Mattermost and Rocket.Chat)."""
    body_lines = digest_lines(p) if p["type"] == "digest" else [f"• {alert_line(a)}" for a in p["alerts"]]
    chunks, current = [], ""
    for line in body_lines:
        if len(current) + len(line) + 1 > SLACK_TEXT_MAX:
            chunks.append(current)
            current = ""
        current += line[:SLACK_TEXT_MAX] + "\n"
    chunks.append(current)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": p["title"][:150]}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": c or " "}} for c in chunks[:45]]
    if p.get("dashboard_url"):
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{p['dashboard_url']}|Open Recall Ops>"}]}
        )
    return {"text": p["title"], "blocks": blocks}


def webhook_body(p: dict[str, Any], fmt: str) -> bytes:
    data = slack(p) if fmt == "slack" else p
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
