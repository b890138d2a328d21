"""AppTest: the Overview's ten-second answer, tidy tables, header and click-through, on the
hand-computed fixture (tests/fixtures/metrics/README.md) replayed at 2026-04-01T00:00Z."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import browser.harness as harness
import duckdb
import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest

from metrics import Options, Scope
from metrics.catalog import on, targets
from metrics.freshness import freshness
from metrics.standup import YESTERDAY
from metrics.verdict import newest_age_h, verdict
from ui import tabs

AS_OF = "2026-04-01T00:00:00Z"


def overview(**query) -> AppTest:
    """The Overview once complete: a session's first run draws the numbers only, its next run the
    charts and tables too (ui/first_paint.py; in a browser a fragment's timer asks for that run)."""
    return first_run(**query).run()


def first_run(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {"as_of": AS_OF, **query}.items():
        at.query_params[k] = v
    return at.run()


def test_a_sessions_first_run_draws_the_numbers_and_holds_the_places_of_charts_and_tables(db):
    first = first_run()
    assert not first.exception, first.exception
    assert first.get("plotly_chart") == [] and first.dataframe == []
    assert [c.value for c in first.caption].count("Loading…") == 3  # two charts, the By phase table
    tiles_first = {m.label: m.value for m in first.metric}
    assert len(tiles_first) >= 6
    complete = first.run()
    assert not complete.exception, complete.exception
    assert len(complete.get("plotly_chart")) == 2 and complete.dataframe
    assert "Loading…" not in [c.value for c in complete.caption]
    assert {m.label: m.value for m in complete.metric} == tiles_first  # the same numbers, now with charts


def tile_paths(at: AppTest) -> dict[str, tuple[int, ...]]:
    """Each tile's label → the child indices leading to it from the page's main block."""
    paths: dict[str, tuple[int, ...]] = {}

    def walk(node, path):
        for i, child in getattr(node, "children", {}).items():
            if getattr(child, "type", None) == "metric":
                paths[child.label] = (*path, i)
            walk(child, (*path, i))

    walk(at.main, ())
    return paths


def test_the_second_run_draws_the_tiles_where_the_first_run_did(db):
    """Same element paths on both runs: the browser replaces each tile in place (a tile one level
    deeper would sit beside the first run's until the second run ends)."""
    first = first_run()
    assert not first.exception, first.exception
    paths = tile_paths(first)
    assert len(paths) == len(on("overview"))
    assert tile_paths(first.run()) == paths


def test_the_tiles_places_are_drawn_before_any_number_is_read(db, monkeypatch):
    """A read that fails (here the first one, freshness) leaves the tiles' places on the page:
    each tile's label over "…", and "…" for the verdict (ui/tiles.py skeleton)."""
    import metrics.freshness

    def broken(*_):
        raise RuntimeError("the store went away")

    monkeypatch.setattr(metrics.freshness, "freshness", broken)
    page = first_run()
    assert page.exception
    assert {m.label: (m.value, m.proto.delta) for m in page.metric} == {
        m.title(Options()): ("…", "…") for m in on("overview")
    }
    assert [m.value for m in page.markdown if m.value.startswith("####")] == ["#### …"]


def test_a_phases_verdict_names_its_headlines_change_since_yesterday(tmp_path, monkeypatch):
    """One phase's tiles compare with the phase before; its verdict's headline with the same phase
    24 h earlier, which is read for the headline only: the line equals metrics.verdict over every
    tile read at both times. The sample recall at 2026-03-04T18:00Z, three days into "during"."""
    path = tmp_path / "sample.duckdb"
    shutil.copyfile(harness.sample_store(), path)
    monkeypatch.setenv("RECALL_OPS_DB", str(path))
    now = datetime(2026, 3, 4, 18)
    with duckdb.connect(str(path), read_only=True) as con:
        at = {t: Scope("CS-2026-014", t) for t in (now, now - YESTERDAY)}
        readings = [
            (m, m.reading(m.measure(con, at[now]), "during"), m.reading(m.measure(con, at[now - YESTERDAY]), "during"))
            for m in on("overview")
        ]
        expected = verdict(readings, targets(con), newest_age_h(freshness(con, now)))["text"]
    assert "since yesterday" in expected and "±0" not in expected
    page = overview(phase="during", as_of="2026-03-04T18:00:00Z")
    assert not page.exception, page.exception
    assert [plain(m.value) for m in page.markdown if "targets missed" in m.value] == [f"#### {expected}"]


@pytest.fixture
def at(db):
    page = overview()
    assert not page.exception, page.exception
    return page


def columns(frame) -> dict:
    """The column config of an st.dataframe element: column → {label, type_config...}."""
    return json.loads(frame.proto.columns)


def test_verdict_tiles_and_stale_warning(at):
    """SL 2/5 = 40 % red (target 80 %), abandon 1/5 = 20 % red (10 %), ASA 18.3 s green (30 s),
    FCR 3/7 red (70 %), repeat 3/7 (c1, c3, c9 came back within 7 days) red (20 %); CSAT 2/4 is below
    n = 5: not judged. Nothing happened between 03-31 and 04-01: SL ±0 since yesterday. Newest record
    at or before as_of: zendesk's c7 at 03-28T11:00Z = 85 h ≈ 4 days (sendgrid's n10 and five9's s7
    are after the replay time); five9 and zendesk are older than 24 h: stale."""
    verdict = [plain(m.value) for m in at.markdown if "targets missed" in m.value]
    assert verdict == ["#### 4 of 5 targets missed · SL 40.0% (target 80%) ±0 pts since yesterday · data 4 days old"]
    assert [plain(e.value) for e in at.error] == [
        "STALE DATA — five9, zendesk: newest record 4 days old or more (threshold 24 h)"
    ]
    tiles = {m.label.split(" (")[0]: m.proto for m in at.metric}
    assert tiles["Service level"].help.startswith("off target (target ≥ 80%)")
    assert tiles["Avg speed of answer"].help.startswith("on target (target ≤ 30 s)")
    assert "target" not in tiles["Contacts"].help.split(" · ")[0]
    assert (tiles["Contacts"].delta, tiles["Contacts"].delta_description) == ("±0", "since yesterday")


def test_header_names_dates_and_channels(db):
    whole = overview()
    assert "all dates (03 Mar 2026 – 28 Mar 2026) · all channels" in plain(whole.caption[0].value)
    narrowed = overview(channels="phone,email", start="2026-03-03", end="2026-03-09")
    assert "03 Mar 2026 – 09 Mar 2026 (local) · phone, email" in plain(narrowed.caption[0].value)
    # The date picker spans the recall's data (03-03 to 03-28), so its calendar opens there.
    picker = narrowed.date_input(key="dates")
    assert (str(picker.min), str(picker.max)) == ("2026-03-03", "2026-03-28")


def test_by_phase_table_is_formatted_by_the_catalog(at):
    table = next(d for d in at.dataframe if "service_level" in d.value.columns)
    config = columns(table)
    assert config["service_level"]["label"] == "Service level (20 s)"
    assert config["service_level"]["type_config"]["format"] == "%.1f%%"
    # SL over the whole recall: 2 of 5 offered calls, shown as 40.0 (%).
    assert table.value.loc[table.value["phase"] == "Whole recall", "service_level"].iloc[0] == pytest.approx(40.0)
    # AHT over all contacts is 970/7 = 138.6 s, past 90 s: shown in minutes.
    assert config["aht_s"]["label"] == "Avg handle time (min)"
    assert config["aht_s"]["type_config"]["format"] == "%.1f min"
    assert table.value.loc[table.value["phase"] == "Whole recall", "aht_s"].iloc[0] == pytest.approx(970 / 7 / 60)
    assert config["service_level_n"]["label"] == "SL n"
    assert config["phase"]["label"] == "Phase"
    # A phase without calls has no service level: the cell says "—", never "None".
    assert table.value.loc[table.value["phase"] == "Before announcement", "service_level"].isna().all()
    assert table.proto.placeholder == "—"


def test_contacts_behind_a_tile_are_masked(at):
    at.segmented_control(key="overview_behind_metric").set_value("service_level").run()
    rows = next(d.value for d in at.dataframe if "source_id" in d.value.columns)
    # Offered calls: c1 c4 c5 c8 c9 (tests/test_drill.py); c1 is alice@x.com, masked for a non-admin.
    assert sorted(rows["source_id"]) == ["c1", "c4", "c5", "c8", "c9"]
    assert "alice@x.com" not in set(rows["customer_email"].dropna())
    assert any("5 contacts behind Service level" in plain(c.value) for c in at.caption)
    assert "outcome" not in rows.columns  # a count's contacts
    at.segmented_control(key="overview_behind_metric").set_value("fcr").run()
    rows = next(d.value for d in at.dataframe if "source_id" in d.value.columns)
    # FCR's 7 eligible contacts, 3 resolved (tests/test_drill.py).
    assert len(rows) == 7 and (rows["outcome"] == "resolved").sum() == 3


def test_channels_header_and_phone_tiles_in_target_colours(db):
    """The Channels page names its dates and channels; its phone tiles: SL 40 % is off target (80 %),
    ASA 18.3 s on target (30 s)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = AS_OF
    at.run()
    at.switch_page("pages/channels.py").run()
    assert "all dates (03 Mar 2026 – 28 Mar 2026) · all channels" in plain(at.caption[0].value)
    at.session_state[tabs.key("channels")] = "Phone service"
    at.run()  # the phone tiles are on the Phone service tab, drawn only when it is open
    tiles = {m.label.split(" (")[0]: m.proto.help for m in at.metric}
    assert tiles["Service level"].startswith("off target (target ≥ 80%)")
    assert tiles["Avg speed of answer"].startswith("on target (target ≤ 30 s)")
