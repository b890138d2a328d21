"""Twilio Voice: Call resource JSON and Console call-log CSV (docs/vendor-formats.md#twilio-programmable-voice).

One customer call = one contact: child legs (``parent_call_sid``) fold into their parent."""

from __future__ import annotations

import csv

import pytest
from telephony_support import FIXTURES, contacts, ingest, ingest_twice, quarantine, read, store, write_json

from connectors import twilio_voice_csv, twilio_voice_json
from connectors.base import SourceFile

P1, C1, C1B = "CA" + "a1" * 16, "CA" + "b1" * 16, "CA" + "b2" * 16
P2, C2 = "CA" + "c1" * 16, "CA" + "d1" * 16
OUT, ORPHAN, GRAND = "CA" + "e1" * 16, "CA" + "f1" * 16, "CA" + "ab" * 16
HOTLINE, CALLER = "+18005550188", "+12025550143"


def leg(
    sid,
    parent=None,
    *,
    direction="inbound",
    status="completed",
    start="14:22:10",
    end="14:29:42",
    duration="452",
    frm=CALLER,
    to=HOTLINE,
    updated=None,
    answered_by=None,
):
    day = "Tue, 05 Mar 2024"
    return {
        "sid": sid,
        "parent_call_sid": parent,
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "from": frm,
        "to": to,
        "status": status,
        "direction": direction,
        "start_time": f"{day} {start} +0000",
        "end_time": f"{day} {end} +0000",
        "duration": duration,
        "answered_by": answered_by,
        "date_created": f"{day} {start} +0000",
        "date_updated": f"{day} {updated or end} +0000",
        "price": "-0.01700",
        "price_unit": "USD",
    }


PARENT = leg(P1)
CHILD = leg(C1, P1, direction="outbound-dial", start="14:22:40", duration="412", frm=HOTLINE, to="client:srivera")


@pytest.mark.parametrize(
    "shape,suffix", [("page", ".json"), ("array", ".json"), ("ndjson", ".json"), ("ndjson", ".json.gz")]
)
def test_parent_and_child_leg_are_one_contact(tmp_path, shape, suffix):
    records = [CHILD, PARENT]  # the child may come first
    path = tmp_path / f"calls{suffix}"
    if shape == "page":
        write_json(path, {"calls": records, "page": 0, "page_size": 50, "next_page_uri": None}, "array")
    else:
        write_json(path, records, shape)
    con = store(tmp_path)
    result = ingest(con, path)
    assert (result.connector, result.read, result.inserted, result.unchanged, result.quarantined) == (
        "twilio_voice_json",
        2,
        1,
        1,
        0,
    )
    (row,) = contacts(con)
    assert row == {
        "source": "twilio",
        "source_id": P1,
        "channel": "phone",
        "direction": "inbound",
        "created_at": "2024-03-05 14:22:10",
        "answered_at": "2024-03-05 14:22:50",  # child end 14:29:42 − 412 s
        "updated_at": "2024-03-05 14:29:42",
        "status": "completed",
        "is_abandoned": False,
        "is_transferred": False,
        "wait_s": 40.0,  # 14:22:50 − 14:22:10
        "talk_s": 412.0,  # the child's duration, not the parent's 452
        "hold_s": None,
        "wrap_s": None,
        "handle_s": 412.0,
        "agent": "srivera",
        "queue": None,
        "dialled_number": HOTLINE,
        "customer_phone_raw": CALLER,
        "customer_phone": CALLER,
    }


def test_bulkexport_iso_dates(tmp_path):
    iso = [
        {
            **PARENT,
            "start_time": "2024-03-05T14:22:10Z",
            "end_time": "2024-03-05T14:29:42Z",
            "date_updated": "2024-03-05T14:29:42Z",
        },
        {
            **CHILD,
            "start_time": "2024-03-05T14:22:40Z",
            "end_time": "2024-03-05T14:29:42Z",
            "date_updated": "2024-03-05T14:29:42Z",
        },
    ]
    parsed = read(twilio_voice_json, write_json(tmp_path / "day.json", iso, "ndjson"))
    (row,) = parsed.tables["contacts"].iter_rows(named=True)
    assert (str(row["created_at"]), str(row["answered_at"]), row["wait_s"]) == (
        "2024-03-05 14:22:10",
        "2024-03-05 14:22:50",
        40.0,
    )


