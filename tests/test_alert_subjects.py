"""Reasons from the words of a contact's subject, where it has no reason and no tag
(alerts/reasons.py ``subject_words``; docs/alerts.md#reasons-from-subjects), worked by hand on
recall R1 of tests/fixtures/metrics (reason rules learn until 2026-03-03T15:00Z)."""

from __future__ import annotations

import csv
from datetime import timedelta

from alerts_support import Store, at, iso
from conftest import METRIC_FIXTURES, load, two_table_layout

from alerts.engine import evaluate
from alerts.history import states_at
from alerts.reasons import reports, subject_words
from store.db import SCHEMA_VERSION, connect

# "Ticket Subject" is an alias of the canonical ``subject`` column (store/schema.py).
HEADER = ("source", "source_id", "recall_id", "channel", "direction", "created_at", "reason", "tags")


def tickets(s: Store, rows: list[tuple[str, str, str, str, str, str]]) -> None:
    """(id, created_at, reason, tags, customer_email, subject) rows as one canonical contacts file."""
    s.files += 1
    path = s.tmp / f"subjects_{s.files}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([*HEADER, "customer_email", "Ticket Subject"])
        for sid, created, reason, tags, email, subject in rows:
            w.writerow(["zendesk", sid, "R1", "email", "inbound", created, reason, tags, email, subject])
    load(s.con, path)


def test_subject_words_by_hand():
    # Lower-cased, apostrophes dropped, punctuation splits words, "the" is a stop word.
    assert subject_words("Buckle won't release after repair!!") == "buckle wont release after repair"
    assert subject_words("buckle wont release after the repair") == "buckle wont release after repair"
    # "RE:"/"Fwd:" and "my" are stop words; "#4471" and "A7X9" carry digits (ids); "a" is one letter;
    # the email and the phone number go before anything else.
    text = "RE: Fwd: my order #4471 (A7X9) a buckle – ann.lee@example.com / (312) 555-0142"
    assert subject_words(text) == "order buckle"
    assert subject_words("   ") == subject_words(None) == ""
    assert len(subject_words(" ".join(f"word{c}x" for c in "abcdefghij") + " " + "stuck " * 12).split()) == 8


def test_three_customers_subjects_make_a_problem_and_an_email_never_shows(tmp_path):
    s = Store(tmp_path)
    ten = at("2026-03-10T14:00:00Z")
    tickets(
        s,
        [
            ("s1", iso(ten), "", "", "a@x.com", "Buckle won't release after repair!!"),
            ("s2", iso(ten + timedelta(hours=1)), "", "recall_r1", "b@x.com", "buckle wont release after the repair"),
            # c writes the subject with an email in it: same reason once the email is removed.
            ("s3", iso(ten + timedelta(hours=2)), "", "", "c@x.com", "Buckle wont release after repair zoe@mail.com"),
            # A contact with a reason or a tag other than the match tag: its subject is not a reason.
            ("s4", iso(ten + timedelta(hours=2)), "Remedy status", "", "d@x.com", "Buckle won't release after repair"),
            ("s5", iso(ten + timedelta(hours=2)), "", "kit_missing", "e@x.com", "Buckle won't release after repair"),
        ],
    )
    f = reports(s.con, "R1", at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"))
    assert f.filter(f["key"] == "buckle wont release after repair")["customer_id"].n_unique() == 3
    assert set(f["key"]) == {"buckle wont release after repair", "remedy status", "kit missing"}
    evaluate(s.con, at("2026-03-10T16:05:00Z"), rule_ids=["reason-reports"])
    (alert,) = [a for a in states_at(s.con, at("2026-03-10T16:05:00Z")) if a["rule"] == "reason-reports"]
    assert (alert["subject"], alert["state"], alert["severity"], alert["value"]) == (
        "buckle wont release after repair",
        "firing",
        "critical",
        3.0,
    )
    shown = " ".join(str(v) for v in alert.values())
    assert "zoe" not in shown and "mail.com" not in shown and "@" not in shown
    assert alert["detail"].startswith("“buckle wont release after repair”: 3 customers within 72 h (3 contacts")
    s.con.close()


def test_a_version_8_store_gains_the_subject_column_empty(tmp_path):
    s = Store(tmp_path)
    tickets(s, [("o1", "2026-03-10T14:00:00Z", "Remedy status", "", "a@x.com", "")])
    s.con.close()
    con = connect(tmp_path / "alerts.duckdb")
    two_table_layout(con)
    for table in ("contacts", "contacts_history"):  # what a version-8 store looked like
        con.execute(f"ALTER TABLE {table} DROP COLUMN subject")
    con.execute("UPDATE schema_state SET version = 8")
    con.close()
    con = connect(tmp_path / "alerts.duckdb")
    assert con.execute("SELECT version FROM schema_state").fetchall() == [(SCHEMA_VERSION,)] == [(10,)]
    assert con.execute("SELECT source_id, reason, subject FROM contacts").fetchall() == [("o1", "Remedy status", None)]
    con.close()


def test_reports_from_subjects_are_the_same_on_postgresql(tmp_path, pg_server):
    """The reasons query (reason, tags, subject; alerts/reasons.py) on PostgreSQL gives DuckDB's reports."""
    rows = [
        ("s1", "2026-03-10T14:00:00Z", "", "", "a@x.com", "Buckle won't release after repair!!"),
        ("s2", "2026-03-10T15:00:00Z", "", "recall_r1", "b@x.com", "buckle wont release after the repair"),
        ("s3", "2026-03-10T16:00:00Z", "Remedy status", "", "c@x.com", "Buckle won't release"),
        ("s4", "2026-03-10T16:30:00Z", "", "kit_missing other", "d@x.com", ""),
    ]
    duck = Store(tmp_path)
    pg = Store.__new__(Store)  # the same helper on a PostgreSQL store
    pg.tmp, pg.files, pg.con = tmp_path, 10, connect(pg_server.fresh())
    load(pg.con, METRIC_FIXTURES / "recall.toml")
    got = {}
    for name, s in (("duckdb", duck), ("postgresql", pg)):
        tickets(s, rows)
        frame = reports(s.con, "R1", at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"))
        got[name] = sorted(frame.select("key", "label", "customer_id").rows())
        s.con.close()
    assert got["postgresql"] == got["duckdb"]
    assert [k for k, _, _ in got["duckdb"]] == [
        "buckle wont release after repair",
        "buckle wont release after repair",
        "kit missing",
        "other",
        "remedy status",
    ]
