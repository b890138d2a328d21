"""The SQL reader against a real PostgreSQL 15 server (pytest-postgresql's executor, tests/pg_support.py),
through SQLAlchemy and a column mapping saved in the store."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import port_for
import psycopg
import pytest
from pull_support import run_once

from store.db import connect
from store.mappings import save_mapping

BIN = Path(os.environ.get("RECALL_OPS_PG_BIN", "/usr/lib/postgresql/15/bin"))

MAPPING = {
    "table": "contacts",
    "columns": {
        "source_id": "ticket_id",
        "channel": "channel",
        "created_at": "opened_at",
        "updated_at": "modified_at",
        "status": "status",
        "customer_email": "customer_email",
    },
    "constants": {"source": "helpdesk_db", "direction": "inbound"},
    "values": {"channel": {"E-mail": "email", "Telephone": "phone"}},
}


@pytest.fixture(scope="module")
def postgres(pg_server):
    """A database of its own on the test process's PostgreSQL server (tests/pg_support.py)."""
    yield pg_server.create("helpdesk", migrated=False), pg_server.port


def pg(port: int, sql: str, params: list | None = None) -> None:
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="helpdesk", autocommit=True) as c:
        c.execute(sql, params)


def rows(db: Path, sql: str) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


TOML = """
[[source]]
name = "helpdesk_db"
kind = "sql"
{what}
mapping = "helpdesk_db"
watermark = "modified_at"
batch_rows = 3
lookback_s = 300
retry_base_s = 0.02
"""


def prepare(tmp_path: Path, port: int) -> Path:
    pg(port, "DROP TABLE IF EXISTS tickets")
    pg(port, """CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, opened_at TIMESTAMPTZ NOT NULL,
                channel TEXT, status TEXT, customer_email TEXT, modified_at TIMESTAMPTZ)""")  # fmt: skip
    db = tmp_path / "store.duckdb"
    con = connect(db)
    save_mapping(con, "helpdesk_db", MAPPING)
    con.close()
    return db


def test_rows_sharing_one_watermark_are_paged_by_key_and_changes_are_picked_up(tmp_path, postgres):
    url, port = postgres
    db = prepare(tmp_path, port)
    t0 = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
    for i in range(7):  # five rows share one stamp: more than a page of 3
        stamp = t0 if i < 5 else t0 + timedelta(minutes=i)
        pg(port, "INSERT INTO tickets VALUES (%s, %s, %s, 'open', %s, %s)",
           [i + 1, t0, "E-mail" if i % 2 else "Telephone", f"c{i}@example.com", stamp])  # fmt: skip
    pg(port, "INSERT INTO tickets VALUES (99, %s, 'E-mail', 'open', 'late@example.com', NULL)", [t0])  # no stamp
    secrets = f'[recall_ops.pull.helpdesk_db]\nurl = "{url}"\n'
    status, lines = run_once(tmp_path, TOML.format(what='table = "tickets"'), db, secrets)
    assert status == 0, lines
    got = rows(db, "SELECT source_id, channel, created_at::VARCHAR FROM contacts ORDER BY source_id::INT")
    assert got == [(str(i + 1), "email" if i % 2 else "phone", "2024-03-05 14:00:00") for i in range(7)]
    pages = "SELECT count(*), sum(rows_read) FROM ingests WHERE loaded_by = 'pull:helpdesk_db/rows'"
    assert rows(db, pages) == [(3, 7)]

    now = datetime.now(UTC).replace(microsecond=0)
    pg(port, "UPDATE tickets SET status = 'solved', modified_at = %s WHERE ticket_id = 2", [now])
    pg(port, "INSERT INTO tickets VALUES (8, %s, 'Telephone', 'open', 'c8@example.com', %s)", [now, now])
    pg(port, "INSERT INTO tickets VALUES (9, %s, 'Fax', 'open', 'c9@example.com', %s)", [now, now])
    status, lines = run_once(tmp_path, TOML.format(what='table = "tickets"'), db, secrets)
    assert status == 0, lines
    assert rows(db, "SELECT status FROM contacts WHERE source_id = '2'") == [("solved",)]
    last = rows(db, "SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_quarantined FROM ingests "
                    "WHERE loaded_by = 'pull:helpdesk_db/rows' ORDER BY ingest_id")[3:]  # fmt: skip
    assert [sum(c) for c in zip(*last, strict=True)] == [5, 1, 1, 2, 1]  # 6 and 7 re-read (lookback) unchanged
    assert rows(db, "SELECT column_name, reason LIKE '%channel%' FROM quarantine") == [("channel", True)]
    cursor = json.loads(rows(db, "SELECT cursor_json FROM live_cursors")[0][0])
    assert cursor["key"] is None and datetime.fromisoformat(cursor["wm"]["v"]) == now - timedelta(minutes=5)


def test_a_query_source_and_a_bad_query_that_stops_with_the_database_message(tmp_path, postgres):
    url, port = postgres
    db = prepare(tmp_path, port)
    pg(port, "INSERT INTO tickets VALUES (1, now(), 'E-mail', 'open', 'a@example.com', now())")
    secrets = f'[recall_ops.pull.helpdesk_db]\nurl = "{url}"\n'
    query = "query = \"SELECT * FROM tickets WHERE status = 'open'\""
    status, lines = run_once(tmp_path, TOML.format(what=query), db, secrets)
    assert status == 0 and rows(db, "SELECT count(*) FROM contacts") == [(1,)]
    status, lines = run_once(tmp_path, TOML.format(what='query = "SELECT * FROM tikets"'), db, secrets)
    assert status == 1
    err = rows(db, "SELECT state, last_error FROM live_sources")[0]
    assert err[0] == "stopped" and 'relation "tikets" does not exist' in err[1]


def test_an_unreachable_database_retries_then_degrades_without_showing_the_password(tmp_path, postgres):
    db = prepare(tmp_path, postgres[1])
    secrets = f'[recall_ops.pull.helpdesk_db]\nurl = "postgresql+psycopg://ops:hunter2@127.0.0.1:{port_for.select_random()}/x"\n'
    status, lines = run_once(tmp_path, TOML.format(what='table = "tickets"'), db, secrets)
    assert status == 1
    assert sum("retrying" in line for line in lines) == 5 and any("degraded" in line for line in lines)
    state, error = rows(db, "SELECT state, last_error FROM live_sources")[0]
    assert state == "degraded" and "ops:***@127.0.0.1" in error and "hunter2" not in error + "".join(lines)
