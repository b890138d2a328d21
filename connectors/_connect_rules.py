"""Amazon Connect rules shared by its two readers (connectors/amazon_connect.py, record by record;
connectors/_connect_ndjson.py, NDJSON in DuckDB batches): which ``InitiationMethod`` values are
inbound, outbound or a transfer leg, and how transfer legs fold into the initial contact."""

from __future__ import annotations

from datetime import datetime

INBOUND = {"INBOUND", "CALLBACK", "WEBRTC_API"}
OUTBOUND = {"OUTBOUND", "EXTERNAL_OUTBOUND", "AGENT_REPLY", "FLOW"}
TRANSFER = {"TRANSFER", "QUEUE_TRANSFER"}
DURATIONS = ("talk_s", "hold_s", "wrap_s")


def num(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def when(v: str | None) -> datetime:
    """Sort key for ISO 8601 stamps; unreadable ones sort first (conform reports them)."""
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).replace(tzinfo=None) if v else datetime.min
    except ValueError:
        return datetime.min


def fold(row: dict[str, str | None], legs: list[dict[str, str | None]]) -> None:
    """Merge transfer legs (oldest first) into the initial contact's row, in place: durations add
    up, the agent and outcome are the last leg's, answered at the first answer, and transferred."""
    chain = [row, *legs]
    for col in DURATIONS:
        values = [r[col] for r in chain if r[col] is not None]
        bad = [v for v in values if num(v) is None]
        row[col] = bad[0] if bad else (str(sum(num(v) for v in values)) if values else None)
    row["agent"] = next((r["agent"] for r in reversed(chain) if r["agent"]), None)
    row["status"] = next((r["status"] for r in reversed(chain) if r["status"]), None)
    row["answered_at"] = next((r["answered_at"] for r in chain if r["answered_at"]), None)
    row["is_abandoned"] = str(row["direction"] == "inbound" and row["answered_at"] is None).lower()
    row["is_transferred"] = "true"
