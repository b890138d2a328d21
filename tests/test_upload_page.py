"""AppTest of the Upload page (pages/upload.py).

AppTest cannot drive ``st.file_uploader``, so each test puts the uploaded files in
``st.session_state["upload_seed"]`` as ``(name, bytes)`` pairs: the page reads that key whenever
the uploader holds no file (ui.upload.seeded_files). Results are checked through a real DuckDB
connection to the store file after the run.
"""

from __future__ import annotations

import polars as pl
import pytest
from conftest import METRIC_FIXTURES, ROOT, plain
from streamlit.testing.v1 import AppTest

from connectors.load import ingest_paths
from store.db import connect
from ui.upload_preview import masked_rejects

PAGE = "pages/upload.py"
BAD_ROWS = (
    "source,source_id,recall_id,channel,direction,created_at,customer_email\n"
    "five9,q1,R1,fax,inbound,2026-03-02T10:00:00Z,bob@x.com\n"
    "five9,q2,R1,phone,inbound,yesterday,carol@x.com\n"
    "five9,q3,R1,phone,inbound,2026-03-02T10:00:00Z,ok@x.com\n"
)


@pytest.fixture
def loaded_db(empty_db):
    con = connect(empty_db)
    ingest_paths(con, [METRIC_FIXTURES], loaded_by="fixture")
    con.close()
    return empty_db


