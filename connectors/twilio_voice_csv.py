"""Twilio Console call log, "Download CSV" (Monitor › Logs › Calls).

Header: the API names in PascalCase (``Sid, DateCreated, DateUpdated, ParentCallSid, …, Status,
StartTime, EndTime, Duration, …, Direction, AnsweredBy, …``), matched without case, ``_`` or
spaces. Rows are the same Call legs as the API JSON and follow the same rules (child legs folded
into their parent, one contact per customer call): see connectors/twilio_voice_json.py. The date
format of the Console file is not documented; ISO 8601, RFC 2822 and offset-less local times (read
in the upload's zone) are accepted.
"""

from __future__ import annotations

import json
import re

from connectors.base import Parsed, ReadContext, SourceFile
from connectors.textfile import read_delimited
from connectors.twilio_voice_json import complete, contacts, norm_key

__all__ = ["NAME", "complete", "detect", "read"]

NAME = "twilio_voice_csv"
_CALL_SID = re.compile(r"\bCA[0-9a-fA-F]{32}\b")
_NEEDED = {"sid", "direction", "status", "duration"}


def detect(f: SourceFile) -> str | None:
    cols = {norm_key(h) for h in f.header()}
    if not (_NEEDED <= cols and cols & {"parentcallsid", "starttime"}):
        return None
    data = f.head_text(8192).partition("\n")[2]
    if data.strip() and not _CALL_SID.search(data):  # message logs have SM…/MM… sids
        return None
    return "header has Sid, ParentCallSid/StartTime, Direction, Status, Duration (Twilio call log CSV)"


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    frame, warnings = read_delimited(f)
    names = {c: norm_key(c) for c in frame.columns if c != "source_row"}
    legs = []
    for rec in frame.iter_rows(named=True):
        leg = {names[c]: (v.strip() or None if v is not None else None) for c, v in rec.items() if c in names}
        raw = json.dumps({c: v for c, v in rec.items() if c in names}, ensure_ascii=False)
        legs.append({**leg, "_n": rec["source_row"], "_raw": raw})
    return contacts(legs, [], frame.height, ctx, warnings)