def test_call_outcomes(tmp_path):
    rang_out = leg(
        C2,
        P2,
        direction="outbound-dial",
        start="14:25:40",
        end="14:26:10",
        duration="",
        status="no-answer",
        to="client:jlee",
    )
    records = [
        PARENT,
        CHILD,
        # second agent after a transfer: two completed children
        leg(
            C1B,
            P1,
            direction="outbound-dial",
            start="14:27:00",
            end="14:29:42",
            duration="162",
            frm=HOTLINE,
            to="client:bo",
        ),
        # caller gave up while the agent's phone rang
        leg(P2, start="14:25:31", end="14:26:31", duration="60", frm="+13125550167"),
        rang_out,
        # parent alone (child legs not exported): still one contact
        leg("CA" + "99" * 16, start="15:00:00", end="15:03:00", duration="180", frm="+14155550101"),
        # caller hung up before Twilio answered
        leg("CA" + "98" * 16, status="canceled", start="15:10:00", end="15:10:07", duration="", frm="+14155550102"),
        # outbound call answered by a person, and one by a machine
        leg(
            OUT,
            direction="outbound-api",
            start="16:00:00",
            end="16:03:20",
            duration="200",
            frm=HOTLINE,
            to="+16175550122",
            answered_by="human",
        ),
        leg(
            "CA" + "97" * 16,
            direction="outbound-api",
            start="16:10:00",
            end="16:10:30",
            duration="30",
            frm=HOTLINE,
            to="+16175550123",
            answered_by="machine_start",
        ),
    ]
    parsed = read(twilio_voice_json, write_json(tmp_path / "calls.json", records))
    assert (parsed.rows_read, parsed.rows_folded, parsed.tables["contacts"].height) == (9, 3, 6)
    rows = {r["source_id"]: r for r in parsed.tables["contacts"].iter_rows(named=True)}
    got = {
        k: (
            r["direction"],
            r["is_abandoned"],
            r["is_transferred"],
            r["answered_at"] is not None,
            r["wait_s"],
            r["talk_s"],
            r["agent"],
        )
        for k, r in rows.items()
    }
    assert got == {
        P1: ("inbound", False, True, True, 40.0, 574.0, "bo"),  # 412 + 162; the last agent
        P2: ("inbound", True, False, False, 60.0, None, None),
        "CA" + "99" * 16: ("inbound", False, False, False, None, 180.0, None),
        "CA" + "98" * 16: ("inbound", True, False, False, None, None, None),
        OUT: ("outbound", False, False, True, None, 200.0, None),
        "CA" + "97" * 16: ("outbound", False, False, False, None, 30.0, None),
    }
    assert (rows[OUT]["customer_phone_raw"], rows[OUT]["dialled_number"]) == ("+16175550122", HOTLINE)


def test_grandchild_legs_fold_into_the_root(tmp_path):
    grand = leg(GRAND, C1, direction="outbound-dial", start="14:25:00", duration="100", frm=HOTLINE, to="client:sup")
    parsed = read(twilio_voice_json, write_json(tmp_path / "g.json", [PARENT, CHILD, grand]))
    assert (parsed.rows_read, parsed.rows_folded) == (3, 2)
    assert parsed.tables["contacts"]["source_id"].to_list() == [P1]


def test_repeated_child_record_counts_once(tmp_path):
    stale = {**CHILD, "status": "in-progress", "duration": "", "date_updated": "Tue, 05 Mar 2024 14:23:00 +0000"}
    parsed = read(twilio_voice_json, write_json(tmp_path / "r.json", [PARENT, stale, CHILD], "ndjson"))
    assert (parsed.rows_read, parsed.rows_folded) == (3, 2)
    assert parsed.tables["contacts"]["talk_s"].to_list() == [412.0]


def test_child_leg_without_its_parent_is_quarantined(tmp_path):
    orphan = leg(ORPHAN, "CA" + "00" * 16, direction="outbound-dial", frm=HOTLINE, to="client:srivera")
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "o.json", [PARENT, orphan], "ndjson"))
    assert (result.read, result.inserted, result.quarantined) == (2, 1, 1)
    ((row, column, reason),) = quarantine(con)
    assert (row, column) == (2, "parent_call_sid") and "not in this file" in reason


def test_duplicate_parent_newest_wins(tmp_path):
    ringing = {**PARENT, "status": "in-progress", "duration": "", "date_updated": "Tue, 05 Mar 2024 14:22:11 +0000"}
    con = store(tmp_path)
    result = ingest(con, write_json(tmp_path / "d.json", [PARENT, ringing], "ndjson"))
    assert (result.read, result.inserted, result.updated) == (2, 1, 1)
    assert contacts(con)[0]["status"] == "completed"


def _csv(path, records):
    header = [
        "Sid",
        "DateCreated",
        "DateUpdated",
        "ParentCallSid",
        "AccountSid",
        "To",
        "From",
        "Status",
        "StartTime",
        "EndTime",
        "Duration",
        "Price",
        "PriceUnit",
        "Direction",
        "AnsweredBy",
    ]
    keys = [
        "sid",
        "date_created",
        "date_updated",
        "parent_call_sid",
        "account_sid",
        "to",
        "from",
        "status",
        "start_time",
        "end_time",
        "duration",
        "price",
        "price_unit",
        "direction",
        "answered_by",
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in records:
            w.writerow(["" if r.get(k) is None else r[k] for k in keys])
    return path


def test_console_csv_gives_the_same_contact_as_json(tmp_path):
    con = store(tmp_path)
    result = ingest(con, _csv(tmp_path / "calls.csv", [PARENT, CHILD]))
    assert (result.connector, result.read, result.inserted, result.unchanged) == ("twilio_voice_csv", 2, 1, 1)
    from_csv = contacts(con)
    con2 = store(tmp_path / "j")
    ingest(con2, write_json(tmp_path / "calls.json", [PARENT, CHILD]))
    assert from_csv == contacts(con2)


def test_console_csv_rows_are_spreadsheet_rows(tmp_path):
    orphan = leg(ORPHAN, "CA" + "00" * 16, direction="outbound-dial")
    bad = {**leg("CA" + "96" * 16), "start_time": "soon", "date_created": "soon"}
    parsed = read(twilio_voice_csv, _csv(tmp_path / "calls.csv", [PARENT, orphan, bad]))
    assert sorted(set(parsed.rejects["source_row"].to_list())) == [3, 4]  # header is row 1


@pytest.mark.parametrize("name", ["twilio_voice_json.json", "twilio_voice_csv.csv"])
def test_fixture_loads_twice_without_change(tmp_path, name):
    first, rows = ingest_twice(store(tmp_path), FIXTURES / name)
    assert len(rows) == 3 and first.quarantined == 0


def test_detect_is_specific():
    for module, own in ((twilio_voice_json, "twilio_voice_json.json"), (twilio_voice_csv, "twilio_voice_csv.csv")):
        claims = {p.name for p in FIXTURES.iterdir() if module.detect(SourceFile(p.name, p))}
        assert claims == {own}
