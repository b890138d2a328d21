"""Render the bundled sample recall as the vendor exports a real recall team would have.

    python -m sample_data.render_vendor --out sample_data/car_seat_vendor [--seed 42] [--units 2000]

The records are the generator's (:func:`sample_data.generate.build`), so the vendor folder and
``sample_data/car_seat`` describe one recall. Each canonical field is written to the vendor field
that its connector reads back (sample_data/README.md lists file → connector):

- ``recall.toml``: the recall definition, as generated.
- ``registry.xlsx``: the registry as a warranty-registration workbook (connectors/registry.py):
  Serial Number, Lot, Customer ID, E-mail, Mobile (as the form stored it), State, Held By
  (Manufacturer, Distributor, Retail, Consumer), Remedy Type, Remedied At (an Excel date-time in
  the recall's zone), Disposition (Export, Theft, Scrap, No address, Not affected, Other),
  Disposition Date (an Excel date-time).
- ``zendesk_tickets.csv``: the helpdesk tickets as a Zendesk admin CSV export
  (connectors/zendesk_csv.py): local times without offset in the recall's zone, ``Via`` labels,
  space-separated tags, ``Replies``, ``Group stations`` (2 = escalated), ``Total time spent (sec)``,
  first reply / full resolution in whole minutes, ``Satisfaction Score`` Good/Bad for rated tickets.
  The export has no requester phone column: SMS and WhatsApp requesters appear by phone number in
  ``Requester`` (as Zendesk names them), which the connector does not read.
- ``zendesk_satisfaction.json``: the same good/bad ratings from the Satisfaction Ratings API, with
  their own times (connectors/zendesk_satisfaction.py; keyed like the CSV's, never counted twice).
- ``amazon_connect_ctr.json.gz``: the calls as Amazon Connect contact records, NDJSON, gzipped
  (connectors/amazon_connect.py): ContactId (a UUID derived from the call id), INBOUND/OUTBOUND,
  Queue.Name and Queue.Duration (wait), SystemEndpoint (dialled number, inbound only),
  CustomerEndpoint (caller, E.164; absent when withheld), Agent (null when nobody answered) with
  talk/hold/ACW, TransferredToEndpoint for transferred calls; the reason is a contact attribute.
- ``surveys.csv``: post-call 1–5 surveys (answered in the Connect flow) and the 0–10 NPS answers,
  in the canonical csat layout (connectors/canonical_csv.py), linked to calls by
  ``contact_source = amazon_connect`` and ``contact_source_id = ContactId``.
- ``sendgrid_events.json.gz``: email outreach as SendGrid Event Webhook events, NDJSON, gzipped
  (connectors/sendgrid_events.py): processed/delivered/bounce/open (human)/click, category =
  campaign, timestamp = epoch seconds.
- ``twilio_messages.json.gz``: SMS outreach as a Twilio BulkExport of Message resources, gzipped
  JSON Lines (connectors/twilio_messaging_json.py): one outbound message in its final status
  (delivered, or undelivered for a failure) and one inbound message per reply, with a custom
  ``campaign`` key.
- ``letters.csv``: the lettershop's report of first-class notice letters (sent, returned to
  sender), in the canonical notifications layout (connectors/canonical_csv.py).

Deterministic: no clock, gzip with mtime 0, the workbook with fixed zip and property stamps.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from sample_data.generate import (
    CONTACT_COLUMNS,
    CSAT_COLUMNS,
    EXPORT_AT,
    HOTLINE_NUMBER,
    LETTERSHOP,
    NOTIFICATION_COLUMNS,
    RECALL_TOML,
    ZONE,
    Person,
    Records,
    build,
    parse_iso,
)

FILES = (
    "recall.toml",
    "registry.xlsx",
    "zendesk_tickets.csv",
    "zendesk_satisfaction.json",
    "amazon_connect_ctr.json.gz",
    "surveys.csv",
    "sendgrid_events.json.gz",
    "twilio_messages.json.gz",
    "letters.csv",
)
CONNECTORS = {  # file → the connector that must claim it
    "recall.toml": "recall_toml",
    "registry.xlsx": "registry",
    "zendesk_tickets.csv": "zendesk_csv",
    "zendesk_satisfaction.json": "zendesk_satisfaction",
    "amazon_connect_ctr.json.gz": "amazon_connect",
    "surveys.csv": "canonical_csv",
    "sendgrid_events.json.gz": "sendgrid_events",
    "twilio_messages.json.gz": "twilio_messaging_json",
    "letters.csv": "canonical_csv",
}

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def local_text(stamp: str) -> str:
    """A canonical UTC stamp (``…Z``) as an offset-less local time in the recall's zone; '' stays ''."""
    return parse_iso(stamp).astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


