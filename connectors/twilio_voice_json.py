"""Twilio Programmable Voice Call resources as JSON: an API page (``{"calls": [...]}``), an array,
or the JSON Lines of a BulkExport "Calls" day file (gzipped; the loader unpacks ``.gz``).

Keys are matched without case, ``_`` or spaces (``start_time``, ``StartTime``). One customer call
is one contact (source ``twilio``, source_id = the parent leg's ``sid``):
- Only a leg dialled from a parent — direction ``outbound-dial`` with a ``parent_call_sid`` (a
  ``<Dial>`` child) — is a child: it is folded into its parent (``rows_folded``); grandchildren
  fold into the root leg. Any other leg is a call of its own, ``parent_call_sid`` or not (a page of
  the Calls API holds such calls). Repeated child records (same sid) count once, the newest kept.
- Every leg is also kept in ``call_legs`` (store/schema.py), so a child whose parent is in an
  earlier file, or arrives in a later one, is folded into it in the store, never dropped
  (:func:`complete`): the later file folds the call again (a parent loaded earlier is rewritten as
  a ``refreshed`` row, which undoing that file takes back). A child whose call is in neither waits
  in ``call_legs`` (a warning counts them). A dialled leg whose own fields cannot be read is
  quarantined instead.
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

import duckdb
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


def is_child(leg: Leg) -> bool:
    """A leg dialled from a parent (``<Dial>``): ``direction`` outbound-dial with a parent and a sid.
    Any other leg is a call of its own, even with a ``parent_call_sid``."""
    direction = (leg.get("direction") or "").lower().replace("_", "-")
    return bool(leg.get("parentcallsid") and leg.get("sid") and direction == "outbound-dial")


def _root(leg: Leg, by_sid: dict[str, Leg]) -> Leg | None:
    """The call a dialled leg belongs to (through dialled parents); None when a parent is missing."""
    seen: set[str] = set()
    while is_child(leg):
        parent = leg["parentcallsid"]
        if parent in seen or parent not in by_sid:
            return None
        seen.add(parent)
        leg = by_sid[parent]
    return leg


def fold_legs(legs: list[Leg], ctx: ReadContext) -> tuple[list[dict[str, object]], list[Leg], dict[str, list[Leg]]]:
    """Legs (normalized keys, ``_n`` = record or row number, ``_raw`` = input text) → (one contact
    row per call leg that is not a dialled child, dialled legs whose call is not among ``legs``,
    call sid → its dialled legs, the newest record of each)."""
    times = {
        k: read_times(k, pl.Series([leg.get(k) for leg in legs], dtype=pl.String), ctx).to_list()
        for k in ("starttime", "endtime", "dateupdated")
    }
    for i, leg in enumerate(legs):
        leg["_start"], leg["_end"], leg["_upd"] = times["starttime"][i], times["endtime"][i], times["dateupdated"][i]
    by_sid = {leg["sid"]: leg for leg in legs if leg.get("sid") and not is_child(leg)}
    by_sid.update({leg["sid"]: leg for leg in legs if is_child(leg)})
    children: dict[str, dict[str, Leg]] = {}
    waiting: list[Leg] = []
    for leg in legs:
        if not is_child(leg):
            continue
        root = _root(leg, by_sid)
        if root is None:
            waiting.append(leg)
            continue
        kids = children.setdefault(root["sid"], {})
        old = kids.get(leg["sid"])
        if old is None or (leg["_upd"] or datetime.min) >= (old["_upd"] or datetime.min):
            kids[leg["sid"]] = leg
    rows = [
        {**_contact(leg, list(children.get(leg.get("sid") or "", {}).values()), ctx), "source_row": leg["_n"]}
        for leg in legs
        if not is_child(leg)
    ]
    return rows, waiting, {root: list(kids.values()) for root, kids in children.items()}


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
    """Keep every leg (``call_legs``), fold the dialled ones into their calls and conform the calls
    into a :class:`Parsed` (shared with twilio_voice_csv). A dialled leg whose own fields cannot be
    read (its times…) is quarantined, not folded."""
    cols = TABLES["call_legs"].names
    frame = pl.DataFrame(
        [_leg_row(leg) for leg in legs if leg.get("sid")],
        schema={**{c: pl.String for c in cols}, "source_row": pl.Int64},
    )
    kept, leg_rejects = conform("call_legs", frame, ctx)
    bad_children = set(leg_rejects["source_row"].to_list()) & {leg["_n"] for leg in legs if is_child(leg)}
    legs = [leg for leg in legs if leg["_n"] not in bad_children]
    rows, _waiting, _kids = fold_legs(legs, ctx)
    folded = sum(1 for leg in legs if is_child(leg))
    calls = pl.DataFrame(
        rows, schema={**{c: pl.String for c in TABLES["contacts"].names}, "source_row": pl.Int64}, strict=False
    )
    typed, bad = conform("contacts", calls, ctx)
    own = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    leg_rejects = leg_rejects.filter(pl.col("source_row").is_in(list(bad_children)))
    return Parsed(
        "contacts", {"contacts": typed, "call_legs": kept}, read_n, folded, pl.concat([own, leg_rejects, bad]), warnings
    )


def _leg_row(leg: Leg) -> dict[str, object]:
    """A leg as a ``call_legs`` row of text."""
    return {
        "source": SOURCE,
        "source_id": leg.get("sid"),
        "parent_id": leg.get("parentcallsid"),
        "direction": (leg.get("direction") or "").lower().replace("_", "-") or None,
        "status": leg.get("status"),
        "started_at": leg.get("starttime") or leg.get("datecreated"),
        "ended_at": leg.get("endtime"),
        "updated_at": leg.get("dateupdated"),
        "duration_s": leg.get("duration"),
        "from_number": leg.get("from"),
        "to_number": leg.get("to"),
        "answered_by": leg.get("answeredby"),
        "source_row": leg["_n"],
    }


def _leg_of(row: dict[str, object]) -> Leg:
    """A stored ``call_legs`` row (typed) as the leg :func:`fold_legs` reads."""

    def stamp(t: object) -> str | None:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(t, datetime) else None

    duration = row["duration_s"]
    return {
        "sid": row["source_id"],
        "parentcallsid": row["parent_id"],
        "direction": row["direction"],
        "status": row["status"],
        "starttime": stamp(row["started_at"]),
        "endtime": stamp(row["ended_at"]),
        "dateupdated": stamp(row["updated_at"]),
        "duration": None if duration is None else f"{duration:g}",
        "from": row["from_number"],
        "to": row["to_number"],
        "answeredby": row["answered_by"],
        "_n": row.get("source_row"),
        "_raw": "",
    }


MAX_DEPTH = 8  # dialled legs nest a few levels at most (a transfer of a transfer…)


def complete(parsed: Parsed, con: duckdb.DuckDBPyConnection, ctx: ReadContext) -> Parsed:
    """Fold the file's legs together with their relatives already in the store (legs loaded by
    earlier files): a call in this file gets its dialled legs loaded before; a call loaded earlier
    whose dialled leg is in this file is folded again and written as a ``refreshed`` row (not
    counted in this file's ledger row; undo brings the earlier version back). Dialled legs whose
    call is in neither are kept in ``call_legs`` and counted in a warning."""
    legs = parsed.tables.get("call_legs")
    if legs is None or legs.height == 0:
        return parsed
    mine = legs.with_columns(pl.lit(True).alias("_mine"))
    stored = _relatives(con, legs)
    union = pl.concat([mine, stored.with_columns(pl.lit(False).alias("_mine"))], how="diagonal_relaxed")
    union = union.sort(["source_id", "_mine", "updated_at"], nulls_last=False).unique("source_id", keep="last")
    as_legs = [{**_leg_of(r), "_mine": r["_mine"]} for r in union.iter_rows(named=True)]
    rows, waiting, kids = fold_legs(as_legs, ctx)
    if waiting:
        parsed.warnings.append(
            f"{len({leg['sid'] for leg in waiting})} dialled call leg(s) wait for their parent call, which is in "
            "neither this file nor the store: kept, they are folded into it when it is loaded"
        )
    if stored.height == 0:
        return parsed
    by_root = {r["source_id"]: r for r in rows}
    stored_sids = {leg["sid"] for leg in as_legs if not leg["_mine"]}
    mine_rows = {root: [leg["_n"] for leg in legs_of if leg["_mine"]] for root, legs_of in kids.items()}
    changed = {
        root
        for root, legs_of in kids.items()
        if root in by_root and (root in stored_sids or any(leg["sid"] in stored_sids for leg in legs_of))
    }
    schema = {**{c: pl.String for c in TABLES["contacts"].names}, "source_row": pl.Int64}
    contacts = parsed.tables["contacts"]
    own = changed & set(contacts["source_id"].to_list())
    if own:  # calls of this file with legs loaded before: their rows folded again, row numbers kept
        typed, _ = conform("contacts", pl.DataFrame([by_root[r] for r in own], schema=schema, strict=False), ctx)
        fresh = {r["source_id"]: r for r in typed.drop("source_row").iter_rows(named=True)}
        own &= set(fresh)
        redone = contacts.filter(pl.col("source_id").is_in(list(own))).select("source_id", "source_row")
        redone = pl.DataFrame([{**fresh[i], "source_row": n} for i, n in redone.iter_rows()], schema=contacts.schema)
        parsed.tables["contacts"] = pl.concat([contacts.filter(~pl.col("source_id").is_in(list(own))), redone]).sort(
            "source_row"
        )
    earlier = [r for r in sorted(changed - own) if mine_rows.get(r)]
    if earlier:  # calls loaded before with a leg in this file: refreshed, on the row of that leg
        again = [{**by_root[r], "source_row": min(mine_rows[r])} for r in earlier]
        parsed.refreshed["contacts"], _ = conform("contacts", pl.DataFrame(again, schema=schema, strict=False), ctx)
    return parsed


def _relatives(con: duckdb.DuckDBPyConnection, legs: pl.DataFrame) -> pl.DataFrame:
    """Stored legs related to ``legs`` (not among them): the calls they were dialled from, up to the
    root, and every leg dialled from any of those or from ``legs``."""
    known = set(legs["source_id"].to_list())
    ups = {p for p in legs["parent_id"].drop_nulls().to_list() if p not in known}
    downs = set(known)
    found: list[pl.DataFrame] = []
    cols = ", ".join(TABLES["call_legs"].names)
    for _ in range(MAX_DEPTH):
        if not ups and not downs:
            break
        con.register("_ups", pl.DataFrame({"id": sorted(ups)}, schema={"id": pl.String}))
        con.register("_downs", pl.DataFrame({"id": sorted(downs)}, schema={"id": pl.String}))
        try:
            new = con.sql(
                f"SELECT {cols}, source_row FROM call_legs WHERE source = $source AND (source_id IN "
                "(SELECT id FROM _ups) OR parent_id IN (SELECT id FROM _downs))",
                params={"source": SOURCE},
            ).pl()
        finally:
            con.unregister("_ups")
            con.unregister("_downs")
        new = new.filter(~pl.col("source_id").is_in(list(known)))
        if new.height == 0:
            break
        found.append(new)
        known |= set(new["source_id"].to_list())
        ups = {p for p in new["parent_id"].drop_nulls().to_list() if p not in known}
        downs = set(new["source_id"].to_list())
    if not found:
        return pl.DataFrame(schema={**{c: t for c, t in legs.schema.items()}})
    return pl.concat(found, how="diagonal_relaxed")


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
