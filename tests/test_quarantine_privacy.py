"""What a non-admin sees of quarantined and refused records (issue 12 item 8, issue 13 item 4).

Each quarantine line names the record's own id and shows the failing field's value in clear; only
personal values — emails, phones, names, free-text bodies — are masked, by field and by pattern, in
the command line, the inbox's reason files, the Upload page and its downloads; a Mailchimp
``source_id`` that holds an address is masked in the preview; a refused file's message carries no
email or phone either."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
from conftest import ROOT, load, plain
from test_upload_page import frames, upload_page

from connectors.redact import failing_value, mask_text, mask_value, quarantine_line, quarantine_view
from connectors.watch import Watcher
from documents.review import review_html
from metrics.review import build_review
from store.db import connect
from ui.export import masked, spreadsheet_safe
from ui.upload_preview import masked_rejects

EMAIL, PHONE = "pat.doe@example.com", "+12025550143"
PERSONAL = ("pat.doe", "2025550143", "202) 555", "Pat Doe", "My kettle")


def sendgrid_file(tmp_path: Path) -> Path:
    """SendGrid events (Event Webhook shape): one good, one with an unknown event, one bad time."""
    events = [
        {"email": EMAIL, "timestamp": 1772467200, "event": "delivered", "sg_event_id": "ev-ok", "category": "n"},
        {"email": EMAIL, "timestamp": 1772467260, "event": "bogus_event", "sg_event_id": "ev-bad", "category": "n"},
        {"email": EMAIL, "timestamp": "soon", "event": "open", "sg_event_id": "ev-late", "category": "n"},
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    return path


def no_personal_data(text: str) -> None:
    for item in PERSONAL:
        assert item not in text, (item, text)


def test_cli_lines_name_the_record_and_the_value(tmp_path: Path) -> None:
    headerless = tmp_path / "people.csv"
    headerless.write_text(f"{EMAIL},(202) 555-0143,Pat Doe\nlee@example.net,(202) 555-0199,Lee Roe\n")
    run = subprocess.run(
        [sys.executable, "-m", "connectors", "ingest", str(sendgrid_file(tmp_path)), str(headerless)]
        + ["--db", str(tmp_path / "t.duckdb")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    out = run.stdout
    assert "row 2, id ev-bad, column event: unknown SendGrid event 'bogus_event' (value 'bogus_event')" in out
    assert "row 3, id ev-late, column status_at: cannot read status_at value as ts (value 'soon')" in out
    assert "FAILED people.csv: no connector recognises this file (its first line holds data, not column names" in out
    no_personal_data(out)


def test_inbox_reason_file_lists_the_quarantine_lines_masked(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sendgrid_file(inbox)
    w = Watcher(inbox, tmp_path / "t.duckdb", out=lambda line: None)
    w.step()
    (outcome,) = w.step()
    reason = (inbox / "loaded" / "events.json.reason.txt").read_text()
    assert outcome.ok and "row 2, id ev-bad, column event" in reason
    no_personal_data(reason)


def test_quarantine_view_keeps_ids_and_failing_values_and_masks_personal_fields() -> None:
    ticket = {
        "id": 48213,
        "status": "deleted",
        "requester": {"name": "Pat Doe", "email": EMAIL, "phone": "+1 (202) 555-0143"},
        "description": "My kettle sparks, call me on (202) 555-0143",
        "via": {"channel": "email"},
    }
    rejects = pl.DataFrame(
        {
            "source_row": [8, 9, 10],
            "column_name": ["status", "customer_phone_raw", "created_at"],
            "reason": ["deleted ticket: not a contact", "phone r", "cannot read created_at value as ts"],
            "raw": [json.dumps(ticket), "+1 (202) 555-0143", "yesterday"],
            "record_id": ["48213", "48214", "48215"],
        }
    )
    view = quarantine_view(rejects)
    assert view.columns == ["source_row", "record_id", "column_name", "reason", "value", "raw"]
    assert view["record_id"].to_list() == ["48213", "48214", "48215"]
    assert view["value"].to_list() == ["deleted", "+* (***) ***-0143", "yesterday"]
    masked_ticket = json.loads(view["raw"][0])
    assert masked_ticket["id"] == 48213 and masked_ticket["via"] == {"channel": "email"}
    assert masked_ticket["requester"] == {"name": "P***", "email": "p***@example.com", "phone": "+* (***) ***-0143"}
    assert masked_ticket["description"] == "[43 characters hidden]"
    download = spreadsheet_safe(masked(masked_rejects(rejects)))  # what the CSV/Excel buttons write
    no_personal_data(download.write_csv())
    admin = quarantine_view(rejects, show_pii=True)  # admins see the record whole
    assert EMAIL in admin["raw"][0]
    assert quarantine_line(rejects.row(0, named=True)) == (
        "row 8, id 48213, column status: deleted ticket: not a contact (value 'deleted')"
    )


def test_failing_value_is_found_in_the_record_whatever_its_spelling() -> None:
    assert failing_value(json.dumps({"ContactId": "c1", "Channel": "VIDEO"}), "channel") == "VIDEO"
    assert failing_value(json.dumps({"sid": "SM1", "status": "teleported"}), "status") == "teleported"
    assert failing_value("fax", "channel") == "fax"
    assert mask_text("ids CA3030303030303030303030303030303030, 48213, 2026-03-05 14:22:10 stay") == (
        "ids CA3030303030303030303030303030303030, 48213, 2026-03-05 14:22:10 stay"
    )
    assert mask_text("call me on 3125550142") == "call me on ******0142"  # a run of 10+ digits may be a phone
    assert mask_value("timestamp", "1709648530") == "1709648530"  # …but an epoch in a time field is not


def test_upload_page_masks_previews_refusals_and_quarantine(empty_db) -> None:
    activity = {  # Mailchimp email activity: source_id is <campaign>:<email>:<action>:<time>
        "campaign_id": "42694e9e57",
        "emails": [
            {"email_address": EMAIL, "activity": [{"action": "open", "timestamp": "2026-03-05T15:02:11+00:00"}]}
        ],
    }
    headerless = f"{EMAIL},(202) 555-0143,Pat Doe\n".encode()
    at = upload_page(
        [("activity.json", json.dumps(activity).encode()), ("people.csv", headerless), ("events.json", b"")]
    )
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "42694e9e57:p***@example.com:open:" in shown
    errors = " ".join(plain(e.value) for e in at.error)
    assert "people.csv: no connector recognises this file (its first line holds data" in errors
    no_personal_data(shown + errors)
    at.session_state["upload_seed"] = [("events.json", sendgrid_file(empty_db.parent).read_bytes())]
    at.run()
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    (table,) = frames(at, "record_id", "value", "raw")[:1]
    assert table[["source_row", "record_id", "column_name", "value"]].values.tolist() == [
        [2, "ev-bad", "event", "bogus_event"],
        [3, "ev-late", "status_at", "soon"],
    ]
    no_personal_data(" ".join(str(d.value.to_dict()) for d in at.dataframe))


def test_review_masks_emails_and_phones_in_quarantine_reasons(tmp_path: Path) -> None:
    """The post-recall review's "Quarantined rows by reason" table (documents/review.py): a SendGrid
    event field holding an address or a phone is named in the reason masked, never in clear."""
    events = [
        {"email": "a@b.com", "timestamp": 1772467200, "event": EMAIL, "sg_event_id": "e1", "category": "n"},
        {"email": "a@b.com", "timestamp": 1772467200, "event": PHONE, "sg_event_id": "e2", "category": "n"},
        {"email": "a@b.com", "timestamp": 1772467200, "event": "delivered", "sg_event_id": "e3", "category": "n"},
    ]
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "metrics" / "recall.toml", folder)
    (folder / "events.json").write_text(json.dumps(events))
    con = connect(tmp_path / "store.duckdb")
    load(con, folder)
    html = review_html(build_review(con, "R1", "2026-04-01T00:00:00Z"))
    con.close()
    assert "unknown SendGrid event" in html  # the reasons are shown ...
    assert "p***@example.com" in html and "+*******0143" in html  # ... with the values masked
    no_personal_data(html)
