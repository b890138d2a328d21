"""Editing a recall definition on the Settings page.

The form's text becomes a recall TOML (docs/cli.md#recall-toml) that is loaded through the normal ingest path
(ui.data.save_recall_toml), so the ledger records the change and match rules are normalized
exactly as for a file. Before that, :func:`problems` rejects what the TOML reader would accept but
would make the phases meaningless: ``ongoing_from`` before ``announced_at``, ``closed_at`` at or
before ``announced_at`` or before ``ongoing_from``. Times are ISO 8601; without an offset they are
local times in the recall's zone.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

RULES = {"tags": "Helpdesk tags", "queues": "Telephony queues", "numbers": "Dialled numbers", "campaigns": "Campaigns"}
TIMES = ("announced_at", "ongoing_from", "closed_at")


def fields_of(recall: dict | None) -> dict:
    """Form values of a recalls-table row (times as local ISO 8601 with offset), or blanks."""
    if recall is None:
        return {"id": "", "name": "", "product": "", "timezone": "UTC", "country": "", **dict.fromkeys(TIMES, "")}
    zone = ZoneInfo(recall["timezone"])
    out = {k: recall.get(k) or "" for k in ("name", "product", "timezone", "country")}
    out["id"] = recall["recall_id"]
    for k in TIMES:
        ts = recall.get(k)
        out[k] = ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).isoformat() if ts else ""
    for k in RULES:
        out[k] = "\n".join(recall.get(f"match_{k}") or [])
    return out


def _lines(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\n,]", text or "") if p.strip()]


def _parse(text: str, zone: ZoneInfo) -> datetime:
    ts = datetime.fromisoformat(text.strip())
    return ts if ts.tzinfo else ts.replace(tzinfo=zone)


def problems(fields: dict, existing_ids: list[str], new: bool) -> list[str]:
    """What is wrong with the form values (empty when they can be saved)."""
    errors = [f"{label} is required." for k, label in (("id", "Id"), ("name", "Name")) if not fields.get(k, "").strip()]
    if new and fields.get("id", "").strip() in existing_ids:
        errors.append(f"A recall {fields['id'].strip()!r} already exists; pick it in the list to edit it.")
    try:
        zone = ZoneInfo(fields.get("timezone", "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        return [*errors, f"Unknown time zone {fields.get('timezone')!r} (use an IANA name such as America/Chicago)."]
    times: dict[str, datetime] = {}
    for k in TIMES:
        if not fields.get(k, "").strip():
            if k == "announced_at":
                errors.append("announced_at is required.")
            continue
        try:
            times[k] = _parse(fields[k], zone)
        except ValueError:
            errors.append(f"{k}: {fields[k]!r} is not an ISO 8601 time (e.g. 2026-03-02T09:00:00-06:00).")
    a, o, c = (times.get(k) for k in TIMES)
    if a and o and o < a:
        errors.append("ongoing_from is before announced_at.")
    if a and c and c <= a:
        errors.append("closed_at must be after announced_at.")
    if o and c and c < o:
        errors.append("closed_at is before ongoing_from.")
    if a and not o and c and c < a + timedelta(hours=168):
        errors.append("closed_at is before the default ongoing_from (announced_at + 168 h); set ongoing_from.")
    return errors


def _q(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(text.strip(), ensure_ascii=False)


def to_toml(fields: dict) -> str:
    """The recall TOML of the form values (optional fields left out when blank)."""
    lines = ["[recall]", f"id = {_q(fields['id'])}", f"name = {_q(fields['name'])}"]
    for k in ("product", "timezone", "country", *TIMES):
        if fields.get(k, "").strip():
            lines.append(f"{k} = {_q(fields[k])}")
    lines += ["", "[match]"]
    for k in RULES:
        lines.append(f"{k} = [{', '.join(_q(v) for v in _lines(fields.get(k, '')))}]")
    return "\n".join(lines) + "\n"


def form(recall: dict | None, key: str) -> dict | None:
    """The recall form; returns the values when submitted, else None."""
    values = fields_of(recall)
    with st.form(f"{key}_form"):
        left, right = st.columns(2)
        out = {"id": left.text_input("Id", values["id"], key=f"{key}_id", disabled=recall is not None)}
        out["name"] = right.text_input("Name", values["name"], key=f"{key}_name")
        out["product"] = left.text_input("Product", values["product"], key=f"{key}_product")
        out["timezone"] = right.text_input(
            "Time zone (IANA)", values["timezone"], key=f"{key}_timezone", help="Reporting zone, e.g. America/Chicago."
        )
        out["country"] = left.text_input(
            "Country (ISO)", values["country"], key=f"{key}_country", help="For phone numbers without country code."
        )
        help_t = "ISO 8601, e.g. 2026-03-02T09:00:00-06:00; without an offset, local time in the recall's zone."
        out["announced_at"] = right.text_input("Announced at", values["announced_at"], key=f"{key}_announced_at",
                                               help=help_t)  # fmt: skip
        out["ongoing_from"] = left.text_input(
            "Ongoing from", values["ongoing_from"], key=f"{key}_ongoing_from", help=help_t + " Blank: A + 168 h."
        )
        out["closed_at"] = right.text_input(
            "Closed at", values["closed_at"], key=f"{key}_closed_at", help=help_t + " Blank: not closed."
        )
        cols = st.columns(4)
        for col, (k, label) in zip(cols, RULES.items(), strict=True):
            out[k] = col.text_area(label, values.get(k, ""), key=f"{key}_{k}", help="One per line.")
        submitted = st.form_submit_button("Save recall", key=f"{key}_save", type="primary")
    if recall is not None:
        out["id"] = recall["recall_id"]
    return out if submitted else None
