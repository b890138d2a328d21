"""Twilio Programmable Voice Call resources as JSON: an API page (``{"calls": [...]}``), an array,
or the JSON Lines of a BulkExport "Calls" day file (gzipped; the loader unpacks ``.gz``).

Keys are matched without case, ``_`` or spaces (``start_time``, ``StartTime``). One customer call
is one contact (source ``twilio``, source_id = the parent leg's ``sid``):
- A leg with a ``parent_call_sid`` (a ``<Dial>`` child, direction ``outbound-dial``) is folded into
  its parent (``rows_folded``); grandchildren fold into the root leg. A child leg whose parent is not
  in the file is quarantined. Repeated child records (same sid) count once, the newest kept.
- Inbound parent with child legs: answered if a child ``completed`` (or is ``in-progress``); answered_at = the first
  completed child's answer (``end_time − duration``, else its ``start_time``); wait_s = answered_at −
  parent start; talk_s = sum of completed child durations; agent = the last completed child's ``to``
  (``client:`` stripped); transferred when more than one child completed. No child answered:
  abandoned (unless the parent is still live), wait_s = the parent's duration.
- Inbound parent without child legs: abandoned when ``canceled`` or ``no-answer``; otherwise
  talk_s = ``duration`` (Twilio alone has no ACD: no wait, hold, ACW or agent).
- Outbound (``outbound-api``, trunking-originating) parent: answered when ``completed`` and not
  answered by a machine/fax (``answered_by``); talk_s = ``duration``.
- ``duration`` is a string of seconds, empty for busy/failed/no-answer. Dates are RFC 2822 (API)
  or ISO 8601 (BulkExport). created_at = ``start_time`` (else ``date_created``); updated_at = the
  parent's ``date_updated``; status = the parent's ``status``.
- customer_phone_raw = the caller (``from``) of an inbound call, the callee (``to``) of an
  outbound one; dialled_number = our line (``to`` inbound, ``from`` outbound), E.164 or empty.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile
from connectors.conform import conform, read_times
from connectors.textfile import decode, iter_json_records
from connectors.values import e164
from store.schema import TABLES

NAME = "twilio_voice_json"
SOURCE = "twilio"
_INBOUND = {"inbound", "trunking-terminating"}
_OUTBOUND = {"outbound-api", "outbound-dial", "trunking-originating"}
_LIVE = ("queued", "ringing", "in-progress")  # a call still going on is not (yet) abandoned
_CALL_SID = re.compile(r'"sid"\s*:\s*"CA[0-9a-fA-F]{32}"')
Leg = dict[str, Any]  # normalized keys → text, plus _n (record number), _raw, parsed _start/_end/_upd


def detect(f: SourceFile) -> str | None:
    head = f.head_text()
    if not head.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return None
    if _CALL_SID.search(head) and re.search(r'"(parent_call_sid|direction)"\s*:', head):
        return "JSON with Call sids (CA…) and parent_call_sid/direction (Twilio Voice calls)"
    return None


def norm_key(key: str) -> str:
    """``start_time``, ``StartTime`` and ``Start Time`` → ``starttime``."""
    return re.sub(r"[\s_\-]", "", key).lower()


def _text(v: object) -> str | None:
    if v is None:
        return None
    s = (v if isinstance(v, str) else json.dumps(v)).strip()
    return s or None


def _secs(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def _iso(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if t else None


def _agent(to: str | None) -> str | None:
    return re.sub(r"^(client|sip):", "", to) if to else None


def _root(leg: Leg, by_sid: dict[str, Leg]) -> Leg | None:
    seen: set[str] = set()
    while leg.get("parentcallsid"):
        parent = leg["parentcallsid"]
        if parent in seen or parent not in by_sid:
            return None
        seen.add(parent)
        leg = by_sid[parent]
    return leg


def fold_legs(legs: list[Leg], ctx: ReadContext) -> tuple[list[dict[str, object]], list[dict[str, object]], int]:
    """Legs (normalized keys, ``_n`` = record or row number, ``_raw`` = input text) → (contact rows,
    rejects, number of folded child-leg records)."""
    times = {
        k: read_times(k, pl.Series([leg.get(k) for leg in legs], dtype=pl.String), ctx).to_list()
        for k in ("starttime", "endtime", "dateupdated")
    }
    for i, leg in enumerate(legs):
        leg["_start"], leg["_end"], leg["_upd"] = times["starttime"][i], times["endtime"][i], times["dateupdated"][i]
    by_sid = {leg["sid"]: leg for leg in legs if leg.get("sid") and not leg.get("parentcallsid")}
    by_sid.update({leg["sid"]: leg for leg in legs if leg.get("sid") and leg.get("parentcallsid")})
    children: dict[str, dict[str, Leg]] = {}
    rejects: list[dict[str, object]] = []
    folded = 0
    for leg in legs:
        if not leg.get("parentcallsid"):
            continue
        root = _root(leg, by_sid)
        if root is None:
            reason = f"child leg of call {leg['parentcallsid']}, whose parent leg is not in this file"
            rejects.append(
                {"source_row": leg["_n"], "column_name": "parent_call_sid", "reason": reason, "raw": leg["_raw"]}
            )
            continue
        kids = children.setdefault(root["sid"], {})
        old = kids.get(leg["sid"] or "")
        if old is None or (leg["_upd"] or datetime.min) >= (old["_upd"] or datetime.min):
            kids[leg["sid"] or ""] = leg
        folded += 1
    rows = [
        {**_contact(leg, list(children.get(leg.get("sid") or "", {}).values()), ctx), "source_row": leg["_n"]}
        for leg in legs
        if not leg.get("parentcallsid")
    ]
    return rows, rejects, folded


def _answer(leg: Leg) -> datetime | None:
    dur = _secs(leg.get("duration"))
    if leg["_end"] is not None and dur is not None:
        return leg["_end"] - timedelta(seconds=dur)
    return leg["_start"]


def _contact(leg: Leg, kids: list[Leg], ctx: ReadContext) -> dict[str, object]:
    direction = (leg.get("direction") or "").lower().replace("_", "-")
    status = (leg.get("status") or "").lower()
    inbound = direction in _INBOUND
    customer, line = (leg.get("from"), leg.get("to")) if inbound else (leg.get("to"), leg.get("from"))
    row: dict[str, object] = {
        "source": SOURCE,
        "source_id": leg.get("sid"),
        "channel": "phone",
        "direction": "inbound" if inbound else "outbound" if direction in _OUTBOUND else leg.get("direction"),
        "created_at": leg.get("starttime") or leg.get("datecreated"),
        "updated_at": leg.get("dateupdated"),
        "status": leg.get("status"),
        "customer_phone_raw": customer,
        "dialled_number": e164(line, ctx.country) if line else None,
        "talk_s": leg.get("duration"),
        "is_abandoned": "false",
        "is_transferred": "false",
    }
    done = sorted(
        (k for k in kids if (k.get("status") or "").lower() in ("completed", "in-progress")),
        key=lambda k: k["_start"] or datetime.min,
    )
    if done:
        row["agent"] = _agent(done[-1].get("to"))
    if inbound and kids:
        if done:
            answered = _answer(done[0])
            row["answered_at"] = _iso(answered)
            if answered and leg["_start"]:
                row["wait_s"] = str(max((answered - leg["_start"]).total_seconds(), 0.0))
            row["talk_s"] = str(sum(_secs(k.get("duration")) or 0.0 for k in done))
            row["is_transferred"] = str(len(done) > 1).lower()
        else:
            row.update(is_abandoned=str(status not in _LIVE).lower(), wait_s=leg.get("duration"), talk_s=None)
    elif inbound:
        row["is_abandoned"] = str(status in ("canceled", "no-answer")).lower()
        if status in ("canceled", "no-answer"):
            row.update(wait_s=leg.get("duration"), talk_s=None)
    elif status == "completed" and not re.match(r"(machine|fax)", (leg.get("answeredby") or "").lower()):
        row["answered_at"] = _iso(_answer(leg))
    return row


def _records(f: SourceFile, text: str):
    """(number, record) with API pages (``{"calls": [...]}``) opened up."""
    n = 0
    for _, value in iter_json_records(f, text):
        items = value["calls"] if isinstance(value, dict) and isinstance(value.get("calls"), list) else [value]
        for item in items:
            n += 1
            yield n, item


def contacts(
    legs: list[Leg], rejects: list[dict[str, object]], read_n: int, ctx: ReadContext, warnings: list[str]
) -> Parsed:
    """Fold legs and conform them into a :class:`Parsed` (shared with twilio_voice_csv)."""
    rows, fold_rejects, folded = fold_legs(legs, ctx)
    cols = TABLES["contacts"].names
    frame = pl.DataFrame(rows, schema={**{c: pl.String for c in cols}, "source_row": pl.Int64}, strict=False)
    typed, bad = conform("contacts", frame, ctx)
    own = pl.DataFrame(rejects + fold_rejects, schema=REJECT_SCHEMA)
    return Parsed("contacts", {"contacts": typed}, read_n, folded, pl.concat([own, bad]), warnings)


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    text, warnings = decode(f)
    legs: list[Leg] = []
    rejects: list[dict[str, object]] = []
    read_n = 0
    for n, rec in _records(f, text):
        read_n += 1
        raw = json.dumps(rec, ensure_ascii=False)[:2000]
        if not isinstance(rec, dict):
            rejects.append({"source_row": n, "column_name": None, "reason": "record is not a JSON object", "raw": raw})
            continue
        legs.append({**{norm_key(k): _text(v) for k, v in rec.items()}, "_n": n, "_raw": raw})
    return contacts(legs, rejects, read_n, ctx, warnings)