def local_naive(stamp: str) -> datetime | None:
    """A canonical UTC stamp as a naive local date-time (an Excel cell); None when empty."""
    return parse_iso(stamp).astimezone(ZONE).replace(tzinfo=None) if stamp else None


def elapsed(start: str, end: str, unit_s: int = 60) -> str:
    """Whole calendar units (minutes by default) from ``start`` to ``end``, as Zendesk's metric
    columns round them; '' when either is empty."""
    if not start or not end:
        return ""
    return str(round((parse_iso(end) - parse_iso(start)).total_seconds() / unit_s))


def plus_seconds(stamp: str, seconds: str) -> str:
    """``stamp`` + ``seconds`` as a canonical UTC stamp."""
    t = parse_iso(stamp) + timedelta(seconds=int(seconds or 0))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(*parts: str) -> str:
    """32 hex digits derived from ``parts`` (stable ids for records the canonical rows lack)."""
    return hashlib.md5(":".join(parts).encode()).hexdigest()


def contact_id(call_id: str) -> str:
    """The Amazon Connect ContactId (a UUID) of a canonical call id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"connect:contact:{call_id}"))


def complete(rows: Iterable[dict[str, str]], columns: list[str]) -> list[dict[str, str]]:
    """Rows with every column present ('' where the generator left a value out, as its CSV does)."""
    return [{c: r.get(c, "") for c in columns} for r in rows]


def write_gzip_lines(path: Path, records: Iterable[dict]) -> int:
    """JSON Lines, gzipped with mtime 0 (byte-identical on every run); returns the record count."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)
    return len(lines)


def write_rows(path: Path, header: list[str], rows: Iterable[list[str]]) -> int:
    """A CSV with ``header``; returns the row count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Registry workbook
# ---------------------------------------------------------------------------------------------

REGISTRY_HEADER = [
    "Serial Number",
    "Lot",
    "Customer ID",
    "E-mail",
    "Mobile",
    "State",
    "Held By",
    "Remedy Type",
    "Remedied At",
    "Disposition",
    "Disposition Date",
]
# The registry's words for the canonical values (read back through connectors/registry.py VALUE_ALIASES).
HELD_BY = {"manufacturer": "Manufacturer", "distributor": "Distributor", "retailer": "Retail", "consumer": "Consumer"}
DISPOSITION_WORDS = {
    "exported": "Export",
    "stolen": "Theft",
    "scrapped": "Scrap",
    "not_notified": "No address",
    "no_remedy_needed": "Not affected",
    "other": "Other",
}
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def registry_cells(row: dict[str, str]) -> list[object]:
    """One registry unit as workbook cells: remedy capitalised, completion a local date-time."""
    return [
        row["unit_id"],
        row["lot"],
        row["customer_ref"] or None,
        row["customer_email"] or None,
        row["customer_phone"] or None,
        row["region"] or None,
        HELD_BY.get(row["supply_chain_level"]),
        row["remedy"].capitalize() or None,
        local_naive(row["remedy_completed_at"]),
        DISPOSITION_WORDS.get(row["disposition"]),
        local_naive(row["disposition_at"]),
    ]


def write_registry(path: Path, rows: list[dict[str, str]]) -> int:
    """The registry as an .xlsx (first sheet, header in row 1), made byte-stable: every zip member
    is stamped 1980-01-01 and the document properties carry EXPORT_AT instead of the clock."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Registrations"
    sheet.append(REGISTRY_HEADER)
    for row in rows:
        sheet.append(registry_cells(row))
    for column in (9, 11):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    stamp = EXPORT_AT.replace(tzinfo=None)
    book.properties.creator = "Harbor registrations"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return len(rows)


