"""The Upload page's logic below the page (issue 15, items 7-9): which recall a file's rows belong
to and why (connectors/assignment.py), suggested mappings and value maps (connectors/suggest.py),
the quarantine grouped by reason (connectors/redact.py) and an undo's impact measured without
changing the store (store/reconcile.py)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from conftest import METRIC_FIXTURES

from connectors.assignment import assigned, sentence, tally
from connectors.load import ingest_paths
from connectors.redact import quarantine_reasons
from connectors.suggest import samples, suggest_columns, suggest_values, unmapped_rows
from store.mappings import describe
from store.reconcile import overview_contacts, undo_impact
from store.schema import TABLES
from store.undo import undo_group


@pytest.fixture(scope="module")
def recalls():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE recalls(recall_id VARCHAR, match_tags VARCHAR[], match_queues VARCHAR[], "
        "match_numbers VARCHAR[], match_campaigns VARCHAR[])"
    )
    con.execute(
        "INSERT INTO recalls VALUES ('R1', ['recall_r1'], ['seats'], ['+15550001'], ['Seat Notice']), "
        "('R2', [], ['strollers'], [], [])"
    )
    yield con
    con.close()


def test_rows_are_counted_by_the_recall_and_the_rule_that_holds_them(recalls):
    # Row 0 and 4 carry tag recall_r1 → R1 by tag (row 4's queue Seats also matches; the tag comes first);
    # row 1's queue "Seats" → R1 by queue (any case); row 2 names R2; row 3 dialled R1's number;
    # row 5 matches nothing. By hand: R1 tag 2, R1 queue 1, R1 number 1, R2 named 1, none 1.
    frame = pl.DataFrame(
        {
            "recall_id": [None, None, "R2", None, None, None],
            "tags": [["recall_r1", "x"], [], None, None, ["recall_r1"], ["billing"]],
            "queue": [None, "Seats", "seats", None, "Seats", "billing"],
            "dialled_number": [None, None, None, "+15550001", None, None],
        }
    )
    counts = tally(recalls, frame, "contacts")
    assert counts == {
        ("R1", "by tag `recall_r1`"): 2,
        ("R1", "by queue `seats`"): 1,
        ("R1", "by number `+15550001`"): 1,
        ("R2", "(named in the file or at upload)"): 1,
        (None, ""): 1,
    }
    assert sentence(counts, 6) == (
        "2 of 6 rows belong to R1 by tag `recall_r1`; 1 of 6 rows belong to R1 by number `+15550001`; "
        "1 of 6 rows belong to R1 by queue `seats`; 1 of 6 rows belong to R2 (named in the file or at upload); "
        "1 match no recall."
    )
    assert assigned(recalls, frame, "contacts").to_list() == ["R1", "R1", "R2", "R1", "R1", None]


def test_outreach_events_match_campaigns_in_any_case(recalls):
    frame = pl.DataFrame({"recall_id": [None, None], "campaign": [["seat notice"], ["newsletter"]]})
    assert sentence(tally(recalls, frame, "notifications"), 2) == (
        "1 of 2 rows belong to R1 by campaign `seat notice`; 1 match no recall."
    )


LEGACY = pl.DataFrame(
    {
        "Ticket ID": ["T1", "T2", "T3", "T4"],
        "Opened": ["2026-03-02 10:00", "2026-03-03 11:00", "2026-03-04 09:00", "2026-03-04 09:30"],
        "Medium": ["E-mail", "Call", "Fax", "E-mail"],
        "In/Out": ["In", "Out", "in", "incoming"],
        "Requester": ["a@x.com", "b@x.com", None, "a@x.com"],
        "Group": ["Seats", "Seats", "Strollers", "Seats"],
        "Notes": ["x", "y", "z", "w"],
    }
)


def test_columns_are_suggested_from_headers_and_values():
    sample = samples(LEGACY)
    assert sample["Medium"] == ["E-mail", "Call", "Fax"] and sample["Requester"] == ["a@x.com", "b@x.com"]
    # "Requester" is close to "requester email" and holds addresses; "Medium" is a channel synonym;
    # "In/Out" reads as a direction only because every value maps to one; "Notes" matches nothing.
    assert suggest_columns("contacts", LEGACY.columns, sample) == {
        "source_id": "Ticket ID",
        "channel": "Medium",
        "direction": "In/Out",
        "created_at": "Opened",
        "queue": "Group",
        "customer_email": "Requester",
    }


def test_choice_values_are_suggested_and_the_unmapped_counted():
    values, rows = suggest_values(LEGACY["Medium"], TABLES["contacts"].column("channel").choices)
    assert values == {"E-mail": "email", "Call": "phone", "Fax": None}
    assert rows == {"E-mail": 2, "Call": 1, "Fax": 1}
    assert unmapped_rows(values, rows) == 1
    direction, _ = suggest_values(LEGACY["In/Out"], TABLES["contacts"].column("direction").choices)
    assert direction == {"In": "inbound", "Out": "outbound", "in": "inbound", "incoming": "inbound"}


def test_the_quarantine_is_grouped_by_reason_with_counts():
    view = pl.DataFrame(
        {
            "source_row": [9, 2, 3, 5],
            "column_name": ["created_at", "channel", "created_at", "created_at"],
            "reason": ["cannot read created_at value as ts", "channel must be one of …"]
            + ["cannot read created_at value as ts"] * 2,
        }
    )
    assert quarantine_reasons(view).rows() == [
        ("cannot read created_at value as ts", "created_at", 3, "3, 5, 9"),
        ("channel must be one of …", "channel", 1, "2"),
    ]


def test_an_undos_impact_is_what_the_undo_then_does_and_changes_nothing(both_store):
    con = both_store  # on DuckDB and on PostgreSQL
    ingest_paths(con, [METRIC_FIXTURES], loaded_by="fixture")
    (group,) = con.execute("SELECT group_id FROM ingests WHERE file_name = 'contacts.csv'").fetchone()
    before = overview_contacts(con)
    impact = undo_impact(con, group)
    # contacts.csv: 14 rows; 13 inbound, c11 (tag billing) in no recall → R1's Overview holds 12.
    assert impact.removed["contacts"] == 14 and impact.contacts == {"R1": (12, 0)}
    assert overview_contacts(con) == before == {"R1": 12}
    assert con.execute("SELECT count(*) FROM ingests WHERE undone_at IS NOT NULL").fetchone() == (0,)
    results = undo_group(con, group)
    assert sum(r.deleted["contacts"] for r in results) == 14 and overview_contacts(con) == {}


def test_a_saved_mapping_reads_as_a_list():
    spec = {
        "table": "contacts",
        "columns": {"source_id": "Ticket ID", "channel": "Medium"},
        "constants": {"source": "legacy_desk"},
        "values": {"channel": {"e-mail": "email"}},
        "date_format": "day_first",
    }
    assert describe(spec) == [
        "Ticket ID → source_id",
        "Medium → channel",
        "source = legacy_desk (every row)",
        "channel: e-mail → email",
        "dates day first",
    ]