def upload_page(files: list[tuple[str, bytes]] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if files is not None:
        at.session_state["upload_seed"] = files
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def query(path, sql: str) -> list[tuple]:
    con = connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def frames(at: AppTest, *columns: str) -> list:
    """The shown tables (pandas) that have ``columns``, in page order (AppTest exposes no
    st.dataframe key, so tables are told apart by their columns)."""
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def report(at: AppTest) -> dict[str, dict]:
    (frame,) = frames(at, "file", "ingest_id", "inserted")
    return {r["file"]: r for r in frame.to_dict("records")}


def test_a_canonical_csv_and_a_recall_toml_land_with_the_right_counts(empty_db):
    files = [(n, (METRIC_FIXTURES / n).read_bytes()) for n in ("contacts.csv", "recall.toml")]
    at = upload_page(files)
    shown = plain(" ".join(m.value for m in at.markdown))
    assert "contacts.csv** → connector `canonical_csv`" in shown and "recall.toml** → connector `recall_toml`" in shown
    assert not at.error
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    rows = report(at)
    assert {k: (v["read"], v["inserted"], v["updated"], v["quarantined"]) for k, v in rows.items()} == {
        "recall.toml": (1, 1, 0, 0),
        "contacts.csv": (14, 14, 0, 0),
    }
    assert query(empty_db, "SELECT count(*) FROM contacts") == [(14,)]
    assert query(empty_db, "SELECT recall_id, timezone FROM recalls") == [("R1", "America/Chicago")]
    assert query(empty_db, "SELECT DISTINCT loaded_by FROM ingests") == [("open mode (localhost)",)]
    (history,) = frames(at, "file", "undone at (UTC)")
    assert sorted(history["file"]) == ["contacts.csv", "recall.toml"]


def test_a_bad_file_shows_its_clear_message_and_loads_nothing(loaded_db):
    before = query(loaded_db, "SELECT count(*) FROM ingests")
    files = [("other.csv", b"a,b,c\n1,2,3\n"), ("broken.json", b'[{"a": 1},\n{"b": \n')]
    at = upload_page(files)
    errors = [plain(e.value) for e in at.error]
    assert any("other.csv: no connector recognises this file (header: a, b, c)" in e for e in errors)
    assert any("broken.json" in e and "line" in e for e in errors), errors
    # Nothing loadable is staged: Load is disabled and says why (issue 15, item 9).
    assert at.button(key="upload_load").disabled
    assert any("Nothing to load" in c.value for c in at.caption)
    assert not frames(at, "file", "ingest_id", "inserted")
    assert query(loaded_db, "SELECT count(*) FROM ingests") == before


def test_a_file_the_store_already_holds_is_marked_and_not_loaded_again(loaded_db):
    """contacts.csv was loaded by the fixture (another session, a command): staging the same bytes
    says so, names that load, and Load stays disabled; a changed byte makes it loadable."""
    contacts = (METRIC_FIXTURES / "contacts.csv").read_bytes()
    ((ingest_id,),) = query(loaded_db, "SELECT ingest_id FROM ingests WHERE file_name = 'contacts.csv'")
    at = upload_page([("contacts.csv", contacts)])
    words = plain(" ".join(m.value for m in at.markdown))
    assert f"already in the store as #{ingest_id} (the same bytes, loaded " in words and "by fixture)" in words
    assert at.button(key="upload_load").disabled
    at = upload_page([("contacts.csv", contacts + b"\n")])
    assert "already in the store" not in plain(" ".join(m.value for m in at.markdown))
    assert not at.button(key="upload_load").disabled


def test_quarantined_rows_are_previewed_listed_and_kept_for_history(loaded_db):
    at = upload_page([("bad_rows.csv", BAD_ROWS.encode())])
    assert any("2 would be quarantined" in c.value for c in at.caption)
    # The preview says which recall the rows belong to and why, and shows recall_id first.
    assert any("1 of 1 rows belong to R1 (named in the file or at upload)." in plain(i.value) for i in at.info)
    assert frames(at, "recall_id", "source_id")[0].columns[0] == "recall_id"
    # The quarantine grouped by reason, with counts.
    reasons = frames(at, "reason", "entries")[0]
    assert sorted(reasons["entries"].tolist()) == [1, 1]
    at.button(
        key="upload_load",
    ).click().run()
    assert not at.exception, at.exception
    row = report(at)["bad_rows.csv"]
    assert (row["read"], row["inserted"], row["quarantined"]) == (3, 1, 2)
    # The report links to the change it made (R1 held 12 inbound contacts; q3 is a 13th) and says it in words.
    (link,) = [e.proto for e in at.get("page_link")]
    assert link.label == "Overview › R1 › Contacts +1: 12 → 13", link.label
    words = plain(" ".join(m.value for m in at.markdown))
    assert "3 input rows read; 1 new row stored; 0 replaced an older version" in words
    # The staged file is marked as loaded and is not loaded again: Load is disabled.
    (ingest_id,) = query(loaded_db, "SELECT max(ingest_id) FROM ingests")[0]
    assert f"already loaded as #{ingest_id}" in words
    assert at.button(key="upload_load").disabled
    rejects = frames(at, "source_row", "column_name", "raw")[0]
    assert rejects[["source_row", "column_name", "raw"]].values.tolist() == [
        [2, "channel", "fax"],
        [3, "created_at", "yesterday"],
    ]
    # The same rows are viewable from the history for that ingest.
    (ingest_id,) = query(loaded_db, "SELECT max(ingest_id) FROM ingests")[0]
    at.selectbox(key="upload_quarantine_pick").set_value(ingest_id).run()
    shown = frames(at, "source_row", "column_name", "raw")[-1]
    assert shown["reason"].str.contains("channel must be one of").any() and len(shown) == 2


def test_personal_raw_values_are_masked_in_the_quarantine():
    rejects = pl.DataFrame(
        {
            "source_row": [2, 3, 4, 5, 6],
            "column_name": ["customer_email", "customer_phone_raw", "Requester E-mail", "Mobile", "channel"],
            "reason": ["r"] * 5,
            "raw": ["alice@x.com", "+13125550101", "bob@y.com", "(312) 555-0101", "fax"],
        }
    )
    assert masked_rejects(rejects)["raw"].to_list() == [
        "a***@x.com",
        "+*******0101",
        "b***@y.com",
        "(***) ***-0101",
        "fax",
    ]


def test_undo_from_the_history_removes_the_ingests_rows(loaded_db):
    (contacts_ingest,) = query(loaded_db, "SELECT ingest_id FROM ingests WHERE file_name = 'contacts.csv'")[0]
    assert query(loaded_db, "SELECT count(*) FROM contacts") == [(14,)]
    at = upload_page()
    at.selectbox(key="undo_pick").set_value(contacts_ingest).run()
    at.button(key="undo_ask").click().run()
    # Asked first, with its impact; nothing is undone yet (issue 15, item 9).
    (asked,) = [plain(w.value) for w in at.warning if plain(w.value).startswith("Undo #")]
    # contacts.csv: 14 rows, 13 inbound, of which c11 (tag billing) matches no recall: R1 holds 12.
    assert "Removes 14 contacts; Overview contacts 12 → 0 (R1)." in asked, asked
    assert query(loaded_db, "SELECT count(*) FROM contacts") == [(14,)]
    at.button(key="undo_confirm").click().run()
    assert not at.exception, at.exception
    assert any(f"Undid ingest #{contacts_ingest} (contacts.csv): 14 rows removed" in plain(s.value) for s in at.success)
    assert query(loaded_db, "SELECT count(*) FROM contacts") == [(0,)]
    assert query(loaded_db, f"SELECT undone_at IS NOT NULL FROM ingests WHERE ingest_id = {contacts_ingest}") == [
        (True,)
    ]
    assert contacts_ingest not in at.selectbox(key="undo_pick").options  # cannot be undone twice


LEGACY = (
    "Ticket,Opened,Kanal,E-Mail\n"
    "T1,2026-03-03 10:00,phone,Alice@X.com\n"
    "T2,2026-03-04 11:00,email,bob@y.com\n"
    "T3,2026-03-05 12:00,fax,carol@y.com\n"
)


def test_a_file_no_connector_knows_is_mapped_saved_and_loaded_with_the_mapping(loaded_db):
    at = upload_page([("legacy.csv", LEGACY.encode())])
    assert any("legacy.csv: no connector recognises this file" in plain(e.value) for e in at.error)
    assert any("Mapping incomplete" in w.value for w in at.warning)
    for column, header in {"channel": "Kanal"}.items():
        at.selectbox(key=f"upload_map_0_contacts_{column}").set_value(header)
    assert at.selectbox(key="upload_map_0_contacts_customer_email").value == "E-Mail"  # guessed from the header
    # Suggested from header similarity and the values, each with three sample values (issue 15, item 8).
    assert at.selectbox(key="upload_map_0_contacts_source_id").value == "Ticket"
    assert at.selectbox(key="upload_map_0_contacts_created_at").value == "Opened"
    assert "Kanal: phone, email, fax" in plain(" ".join(c.value for c in at.caption))
    at.text_input(key="upload_map_source_0").input("legacy_desk")
    at.selectbox(key="upload_map_direction_0").set_value("inbound")
    at.run()
    assert not at.exception, at.exception
    assert not any("Mapping incomplete" in w.value for w in at.warning)
    # The choice column's values: each mapped or counted as unmapped.
    assert any("1 value(s) unmapped (fax): 1 row would be quarantined" in plain(c.value) for c in at.caption)
    assert any(
        "3 input rows → table `contacts`: 2 rows to store, 1 would be quarantined" in c.value for c in at.caption
    )
    at.text_input(key="upload_map_name_0").input("legacy desk").run()
    at.button(key="upload_map_save_0").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="upload_map_pick_0").value == "legacy desk"
    assert not [b for b in at.button if b.key == "upload_map_load_0"]  # one Load button for every file
    con = connect(loaded_db)
    try:
        from store.mappings import get_mapping

        spec = get_mapping(con, "legacy desk")
    finally:
        con.close()
    assert spec["columns"]["source_id"] == "Ticket" and spec["constants"] == {
        "source": "legacy_desk",
        "direction": "inbound",
    }
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    row = report(at)["legacy.csv"]
    assert (row["connector"], row["read"], row["inserted"], row["quarantined"]) == ("mapped", 3, 2, 1)
    assert query(
        loaded_db, "SELECT source_id, customer_email FROM contacts WHERE source = 'legacy_desk' ORDER BY 1"
    ) == [
        ("T1", "alice@x.com"),
        ("T2", "bob@y.com"),
    ]
    # The saved mapping as a readable list (issue 15, item 8).
    assert [e.label for e in at.expander if e.label.startswith("legacy desk")] == ["legacy desk → contacts (4 columns)"]
    shown = plain(" ".join(m.value for m in at.markdown))
    assert "Ticket → source_id" in shown and "source = legacy_desk (every row)" in shown