def _stable_zip(data: bytes, stamp: str) -> bytes:
    """Rewrite a workbook zip with fixed member times and a fixed ``dcterms:modified``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body)
            dst.writestr(zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Zendesk: admin CSV export and satisfaction ratings
# ---------------------------------------------------------------------------------------------

ZENDESK_HEADER = [
    *"Summation column|Id|Requester|Requester id|Requester external id|Requester email|Requester domain".split("|"),
    *"Submitter|Assignee|Group|Subject|Tags|Status|Priority|Via|Ticket type|Created at|Updated at".split("|"),
    *"Assigned at|Organization|Due date|Initially assigned at|Solved at|Resolution time".split("|"),
    *"Satisfaction Score|Group stations|Assignee stations|Reopens|Replies".split("|"),
    "First reply time in minutes",
    "First reply time in minutes within business hours",
    "First resolution time in minutes",
    "First resolution time in minutes within business hours",
    "Full resolution time in minutes",
    "Full resolution time in minutes within business hours",
    "Agent wait time in minutes",
    "Agent wait time in minutes within business hours",
    "Requester wait time in minutes",
    "Requester wait time in minutes within business hours",
    "On hold time in minutes",
    "On hold time in minutes within business hours",
    "Total time spent (sec) [int]",
    "Time spent last update (sec) [int]",
]
SOCIAL_VIA = ("Facebook Messenger", "Instagram DM", "Twitter DM")


def via_label(channel: str, ticket_id: str) -> str:
    """The export's human ``Via`` label for a canonical ticket channel (social: by ticket number)."""
    labels = {"email": "Mail", "web": "Web form", "chat": "Native Messaging", "whatsapp": "WhatsApp", "sms": "Text"}
    return labels.get(channel) or SOCIAL_VIA[int(ticket_id) % len(SOCIAL_VIA)]


def requester_name(person: Person | None, row: dict[str, str]) -> str:
    """Zendesk names a messaging-only requester by phone number, others by name."""
    if person is None:
        return ""
    if not row["customer_email"] and row["customer_phone"]:
        return row["customer_phone"]
    return f"{person.first.capitalize()} {person.last.capitalize()}"


def satisfaction_score(row: dict[str, str], ratings: dict[str, dict[str, str]]) -> str:
    """Good/Bad when rated; Offered for other solved or closed tickets; else Not Offered."""
    rating = ratings.get(row["source_id"])
    if rating is not None:
        return "Good" if rating["score"] == "1" else "Bad"
    return "Offered" if row["resolved_at"] else "Not Offered"


def zendesk_row(row: dict[str, str], person: Person | None, ratings: dict[str, dict[str, str]]) -> list[str]:
    """One ticket in the admin CSV layout. Rules: times local (recall zone, no offset); status
    capitalised; Group stations 2 when escalated (is_transferred), else 1; first reply and
    resolution in whole minutes (no reopens: first = full resolution), resolution time in hours;
    tracked time in seconds, ``-`` when none; Requester id is the numeric Zendesk user id."""
    email = row["customer_email"]
    name = requester_name(person, row)
    cells = {
        "Summation column": "1",
        "Id": row["source_id"],
        "Requester": name,
        "Requester id": row["customer_ref"].removeprefix("zd-"),
        "Requester email": email,
        "Requester domain": email.strip().rsplit("@", 1)[-1].lower() if email else "",
        "Submitter": name,
        "Assignee": row["agent"],
        "Group": row["queue"],
        "Subject": row["reason"],
        "Tags": row["tags"],
        "Status": row["status"].capitalize(),
        "Priority": "Normal",
        "Via": via_label(row["channel"], row["source_id"]),
        "Ticket type": "Question",
        "Created at": local_text(row["created_at"]),
        "Updated at": local_text(row["updated_at"]),
        "Solved at": local_text(row["resolved_at"]),
        "Resolution time": elapsed(row["created_at"], row["resolved_at"], unit_s=3600),
        "Satisfaction Score": satisfaction_score(row, ratings),
        "Group stations": "2" if row["is_transferred"] == "true" else "1",
        "Assignee stations": "1" if row["agent"] else "0",
        "Reopens": "0",
        "Replies": row["agent_replies"],
        "First reply time in minutes": elapsed(row["created_at"], row["first_reply_at"]),
        "First resolution time in minutes": elapsed(row["created_at"], row["resolved_at"]),
        "Full resolution time in minutes": elapsed(row["created_at"], row["resolved_at"]),
        "Total time spent (sec) [int]": row["handle_s"] or "-",
        "Time spent last update (sec) [int]": "-",
    }
    return [cells.get(h, "") for h in ZENDESK_HEADER]


