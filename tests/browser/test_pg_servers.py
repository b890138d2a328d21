"""Two dashboard servers on one PostgreSQL database (docs/deployment.md): `streamlit run serve.py`
twice, on two ports, with ``RECALL_OPS_DB`` the same PostgreSQL URL. A file uploaded through the
first server's Upload page is on the second server's open stand-up within its next refresh."""

from __future__ import annotations

import time

import pytest
from harness import ROOT, Server, wait_for_app

from connectors.load import ingest_paths
from store.db import connect
from ui.navigation import BY_NAME

REFRESH_S = 5  # the wall's shortest refresh (ui/wall.py MIN_REFRESH_S)
TILE = "[data-value='contacts_today']"
# ?. : while a fragment redraws, the tile is absent for a moment (keep waiting, do not fail)
SHOWN = f'Number(document.querySelector("{TILE}")?.innerText.replace(",", ""))'


@pytest.fixture(scope="module")
def servers(pg_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pg-servers")
    url = pg_server.fresh()
    # Only the sample's recall definition: a store with a recall gets no sample loaded on the first
    # visit (ui/data.py), which keeps this test short; the upload below lands in that recall.
    con = connect(url)
    ingest_paths(con, [ROOT / "sample_data" / "car_seat" / "recall.toml"])
    con.close()
    pair = [Server(url, tmp / f"streamlit-{i}.log") for i in (1, 2)]
    for srv in pair:
        srv.start()
    yield pair
    for srv in pair:
        srv.stop()


def test_an_upload_through_one_server_is_on_the_others_wall_within_a_refresh(servers, browser, tmp_path):
    one, two = servers
    first = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    try:
        _upload_on_one_seen_on_the_other(one, two, first, wall, tmp_path)
    finally:
        first.context.close()
        wall.context.close()


def _upload_on_one_seen_on_the_other(one, two, first, wall, tmp_path) -> None:
    # Every page on PostgreSQL: tests/test_pg_dashboard.py.
    overview = BY_NAME["overview"]
    first.goto(f"{one.url}/{overview.path}")
    wait_for_app(first, overview.ready, timeout_ms=180_000, server=one)
    assert first.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in first.inner_text("body")

    wall.goto(f"{two.url}/standup?kiosk=1&refresh={REFRESH_S}&as_of=2026-03-02T23:00:00Z")
    # The second server's first page is cold too (imports, its first PostgreSQL queries): same allowance.
    wait_for_app(wall, TILE, timeout_ms=180_000, server=two)
    before = int(wall.inner_text(TILE).replace(",", ""))

    calls = tmp_path / "second_site_calls.csv"
    calls.write_text(
        "source,source_id,recall_id,channel,direction,created_at,talk_s\n"
        + "".join(f"five9,site2-{i},CS-2026-014,phone,inbound,2026-03-02T20:1{i}:00Z,60\n" for i in range(4))
    )
    first.goto(f"{one.url}/upload")
    wait_for_app(first, "text=Choose files")
    first.locator(".st-key-upload_disk input[type='file']").set_input_files(str(calls))
    wait_for_app(first, "text=4 input rows")
    first.locator(".st-key-upload_load button").click()
    first.wait_for_selector("text=Loaded 1 of 1 file(s).", timeout=60_000)
    loaded_at = time.monotonic()

    wall.wait_for_function(f"() => {SHOWN} === {before + 4}", timeout=60_000)
    seen_after_s = time.monotonic() - loaded_at
    wall.screenshot(path=tmp_path / "second-server-wall.png")
    assert wall.locator("[data-testid='stException']").count() == 0
    # The wall's numbers are cached on the store's ledger version with no expiry (ui/data.py): they
    # change at all only because the second server's refresh reads the version the first one wrote.
    print(f"on the second server's wall {seen_after_s:.1f} s after the load (refresh every {REFRESH_S} s)")