def test_files_staged_on_disk_by_the_upload_route_are_previewed_loaded_and_cleared(empty_db, monkeypatch):
    """Served by serve.py the page reads the files the upload route wrote to this session's
    ticket folder (ui/disk_upload.py), where they are, instead of Streamlit's uploader."""
    from ui import disk_upload

    monkeypatch.setattr(disk_upload, "MOUNTED", True)
    token, folder = disk_upload.ticket(1024**2)
    for i, name in enumerate(("contacts.csv", "recall.toml")):
        (folder / str(i)).mkdir()
        (folder / str(i) / name).write_bytes((METRIC_FIXTURES / name).read_bytes())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["upload_disk_ticket"] = (token, folder)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert "Staged on the server: contacts.csv" in plain(" ".join(c.value for c in at.caption))
    assert not at.get("file_uploader")  # one chooser, not two
    at.button(key="upload_load").click().run()
    assert {k: v["inserted"] for k, v in report(at).items()} == {"recall.toml": 1, "contacts.csv": 14}
    assert query(empty_db, "SELECT count(*) FROM contacts") == [(14,)]
    at.button(key="upload_disk_clear").click().run()
    assert disk_upload.staged_files(folder) == [] and not at.exception


def test_a_seeded_file_with_a_name_no_file_may_have_is_refused(empty_db):
    at = upload_page([("..", b"a,b\n1,2\n"), ("x" * 300 + ".csv", b"a,b\n1,2\n")])
    errors = [plain(e.value) for e in at.error]
    assert any("may not start with a dot" in e for e in errors)
    assert any("is longer than 255 bytes" in e for e in errors)