def write_zendesk(path: Path, records: Records, tickets: list[dict[str, str]]) -> int:
    """The tickets as the admin CSV export, in ticket order; requesters named from the people."""
    people = {p.zendesk_id: p for p in (*records.owners, *records.others)}
    ratings = zendesk_ratings(records)
    rows = (zendesk_row(t, people.get(t["customer_ref"].removeprefix("zd-")), ratings) for t in tickets)
    return write_rows(path, ZENDESK_HEADER, rows)


def zendesk_ratings(records: Records) -> dict[str, dict[str, str]]:
    """Zendesk good/bad ratings by ticket id."""
    return {r["contact_source_id"]: r for r in records.csat if r["source"] == "zendesk"}


def write_satisfaction(path: Path, records: Records) -> int:
    """The ratings as one Satisfaction Ratings API page: id, ticket_id, score good/bad, and the
    response time as created_at/updated_at."""
    ratings = [
        {
            "id": int(r["source_id"]),
            "url": f"https://harbor.zendesk.com/api/v2/satisfaction_ratings/{r['source_id']}.json",
            "ticket_id": int(r["contact_source_id"]),
            "score": "good" if r["score"] == "1" else "bad",
            "created_at": r["responded_at"],
            "updated_at": r["responded_at"],
        }
        for r in records.csat
        if r["source"] == "zendesk"
    ]
    page = {"satisfaction_ratings": ratings, "next_page": None, "previous_page": None, "count": len(ratings)}
    path.write_text(json.dumps(page, indent=1) + "\n", encoding="utf-8")
    return len(ratings)


# ---------------------------------------------------------------------------------------------
# Amazon Connect contact records and post-call surveys
# ---------------------------------------------------------------------------------------------

ACCOUNT = "111122223333"
INSTANCE = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/6f1c0e2a-4b7d-4c9e-9a1b-2d3e4f5a6b7c"


def customer_endpoint(phone: str) -> dict[str, str] | None:
    """The caller as Connect logs it (E.164); None when the number was withheld."""
    if not phone:
        return None
    e164 = phone if phone.startswith("+") else f"+1{phone}"
    return {"Address": e164, "Type": "TELEPHONE_NUMBER"}


def agent_block(row: dict[str, str]) -> dict[str, object] | None:
    """``Agent``: null when nobody answered an inbound call; for an unanswered outbound call only the
    dialling agent; otherwise answer time, talk, hold and after-contact work (whole seconds)."""
    if not row["agent"]:
        return None
    if not row["answered_at"]:
        return {"Username": row["agent"]}
    talk, hold, wrap = int(row["talk_s"]), int(row["hold_s"] or 0), int(row["wrap_s"] or 0)
    acw_start = plus_seconds(row["answered_at"], str(talk + hold))
    return {
        "Username": row["agent"],
        "ConnectedToAgentTimestamp": row["answered_at"],
        "AgentInteractionDuration": talk,
        "CustomerHoldDuration": hold,
        "AfterContactWorkDuration": wrap,
        "AfterContactWorkStartTimestamp": acw_start,
        "AfterContactWorkEndTimestamp": row["updated_at"],
        "RoutingProfile": {"Name": row["queue"]},
    }


def queue_block(row: dict[str, str]) -> dict[str, object]:
    """``Queue``: name; for inbound calls enqueued at arrival, with the wait as Duration."""
    if row["direction"] == "outbound":
        return {"Name": row["queue"]}
    return {
        "Name": row["queue"],
        "EnqueueTimestamp": row["created_at"],
        "DequeueTimestamp": plus_seconds(row["created_at"], row["wait_s"]),
        "Duration": int(row["wait_s"]),
    }


def disconnect(row: dict[str, str]) -> tuple[str, str]:
    """(DisconnectTimestamp, DisconnectReason): the line drops when talk and hold end, or when the
    caller gives up; an unanswered outbound call is TELECOM_UNANSWERED."""
    if row["answered_at"]:
        return plus_seconds(
            row["answered_at"], str(int(row["talk_s"]) + int(row["hold_s"] or 0))
        ), "CUSTOMER_DISCONNECT"
    reason = "TELECOM_UNANSWERED" if row["direction"] == "outbound" else "CUSTOMER_DISCONNECT"
    return row["updated_at"], reason


