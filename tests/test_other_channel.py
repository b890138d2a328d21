"""Channels a vendor reports that are none of ours go to channel ``other`` (issue 12, item 2).

A real account's Zendesk incremental export had 84 of 87 tickets with ``via.channel = "api"``
(created by an integration); they were counted as web. Here they are ``other`` — in the store, the
report's channel mix and the Channels page's channel-mix chart — and web keeps only its own."""

from __future__ import annotations

import json
from pathlib import Path

from connectors.load import Failure, ingest_paths
from metrics import Scope, build_report, volume
from metrics.scope import PHASE_LABELS
from store.db import connect
from ui.charts import channel_mix

RECALL = """[recall]
id = "R24-017"
name = "Heater"
timezone = "UTC"
announced_at = "2024-03-05T12:00:00Z"

[match]
tags = ["recall_r24_017"]
"""


def ticket(i: int, via: object) -> dict:
    """A ticket of the Incremental Ticket Export (docs/vendor-formats.md, Zendesk)."""
    return {
        "id": 50000 + i,
        "created_at": f"2024-03-05T{13 + i // 60:02d}:{i % 60:02d}:00Z",
        "updated_at": f"2024-03-05T{13 + i // 60:02d}:{i % 60:02d}:30Z",
        "status": "open",
        "requester_id": 39120040000 + i,
        "submitter_id": 39120040000 + i,
        "tags": ["recall_r24_017"],
        "via": {"channel": via, "source": {"from": {}, "to": {}, "rel": None}},
    }


def test_zendesk_api_tickets_are_other_not_web(tmp_path: Path) -> None:
    tickets = [ticket(i, "api") for i in range(84)] + [ticket(84, "web"), ticket(85, "email"), ticket(86, "email")]
    page = {"tickets": tickets, "after_cursor": "MTU3NjYxMzUzOS4wfHw0Njd8", "end_of_stream": True}
    (tmp_path / "recall.toml").write_text(RECALL)
    (tmp_path / "incremental.json").write_text(json.dumps(page))
    con = connect(tmp_path / "t.duckdb")
    results = ingest_paths(con, [tmp_path / "recall.toml", tmp_path / "incremental.json"])
    assert not [r for r in results if isinstance(r, Failure)]
    assert (results[1].read, results[1].inserted, results[1].quarantined) == (87, 87, 0)
    day_one = build_report(con, "R24-017", "2024-03-06T00:00:00Z")["phases"]["day_one"]
    assert day_one["by_channel"] == {"email": 2, "other": 84, "web": 1}  # before: web 85
    assert abs(day_one["channel_mix"]["other"] - 84 / 87) < 1e-3
    fig = channel_mix(volume(con, Scope("R24-017", "2024-03-06T00:00:00Z")), PHASE_LABELS)
    assert {t.name for t in fig.data} == {"email", "other", "web"}  # "other" is drawn, as such


def test_amazon_connect_channel_that_is_none_of_ours_is_other(tmp_path: Path) -> None:
    record = {
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "ContactId": "c9000000-0000-4000-8000-000000000001",
        "Channel": "VIDEO",  # not one of Connect's documented VOICE/CHAT/TASK/EMAIL
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2024-03-05T17:00:00Z",
        "LastUpdateTimestamp": "2024-03-05T17:20:00Z",
        "Agent": None,
    }
    task = {**record, "ContactId": "c9000000-0000-4000-8000-000000000002", "Channel": "TASK"}
    path = tmp_path / "ctr.json"
    path.write_text(json.dumps([record, task]))
    con = connect(tmp_path / "t.duckdb")
    (result,) = ingest_paths(con, [path])
    assert (result.inserted, result.quarantined) == (1, 1)  # a TASK is an internal work item, not a contact
    assert con.execute("SELECT channel FROM contacts").fetchall() == [("other",)]
