"""Live sources seen by people: the Settings table and the stand-up's lines, banner, refresh and report
time (AppTest on the metrics fixture store, live states written the way the readers write them)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from conftest import ROOT
from streamlit.testing.v1 import AppTest

from connectors.live.spool import Spool
from store import live
from store.db import connect

KEY = (  # sendgrid-python's test key (any P-256 key will do: nothing is verified here)
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
HOOKS = {"recall_ops": {"hooks": {"sendgrid": {"public_key": KEY}}}}


def page(name: str, secrets: dict | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if secrets:
        at.secrets = secrets
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def seed(db) -> None:
    """A pull stream that loaded 12 records 10 minutes ago and 30 two hours ago; another one stopped."""
    con = connect(db)
    now = live.utc_now()
    live.report(con, "pull:zendesk/tickets", "Zendesk incremental tickets", ok=True,
                cursor_text="40 tickets; caught up", watermark_at=now - timedelta(minutes=3))  # fmt: skip
    live.report(con, "pull:genesys/conversations", "Genesys Cloud conversation details", ok=False, state="stopped",
                error="https://login.example/oauth/token: HTTP 401 — check the credentials")  # fmt: skip
    for minutes, n in ((10, 12), (120, 30)):
        con.execute(
            "INSERT INTO ingests VALUES (nextval('ingest_seq'), 'page', 'x', 'zendesk_incremental', 'UTC', NULL, "
            "?, ?, 0, 0, 0, ?, 'pull:zendesk/tickets', [], NULL, currval('ingest_seq'))",
            [n, n, now - timedelta(minutes=minutes)],
        )
    con.close()


def test_settings_lists_every_live_source_with_its_state_lag_rows_and_error(db):
    seed(db)
    Spool(db.with_name(db.name + ".spool")).write("sendgrid", b"[]")  # one body waiting
    at = page("settings", HOOKS)
    table = at.dataframe[0].value  # the only table on the page
    got = {r["Source"]: r for r in table.to_dict("records")}
    assert list(got) == ["hook:sendgrid", "pull:genesys/conversations", "pull:zendesk/tickets"]
    assert got["pull:zendesk/tickets"]["State"] == "ok" and got["pull:zendesk/tickets"]["Rows, last hour"] == 12
    zendesk = got["pull:zendesk/tickets"]
    assert zendesk["Lag"] == "3 min" and zendesk["Cursor"] == "40 tickets; caught up"
    assert got["pull:genesys/conversations"]["State"] == "stopped ⚠"
    assert "HTTP 401 — check the credentials" in got["pull:genesys/conversations"]["Last error"]
    assert got["hook:sendgrid"]["State"] == "waiting" and got["hook:sendgrid"]["Cursor"].startswith("spool: 1 waiting")


def test_standup_lists_live_sources_and_names_the_failing_one_in_the_banner(db):
    seed(db)
    text = "\n".join(m.value for m in page("standup", HOOKS, kiosk="1").markdown)
    assert "refreshes every 5 s" in text  # live sources: at most LIVE_REFRESH_S
    banner = re.search(r'data-stale="1">([^<]*)<', text).group(1)
    assert "live sources: pull:genesys/conversations stopped" in banner
    assert "zendesk/tickets no success" not in banner  # it succeeded just now
    item = re.search(r'<span data-live="pull:zendesk/tickets">(.*?)</span>', text).group(1)
    assert item.startswith("<b>live pull:zendesk/tickets</b> ok · ") and item.endswith("lag 3 min")
    assert 'data-live="hook:sendgrid"' in text


def test_without_live_sources_the_standup_is_as_before(db):
    text = "\n".join(m.value for m in page("standup", kiosk="1").markdown)
    assert "refreshes every 30 s" in text and "data-live" not in text


def test_report_time_is_to_the_second_in_a_minute_with_a_load(db, monkeypatch):
    from ui import live_status

    minute = datetime(2030, 1, 1, 12, 0)
    assert live_status.report_time(minute) == minute  # nothing loaded since: the minute
    earlier = live.utc_now().replace(second=0, microsecond=0)
    con = connect(db)
    con.execute(
        "INSERT INTO ingests VALUES (nextval('ingest_seq'), 'p', 'x', 'c', 'UTC', NULL, 1, 1, 0, 0, 0, ?, 'hook:x', "
        "[], NULL, currval('ingest_seq'))",
        [live.utc_now()],
    )
    con.close()
    at = live_status.report_time(earlier)
    assert at >= earlier and at.microsecond == 0 and (live.utc_now() - at).total_seconds() < 5