def contact_record(row: dict[str, str]) -> dict[str, object]:
    """One call as an Amazon Connect contact record. Rules: ContactId derived from the call id;
    SystemEndpoint (the dialled number) on inbound calls only; a transferred call names its
    TransferredToEndpoint; LastUpdateTimestamp = the canonical ``updated_at`` (end of ACW)."""
    ended, reason = disconnect(row)
    transferred = row["is_transferred"] == "true"
    return {
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "AWSAccountId": ACCOUNT,
        "InstanceARN": INSTANCE,
        "ContactId": contact_id(row["source_id"]),
        "InitialContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": "OUTBOUND" if row["direction"] == "outbound" else "INBOUND",
        "InitiationTimestamp": row["created_at"],
        "ConnectedToSystemTimestamp": row["created_at"],
        "DisconnectTimestamp": ended,
        "LastUpdateTimestamp": row["updated_at"],
        "DisconnectReason": reason,
        "CustomerEndpoint": customer_endpoint(row["customer_phone"]),
        "SystemEndpoint": {"Address": row["dialled_number"], "Type": "TELEPHONE_NUMBER"}
        if row["dialled_number"]
        else None,
        "Queue": queue_block(row),
        "Agent": agent_block(row),
        "Attributes": {"contact_reason": row["reason"]},
        "TransferredToEndpoint": {"Address": "Tier 2", "Type": "TELEPHONE_NUMBER"} if transferred else None,
        "TransferCompletedTimestamp": row["answered_at"] if transferred else None,
    }


def survey_rows(records: Records) -> Iterator[list[str]]:
    """Post-call surveys re-linked to the Connect contact (source and contact_source
    ``amazon_connect``, contact_source_id = ContactId); other survey rows (NPS) as generated."""
    for r in records.csat:
        if r["source"] == "zendesk":
            continue
        if r["contact_source"] == "five9":
            r = r | {"source": "amazon_connect", "contact_source": "amazon_connect"}
            r["contact_source_id"] = contact_id(r["contact_source_id"])
        yield [r[c] for c in CSAT_COLUMNS]


# ---------------------------------------------------------------------------------------------
# Outreach: SendGrid events and Twilio messages
# ---------------------------------------------------------------------------------------------

SENDGRID_EVENT = {"sent": "processed", "delivered": "delivered", "bounced": "bounce", "opened": "open"}
SENDGRID_EVENT |= {"clicked": "click"}


def sendgrid_event(row: dict[str, str]) -> dict[str, object]:
    """One canonical email event as a SendGrid webhook event: ``sg_event_id`` encodes the canonical
    event key; ``category`` carries the campaign; opens are human (``sg_machine_open`` false)."""
    msg = row["source_id"].split(":")[0].removeprefix("sg.")
    event = SENDGRID_EVENT[row["status"]]
    out: dict[str, object] = {
        "email": row["customer_email"],
        "timestamp": int(parse_iso(row["status_at"]).timestamp()),
        "event": event,
        "category": [row["campaign"]],
        "sg_event_id": base64.urlsafe_b64encode(row["source_id"].encode()).decode().rstrip("="),
        "sg_message_id": f"{msg[:11]}.{msg[11:15]}.{msg[15:]}.filter0098p1iad2-24077-0",
    }
    if event in ("processed", "delivered"):
        out["smtp-id"] = f"<{msg}@ismtpd0012p1iad2.sendgrid.net>"
    if event == "delivered":
        out["response"] = "250 2.0.0 OK"
    elif event == "bounce":
        out |= {"type": "bounce", "status": "5.1.1", "reason": "550 5.1.1 user unknown"}
    elif event == "open":
        out |= {"sg_machine_open": False, "useragent": "Mozilla/5.0"}
    elif event == "click":
        out["url"] = "https://harbor.example.com/recall/cs-2026-014"
    return out


TWILIO_ACCOUNT = "AC" + digest("harbor", "account")
MESSAGING_SERVICE = "MG" + digest("harbor", "recall notices")
NOTICE_BODY = "Harbor car seat recall CS-2026-014: your seat's buckle may not latch. Reply YES for a free remedy."


