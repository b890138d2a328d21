"""The registry's regulator columns (docs/regulator-reports.md#registry-columns): supply-chain level,
remedy type, disposition and its date, read from the header aliases and the words registries use."""

from __future__ import annotations

from conftest import METRIC_FIXTURES, load, two_table_layout

from store.db import SCHEMA_VERSION, connect

REGISTRY = """Serial Number,Customer ID,Held By,Remedy Type,Remedied At,Disposition,Disposition Date
S1,C1,Retail,Replacement,2026-03-01T00:00:00Z,,
S2,C2,consumer,,,Theft,2026-03-05T12:00:00Z
S3,C3,,Disposal,2026-03-04T12:00:00Z,,
S4,C4,End-User,,,No remedy needed,2026-03-06T12:00:00Z
S5,C5,Wholesaler,,,failed to receive notification,2026-03-07T12:00:00Z
S6,C6,moon,,,lost,
"""


def test_aliases_and_registry_words_are_read_as_canonical_values(store, tmp_path):
    load(store, METRIC_FIXTURES / "recall.toml")
    f = tmp_path / "registry.csv"
    f.write_text(REGISTRY)
    (result,) = load(store, f, recall_id="R1")
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("registry", 6, 5, 1)
    rows = store.execute(
        "SELECT unit_id, supply_chain_level, remedy, disposition, strftime(disposition_at, '%d %H') "
        "FROM affected ORDER BY unit_id"
    ).fetchall()
    assert rows == [
        ("S1", "retailer", "replace", None, None),
        ("S2", "consumer", None, "stolen", "05 12"),
        ("S3", None, "destroy", None, None),  # no level: unknown, not a level
        ("S4", "consumer", None, "no_remedy_needed", "06 12"),
        ("S5", "distributor", None, "not_notified", "07 12"),
    ]
    # An unknown word quarantines the row, naming each column and keeping the text as written.
    bad = store.execute("SELECT source_row, column_name, raw FROM quarantine ORDER BY column_name").fetchall()
    assert bad == [(7, "disposition", "lost"), (7, "supply_chain_level", "moon")]


def test_a_store_made_before_the_columns_gets_them_empty(tmp_path):
    path = tmp_path / "old.duckdb"
    con = connect(path)
    load(con, METRIC_FIXTURES / "recall.toml", METRIC_FIXTURES / "registry.csv")
    two_table_layout(con)
    for table in ("affected", "affected_history"):  # what a version-3 store looked like
        for column in ("supply_chain_level", "disposition", "disposition_at"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("UPDATE schema_state SET version = 3")
    con.close()
    con = connect(path)
    assert con.execute("SELECT version FROM schema_state").fetchall() == [(SCHEMA_VERSION,)]
    assert con.execute("SELECT count(*), count(supply_chain_level), count(disposition) FROM affected").fetchall() == [
        (6, 0, 0)
    ]
    con.close()
