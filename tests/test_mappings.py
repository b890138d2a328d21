"""Column mappings saved by name (store/mappings.py) and files read through them
(connectors/mapped.py, ``python -m connectors ingest --mapping NAME`` / ``mapping ...``).

Expected values are worked out by hand: Europe/Berlin is CET (UTC+1) until 2026-03-29; the recall
(tests/fixtures/metrics/recall.toml, R1) is America/Chicago, CDT (UTC-5) from 2026-03-08.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from conftest import METRIC_FIXTURES, load

from connectors.__main__ import main
from connectors.load import Failure, ingest_paths
from store.db import connect
from store.mappings import MappingError, delete_mapping, get_mapping, list_mappings, save_mapping

RECALL = METRIC_FIXTURES / "recall.toml"
WFM = {
    "table": "contacts",
    "columns": {
        "source_id": "Interaction ID",
        "created_at": "Start Time",
        "channel": "Media",
        "customer_email": "Customer E-mail",
        "talk_s": "Talk (s)",
        "queue": "Queue",
    },
    "constants": {"source": "genesys_wfm", "direction": "inbound"},
    "values": {"channel": {"Voice": "phone", "E-mail": "email"}},
    "timezone": "Europe/Berlin",
}
WFM_CSV = (
    "Interaction ID;Start Time;Media;Customer E-mail;Talk (s);Queue;Ignored\n"
    "I-1;2026-03-03 10:00:00;Voice;Ann@Example.com;120;Recall Hotline;x\n"
    "I-2;2026-03-03 11:30:00;e-mail ;bob@example.com;;Recall Hotline;y\n"  # value maps: trimmed, any case
    "I-3;2026-03-03 12:00:00;Fax;c@example.com;30;Other;z\n"  # fax is no channel: quarantined
)


def contacts(con):
    return con.execute(
        "SELECT source, source_id, channel, direction, created_at, customer_email, talk_s, handle_s, queue "
        "FROM contacts ORDER BY source_id"
    ).fetchall()


EXPECTED = [
    (
        "genesys_wfm",
        "I-1",
        "phone",
        "inbound",
        dt.datetime(2026, 3, 3, 9, 0),
        "ann@example.com",
        120.0,
        120.0,
        "Recall Hotline",
    ),
    (
        "genesys_wfm",
        "I-2",
        "email",
        "inbound",
        dt.datetime(2026, 3, 3, 10, 30),
        "bob@example.com",
        None,
        None,
        "Recall Hotline",
    ),
]


# --- store/mappings.py ----------------------------------------------------------------------------


def test_save_get_list_delete_round_trip(store):
    clean = save_mapping(store, " wfm ", WFM)
    assert clean == {**WFM, "values": {"channel": {"voice": "phone", "e-mail": "email"}}}
    assert get_mapping(store, "wfm") == clean
    (saved,) = list_mappings(store)
    assert (saved["name"], saved["table"], saved["spec"]) == ("wfm", "contacts", clean)
    assert saved["created_at"] == saved["updated_at"]
    save_mapping(store, "wfm", {**WFM, "timezone": None})  # saving again replaces, keeps created_at
    (again,) = list_mappings(store)
    assert again["spec"]["timezone"] is None
    assert again["created_at"] == saved["created_at"] and again["updated_at"] >= saved["updated_at"]
    delete_mapping(store, "wfm")
    assert list_mappings(store) == []
    with pytest.raises(MappingError, match=r"no mapping named 'wfm' \(saved: none\)"):
        get_mapping(store, "wfm")
    with pytest.raises(MappingError, match="no mapping named 'wfm'"):
        delete_mapping(store, "wfm")


def without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({**WFM, "table": "recalls"}, "table must be one of contacts, csat, notifications, affected (got 'recalls')"),
        ({**WFM, "columns": {**WFM["columns"], "sauce": "S"}}, "columns: unknown contacts column(s) sauce"),
        (
            {"table": "contacts", "columns": {"source_id": "Id"}},
            "required contacts column(s) neither mapped nor constant: source, channel, direction, created_at",
        ),
        (
            {**WFM, "constants": {"source": "x", "channel": "phone", "direction": "inbound"}},
            "column(s) both mapped and constant: channel",
        ),
        (
            {**WFM, "values": {"channel": {"Voice": "telephone"}}},
            "channel: 'telephone' is not one of phone, email, chat, whatsapp, sms, social, web",
        ),
        ({**WFM, "constants": {"source": "x", "direction": "in"}}, "direction: 'in' is not one of inbound, outbound"),
        ({**WFM, "values": {"agent": {"a": "b"}}}, "values: agent is not a mapped column"),
        ({**WFM, "timezone": "Mars/Olympus"}, "timezone 'Mars/Olympus' is not an IANA time zone"),
        (
            {**WFM, "columns": {**WFM["columns"], "customer_phone": "Phone"}},
            "columns: customer_phone is derived; use customer_phone_raw",
        ),
        (
            {**WFM, "colums": {}},
            "unknown key(s) colums (allowed: table, columns, constants, values, timezone, date_format)",
        ),
        ({**WFM, "columns": {**WFM["columns"], "queue": ""}}, "columns: queue must name a source header"),
        ([1, 2], "a mapping must be a JSON object with table and columns"),
    ],
)
def test_invalid_specs_are_refused_with_a_clear_message(store, spec, message):
    with pytest.raises(MappingError) as e:
        save_mapping(store, "bad", spec)
    assert message in str(e.value)
    assert list_mappings(store) == []


def test_affected_needs_no_recall_column():
    from store.mappings import validate_spec

    assert validate_spec({"table": "affected", "columns": {"unit_id": "VIN"}})["columns"] == {"unit_id": "VIN"}


# --- ingest through a saved mapping ---------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    (tmp_path / "wfm.json").write_text(json.dumps(WFM))
    (tmp_path / "wfm_export.csv").write_text(WFM_CSV)
    return tmp_path


def test_cli_saves_a_mapping_and_ingests_an_unknown_layout_twice_without_double_counting(files, capsys):
    db = str(files / "store.duckdb")
    assert main(["ingest", str(RECALL), "--db", db]) == 0
    assert main(["mapping", "save", "wfm", str(files / "wfm.json"), "--db", db]) == 0
    assert "saved mapping wfm (contacts: 6 mapped, 2 constant)" in capsys.readouterr().out
    # detection alone does not know this layout
    assert main(["ingest", str(files / "wfm_export.csv"), "--db", db]) == 1
    assert "no connector recognises this file" in capsys.readouterr().out
    for _ in range(2):
        assert main(["ingest", str(files / "wfm_export.csv"), "--mapping", "wfm", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "wfm_export.csv: mapped read=3 inserted=2 updated=0 unchanged=0 quarantined=1" in out
    assert "wfm_export.csv: mapped read=3 inserted=0 updated=0 unchanged=2 quarantined=1" in out
    assert (
        "row 4, id I-3, column channel: channel must be one of phone, email, chat, whatsapp, sms, social, web, other "
        "(value 'Fax')"
    ) in out  # the record's own id and the failing value, in clear
    con = connect(db)
    try:
        assert contacts(con) == EXPECTED  # times read in the mapping's zone (Berlin), not the recall's
        ledger = con.execute(
            "SELECT connector, timezone, rows_read, rows_inserted, rows_unchanged, rows_quarantined "
            "FROM ingests WHERE connector = 'mapped' ORDER BY ingest_id"
        ).fetchall()
        assert ledger == [("mapped", "Europe/Berlin", 3, 2, 0, 1), ("mapped", "Europe/Berlin", 3, 0, 2, 1)]
    finally:
        con.close()


def test_cli_list_show_delete(files, capsys):
    db = str(files / "store.duckdb")
    assert main(["mapping", "save", "wfm", str(files / "wfm.json"), "--db", db]) == 0
    assert main(["mapping", "list", "--db", db]) == 0
    assert main(["mapping", "show", "wfm", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("wfm\tcontacts\tupdated ")
    assert json.loads("\n".join(out[2:]))["constants"] == {"source": "genesys_wfm", "direction": "inbound"}
    assert main(["mapping", "delete", "wfm", "--db", db]) == 0
    assert main(["mapping", "show", "wfm", "--db", db]) == 1
    assert "error: no mapping named 'wfm' (saved: none)" in capsys.readouterr().err
    (files / "broken.json").write_text('{"table": "contacts",\n "columns": }')
    assert main(["mapping", "save", "x", str(files / "broken.json"), "--db", db]) == 1
    assert "broken JSON at line 2, column 13" in capsys.readouterr().err
    assert main(["ingest", str(files / "wfm_export.csv"), "--mapping", "nope", "--db", db]) == 2
    assert "error: no mapping named 'nope'" in capsys.readouterr().err


def test_mapping_saved_in_python_is_used_by_ingest_paths_with_explicit_zone(store, files):
    load(store, RECALL)
    save_mapping(store, "wfm", WFM)
    results = ingest_paths(store, [files / "wfm_export.csv"], tz="UTC", mapping=get_mapping(store, "wfm"))
    (result,) = results
    assert (result.connector, result.read, result.inserted, result.quarantined) == ("mapped", 3, 2, 1)
    # an explicit zone at upload wins over the mapping's: 10:00 read as UTC
    assert [r[4] for r in contacts(store)] == [dt.datetime(2026, 3, 3, 10, 0), dt.datetime(2026, 3, 3, 11, 30)]


def test_recall_toml_in_the_same_call_is_still_detected(store, files):
    results = ingest_paths(store, [files / "wfm_export.csv", RECALL], mapping=WFM)
    assert [(r.file_name, r.connector) for r in results] == [
        ("recall.toml", "recall_toml"),
        ("wfm_export.csv", "mapped"),
    ]


def test_xlsx_through_a_mapping_with_value_map_into_affected(store, tmp_path):
    load(store, RECALL)
    book = openpyxl.Workbook()
    for row in [
        ["VIN", "Owner mail", "Fix", "Done on", "Notes"],
        ["1HGCM82633A004352", "Ann@Example.com", "Software update", dt.datetime(2026, 3, 20, 8, 15), "ok"],
        [4711, None, "buy-back", None, None],
        ["5YJ3E1EA7KF317000", "c@example.com", "Swap", None, None],  # not a remedy: quarantined
    ]:
        book.active.append(row)
    book.save(tmp_path / "dealer list.xlsx")
    spec = {
        "table": "affected",
        "columns": {
            "unit_id": "vin",
            "customer_email": "Owner Mail",
            "remedy": "Fix",
            "remedy_completed_at": "Done on",
        },
        "values": {"remedy": {"Software update": "repair", "Buy-back": "refund"}},
    }
    save_mapping(store, "dealer", spec)
    for _ in range(2):
        (result,) = load(store, tmp_path / "dealer list.xlsx", mapping=get_mapping(store, "dealer"))
    assert (result.read, result.inserted, result.updated, result.unchanged, result.quarantined) == (3, 0, 0, 2, 1)
    rows = store.execute(
        "SELECT recall_id, unit_id, customer_email, remedy, remedy_completed_at, source_row FROM affected ORDER BY 6"
    ).fetchall()
    assert rows == [
        ("R1", "1HGCM82633A004352", "ann@example.com", "repair", dt.datetime(2026, 3, 20, 13, 15), 2),  # 08:15 CDT
        ("R1", "4711", None, "refund", None, 3),
    ]
    quarantine = store.execute(
        "SELECT ingest_id, source_row, column_name, reason FROM quarantine ORDER BY 1"
    ).fetchall()
    assert quarantine == [  # once per load: ingest 1 is the recall
        (2, 4, "remedy", "remedy must be one of refund, replace, repair, destroy"),
        (3, 4, "remedy", "remedy must be one of refund, replace, repair, destroy"),
    ]


def test_missing_header_fails_clearly_and_changes_nothing(files, capsys):
    db = str(files / "store.duckdb")
    assert main(["mapping", "save", "wfm", str(files / "wfm.json"), "--db", db]) == 0
    (files / "renamed.csv").write_text(WFM_CSV.replace("Start Time", "Started").replace("Queue;", "Team;"))
    assert main(["ingest", str(files / "renamed.csv"), "--mapping", "wfm", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "FAILED renamed.csv: header(s) 'Start Time', 'Queue' named by the mapping are not in the file" in out
    con = connect(db)
    try:
        assert con.execute("SELECT (SELECT count(*) FROM ingests), (SELECT count(*) FROM contacts)").fetchall() == [
            (0, 0)
        ]
    finally:
        con.close()


def test_headers_match_case_insensitively_and_bad_spec_is_a_failure_not_a_crash(store, files):
    load(store, RECALL)
    (files / "lower.csv").write_text(WFM_CSV.replace("Interaction ID", "interaction_id"))
    (ok,) = ingest_paths(store, [files / "lower.csv"], mapping=WFM)
    assert ok.inserted == 2
    (bad,) = ingest_paths(store, [files / "lower.csv"], mapping={"table": "contacts"})
    assert isinstance(bad, Failure) and bad.message.startswith("lower.csv: the mapping cannot be used (")