def twilio_messages(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """Canonical SMS events → Message resources: each outbound message once, in its final status
    (delivered, or ``undelivered`` for a failure; ``date_sent`` = sent, ``date_updated`` = final);
    each reply as an inbound message from the customer (its own sid). Sorted by date_created, sid."""
    by_msg: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        sid, status = r["source_id"].split(":")
        by_msg.setdefault(sid, {})[status] = r
    out: list[dict[str, object]] = []
    for sid, events in by_msg.items():
        sent = events["sent"]
        final = events.get("delivered") or events.get("failed") or sent
        status = {"delivered": "delivered", "failed": "undelivered"}.get(final["status"], "sent")
        out.append(message(sid, HOTLINE_NUMBER, sent["customer_phone"], status, "outbound-api", sent, final))
        if reply := events.get("replied"):
            reply_sid = "SM" + digest(sid, "reply")
            out.append(message(reply_sid, reply["customer_phone"], HOTLINE_NUMBER, "received", "inbound", reply, reply))
    return sorted(out, key=lambda m: (str(m["date_created"]), str(m["sid"])))


def message(
    sid: str, sender: str, to: str, status: str, direction: str, first: dict[str, str], last: dict[str, str]
) -> dict[str, object]:
    """A Message resource as BulkExport writes it (ISO 8601 UTC dates), plus the ``campaign`` key."""
    inbound = direction == "inbound"
    return {
        "sid": sid,
        "account_sid": TWILIO_ACCOUNT,
        "messaging_service_sid": MESSAGING_SERVICE,
        "from": sender,
        "to": to,
        "body": "YES" if inbound else NOTICE_BODY,
        "status": status,
        "direction": direction,
        "num_segments": "1",
        "num_media": "0",
        "error_code": 30003 if status == "undelivered" else None,
        "date_created": first["status_at"],
        "date_sent": first["status_at"],
        "date_updated": last["status_at"],
        "price": "-0.00790",
        "campaign": first["campaign"],
    }


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def render(out: Path, seed: int = 42, units: int = 2000) -> dict[str, int]:
    """Write the vendor files of the sample recall into ``out``; returns records written per file."""
    records = build(seed, units)
    out.mkdir(parents=True, exist_ok=True)
    (out / "recall.toml").write_text(RECALL_TOML, encoding="utf-8")
    contacts = complete(records.contacts, CONTACT_COLUMNS)
    notifications = complete(records.notifications, NOTIFICATION_COLUMNS)
    tickets = [c for c in contacts if c["source"] == "zendesk"]
    calls = [c for c in contacts if c["source"] == "five9"]
    emails = [n for n in notifications if n["source"] == "sendgrid"]
    sms = [n for n in notifications if n["source"] == "twilio"]
    letters = [n for n in notifications if n["source"] == LETTERSHOP]
    return {
        "recall.toml": 1,
        "registry.xlsx": write_registry(out / "registry.xlsx", records.registry),
        "zendesk_tickets.csv": write_zendesk(out / "zendesk_tickets.csv", records, tickets),
        "zendesk_satisfaction.json": write_satisfaction(out / "zendesk_satisfaction.json", records),
        "amazon_connect_ctr.json.gz": write_gzip_lines(out / "amazon_connect_ctr.json.gz", map(contact_record, calls)),
        "surveys.csv": write_rows(out / "surveys.csv", CSAT_COLUMNS, survey_rows(records)),
        "sendgrid_events.json.gz": write_gzip_lines(out / "sendgrid_events.json.gz", map(sendgrid_event, emails)),
        "twilio_messages.json.gz": write_gzip_lines(out / "twilio_messages.json.gz", twilio_messages(sms)),
        "letters.csv": write_rows(
            out / "letters.csv", NOTIFICATION_COLUMNS, ([n[c] for c in NOTIFICATION_COLUMNS] for n in letters)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.render_vendor", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "car_seat_vendor", help="output folder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--units", type=int, default=2000, help="affected units (volumes scale with it)")
    args = parser.parse_args(argv)
    for name, n in render(args.out, args.seed, args.units).items():
        print(f"{args.out / name}: {n} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
