"""The alert rules are evaluated after every load: ``ingest``, the inbox watcher, the Upload page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts_support import Store, ticket, write
from conftest import METRIC_FIXTURES

from alerts.history import states_at
from alerts.scheduler import after_load
from connectors.__main__ import main as connectors_main
from connectors.watch import Watcher


def three_reports(path, prefix: str):
    now = datetime.now(UTC).replace(tzinfo=None)
    return write(
        path,
        [
            ticket(f"{prefix}{p}", now - timedelta(minutes=30 - i), "Strap frays", f"{prefix}{p}@x.com")
            for i, p in enumerate("abc")
        ],
    )


def firing(con) -> list[str]:
    return [a["subject"] for a in states_at(con) if a["state"] == "firing" and a["rule"] == "reason-reports"]


def test_ingest_evaluates_the_rules(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert (
        connectors_main(
            ["ingest", str(METRIC_FIXTURES / "recall.toml"), str(three_reports(tmp_path / "c.csv", "x")), "--db", db]
        )
        == 0
    )
    from store.db import connect

    con = connect(db)
    assert firing(con) == ["strap frays"]
    con.close()


def test_the_watcher_evaluates_after_a_poll_that_loaded(tmp_path):
    store = Store(tmp_path)
    store.con.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    three_reports(inbox / "c.csv", "w")
    w = Watcher(inbox, tmp_path / "alerts.duckdb", out=lambda line: None, on_loaded=after_load)
    assert w.step() == []  # first sight: size not yet stable
    assert [o.ok for o in w.step()] == [True]
    store = Store(tmp_path)
    assert firing(store.con) == ["strap frays"]
    store.con.close()


def test_an_upload_page_load_evaluates_the_rules(db, tmp_path):
    """Three customers' reports of a new reason uploaded through the Upload page (AppTest; the
    files seeded as the Upload page's tests do, tests/test_upload_page.py): the N-reports rule fires
    as the load commits, before any scheduler tick."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    from store.db import connect

    csv = three_reports(tmp_path / "reports.csv", "u")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["upload_seed"] = [("reports.csv", csv.read_bytes())]
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    con = connect(db)
    assert firing(con) == []  # not loaded yet
    con.close()
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    con = connect(db)
    assert con.execute("SELECT count(*) FROM contacts WHERE source_id LIKE 'u%'").fetchall() == [(3,)]
    assert firing(con) == ["strap frays"]
    con.close()


def test_the_servers_scheduler_ticks_first_one_period_after_start(monkeypatch):
    """serve.py's scheduler leaves the first seconds after a (re)start to the pages of the browsers
    and wall screens that reconnect then; ``python -m alerts run`` ticks at once (first_after_s 0)."""
    import threading
    import time

    from alerts import scheduler

    ticks: list[float] = []
    monkeypatch.setattr(scheduler.Scheduler, "tick", lambda self, now=None: ticks.append(time.monotonic()))
    monkeypatch.setattr(scheduler, "TICK_S", 0.6)
    monkeypatch.delenv("RECALL_OPS_ALERTS", raising=False)
    monkeypatch.setattr(scheduler, "_background", None)
    started = time.monotonic()
    stop = scheduler.start_background("unused.duckdb")
    time.sleep(0.3)
    assert ticks == []  # an Event's wait never ends early
    deadline = time.monotonic() + 10
    while not ticks and time.monotonic() < deadline:
        time.sleep(0.05)
    stop()
    assert ticks and ticks[0] - started >= 0.6
    now_ticks: list[float] = []
    at_once = scheduler.Scheduler(None)
    monkeypatch.setattr(scheduler.Scheduler, "tick", lambda self, now=None: (now_ticks.append(1), at_once.stop.set()))
    thread = threading.Thread(target=at_once.run, kwargs={"every_s": 60})
    thread.start()
    thread.join(timeout=5)
    assert now_ticks == [1]