def test_the_bundled_samples_own_loads_are_labelled_in_undo(empty_db):
    from store.sample import SAMPLE_LOADER

    con = connect(empty_db)
    ingest_paths(con, [METRIC_FIXTURES / "recall.toml"], loaded_by=SAMPLE_LOADER)
    ingest_paths(con, [METRIC_FIXTURES / "contacts.csv"], loaded_by="ann")
    con.close()
    options = upload_page().selectbox(key="undo_pick").options
    assert [o.split(" · ")[1:2] + o.split(" · ")[3:] for o in options] == [
        ["contacts.csv"],
        ["recall.toml", "bundled sample"],
    ]


def test_ambiguous_day_first_dates_are_asked_warned_before_loading_and_loaded_as_chosen(empty_db):
    """Issue 12 item 12 on the Upload page: dates that cannot tell day from month (no day above 12)
    get a question and a warning before loading; 3 of the 10 read month first fall outside the
    recall's window (announced 2 Mar, closed 1 Jun: 2026-01-31 … 2026-08-30): 09/03, 10/03 and
    11/03 read as September, October, November. Loaded day first, they are 2–11 March."""
    recall = (
        '[recall]\nid = "R"\nname = "Kettle"\ntimezone = "Europe/London"\n'
        'announced_at = "2026-03-02T09:00:00Z"\nclosed_at = "2026-06-01T00:00:00Z"\n'
    )
    (empty_db.parent / "recall.toml").write_text(recall)
    con = connect(empty_db)
    ingest_paths(con, [empty_db.parent / "recall.toml"])
    con.close()
    csv = "source,source_id,channel,direction,created_at\n" + "".join(
        f"crm,c{i},email,inbound,{day:02d}/03/2026 09:{i:02d}\n" for i, day in enumerate(range(2, 12))
    )
    at = upload_page([("contacts.csv", csv.encode())])
    (question,) = [r for r in at.radio if r.key and r.key.startswith("upload_date_format")]
    assert "no day above 12, so the file cannot tell" in question.label
    warned = [plain(w.value) for w in at.warning]
    assert any("could be day or month first (no day above 12); read month first" in w for w in warned)
    assert any("3 of 10 timestamps (30%) fall outside the window of recall R" in w for w in warned)
    question.set_value("day_first").run()
    assert not any("fall outside the window" in plain(w.value) for w in at.warning)
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    days = query(empty_db, "SELECT strftime(created_at, '%Y-%m-%d') FROM contacts ORDER BY source_row")
    assert days == [(f"2026-03-{d:02d}",) for d in range(2, 12)]
