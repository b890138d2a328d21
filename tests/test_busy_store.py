"""The dashboard keeps serving while another process holds the database for a load (a 10M-row
load holds it for minutes): every page shows its last good numbers with a visible "store busy since
HH:MM" notice — never tiles dropping to 0, never a traceback — and is itself again once the store
is free. The lock is held by another real process."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_standup import standup_page, tiles

from ui import data, filters

REFRESH_S = 5


@contextmanager
def held(db):
    """Another process holding the store file (as a load does) until the block ends."""
    code = f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(600)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def busy(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "Store busy since" in w.value]


def test_pages_serve_the_last_numbers_while_another_process_loads(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    before = {m.label: m.value for m in at.metric}
    assert before and not at.exception and not busy(at)
    with held(db):
        started = time.monotonic()
        at.run()
        assert time.monotonic() - started < 10
        assert not at.exception, at.exception
        assert {m.label: m.value for m in at.metric} == before
        assert busy(at)
    at.run()
    assert not busy(at) and {m.label: m.value for m in at.metric} == before


def test_the_wall_keeps_its_tiles_for_more_than_two_refresh_periods_of_a_held_store(db, monkeypatch):
    """Every refresh is a new minute (nothing cached for it: the uncached-read case), and the
    settings, freshness and tiles are all read again; for > 2 refresh periods the tiles stay the
    last ones shown and the screen says since when the store is busy."""
    clock = [datetime(2026, 4, 1, 12, 0)]
    monkeypatch.setattr(filters, "now_minute", lambda: clock[0])
    at = standup_page(kiosk="1", refresh=str(REFRESH_S))
    before = tiles(at)
    # today (2026-04-01) has no calls; the second line holds the whole recall: README, 2 of 5 offered
    assert before["service_level"]["value"] == "—" and "40.0%" in before["service_level"]["sub"] and not busy(at)
    runs = []
    with held(db):
        since = None
        started = time.monotonic()
        while not runs or runs[-1] <= 2 * REFRESH_S:  # until a refresh after two periods of the lock
            runs.append(time.monotonic() - started)
            clock[0] += timedelta(minutes=1)
            at.run()  # what the fragment's timer does
            assert not at.exception, at.exception
            assert tiles(at) == before  # the last numbers, not zeros
            (notice,) = busy(at)
            assert since in (None, notice)  # the same "since" all along
            since = notice
            time.sleep(REFRESH_S)
        found = data.busy_since()
    local = found.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/Chicago"))  # the recall's zone
    assert since.startswith(f"Store busy since {local:%H:%M} {local.tzname()}:"), since
    clock[0] += timedelta(minutes=1)
    at.run()
    assert not busy(at) and not at.exception and tiles(at) == before


def test_a_page_that_has_read_nothing_yet_says_so_instead_of_failing(tmp_path, monkeypatch, db):
    fresh = tmp_path / "never-read.duckdb"
    monkeypatch.setenv("RECALL_OPS_DB", str(fresh))
    import duckdb

    duckdb.connect(str(fresh)).close()
    with held(fresh):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception, at.exception
        assert busy(at) and any(data.NOT_READ_YET in i.value for i in at.info)


BUSY_PAGES = ("overview", "standup", "channels", "quality", "coverage", "reports", "alerts")


def shown(at: AppTest) -> dict:
    """What a page shows that comes from the store: its numbers, tiles, tables, charts and headings."""
    return {
        "charts": [c.proto.spec for c in at.get("plotly_chart")],
        "metrics": [(m.label, m.value) for m in at.metric],
        "tiles": tiles(at),
        "tables": [d.value.to_json(date_format="iso") for d in at.dataframe],  # NaN as null: comparable
        "subheaders": [s.value for s in at.subheader],
    }


def test_every_page_on_a_new_minute_waits_once_and_shows_its_last_numbers(db, monkeypatch):
    """A page run that finds the store held waits for it once (at most BUSY_WAIT_S) and serves every
    other read from the last good values without opening the file again: before, each read missing
    the cache (a new minute) waited in turn (~130 opens on the Overview), and the Alerts page's
    rules, silences and history vanished. Opens are counted where ui/data.py makes them."""
    clock = [datetime(2026, 4, 1, 12, 0)]
    monkeypatch.setattr(filters, "now_minute", lambda: clock[0])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    before = {}
    for name in BUSY_PAGES:
        at.switch_page(f"pages/{name}.py").run()
        assert not at.exception, (name, at.exception)
        before[name] = shown(at)
        assert before[name]["metrics"] or before[name]["tiles"] or before[name]["tables"] or before[name]["charts"], (
            name
        )
    opens: list[float] = []
    real_open = data.open_store

    def counted(path, wait_s=10.0, read_only=False):
        opens.append(wait_s)
        return real_open(path, wait_s=wait_s, read_only=read_only)

    monkeypatch.setattr(data, "open_store", counted)
    with held(db):
        for name in BUSY_PAGES:
            clock[0] += timedelta(minutes=1)  # nothing is cached for this minute yet
            opens.clear()
            at.switch_page(f"pages/{name}.py").run()
            assert not at.exception, (name, at.exception)
            assert shown(at) == before[name], name
            assert busy(at), name
            assert not any(data.NOT_READ_YET in i.value for i in at.info), name
            assert len(opens) <= 4, (name, opens)  # one per ledger_version() of the run, not one per read
            assert sum(1 for w in opens if w > 0) <= 1 and max(opens) <= 1.0, (name, opens)  # one wait at most
