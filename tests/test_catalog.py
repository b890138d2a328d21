"""The metric catalog (metrics/catalog.py): every entry complete and computable, no metric fact
repeated as a literal in ui/ or pages/, and deltas coloured by each metric's direction."""

from __future__ import annotations

import ast
import re
from datetime import datetime

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from metrics import Options, Scope
from metrics.catalog import CATALOG, GRAINS, METRICS, SURFACES, Reading, on, targetable, targets
from metrics.units import Target, arrow, tone
from ui import wall

AS_OF = datetime(2026, 4, 1)
OPTIONS = (Options(), Options(fcr_window_h=72, fcr_method="zendesk_one_touch", sl_threshold_s=30, short_abandon_s=10))


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.id)
def test_every_entry_is_complete_and_computes_on_the_fixture(metrics_store, metric):
    assert metric.label and metric.unit and metric.better in ("higher", "lower", None)
    assert set(metric.grains) <= set(GRAINS) and set(metric.tiles) <= set(SURFACES)
    assert metric.compute.__module__.startswith("metrics.") and "." not in metric.compute.__qualname__
    for options in OPTIONS:
        assert metric.rule(options).strip().endswith((".", ")")), metric.id
    if metric.target is not None:
        assert metric.targetable and metric.target.consistent()
        assert metric.target.higher_is_better == (metric.better == "higher")
    result = metric.measure(metrics_store, Scope("R1", AS_OF))
    columns = result.columns if hasattr(result, "columns") else list(result)
    for column in (metric.value, metric.n, metric.extra, *metric.parts):
        assert column is None or column in columns, (metric.id, column)
    assert isinstance(metric.reading(result), Reading)


# Every catalog metric on the hand-computed fixture at 2026-04-01 (tests/fixtures/metrics/README.md):
# (metric, phase, value, n, extra). The recall's inbound contacts are c1–c10, c12, c13 (c11 is billing,
# c14 outbound): phone c1 c4 c5 c8 c9 c12 c13, email c2 c6 c7, chat c3, web c10; abandoned c4 c12 c13.
READINGS = [
    ("contacts_today", "all", 0, None, 12),  # nothing on 04-01 local (06:00Z…); 12 since the announcement
    ("contacts", "all", 12, None, None),
    ("contacts", "day_one", 1, None, None),  # c1 (03-03T10:00Z < A + 24 h)
    ("contacts_by_channel", "all", 12, None, None),  # the channel "all" row
    ("channel_mix", "all", 1.0, None, None),  # all channels ÷ all
    ("handled", "all", 9, None, None),  # 12 − 3 abandoned
    ("contact_rate", "all", 2000.0, 6, None),  # 12 contacts per 6 units × 1,000
    ("service_level", "all", 0.4, 5, None),  # c1 c8 within 20 s of c1 c5 c8 c9 + c4
    ("abandon_rate", "all", 0.2, 5, None),  # c4
    ("asa_s", "all", 55 / 3, 5, None),  # (10 + 25 + 20) / 3, c9's wait unknown
    ("short_abandons", "all", 2, None, None),  # c12 (3 s), c13 (no wait)
    ("aht_s", "all", 970 / 7, 7, None),  # [40 60 100 120 150 200 300]
    ("first_reply_s", "all", None, 0, None),  # no ticket carries a first reply time
    ("resolution_s", "all", None, 0, None),  # nor a resolution time
    ("fcr", "all", 3 / 7, 7, 1),  # c2 c6 c10 of c1 c2 c3 c5 c6 c9 c10; c7 pending
    ("fcr", "ongoing", 2 / 3, 3, 1),
    ("repeat_rate", "all", 3 / 7, 7, None),  # c1 c3 c9 came back within 7 days (c5: transferred, no repeat)
    ("csat", "all", 0.5, 4, None),  # c1 5/5, c6 4/5 of c1 c2 c3 c6
    ("backlog", "all", 1, None, 1),  # c7 open since 03-28: aged
    ("affected_customers", "all", 4, None, None),  # C1 C2 C3 email:gina
    ("notified", "all", 3, None, None),  # alice frank gina
    ("reached", "all", 3, None, None),  # alice gina (delivered), bob (answered outbound c14)
    ("engaged", "all", 3, None, None),  # alice bob (inbound), gina (click)
    ("remedied", "all", 1, None, None),  # C2
    ("affected_units", "all", 6, None, None),
    ("remedied_units", "all", 2, None, None),
    ("correction_rate", "all", 2 / 6, 6, None),
    ("coverage", "all", 3 / 4, 4, 1 / 4),  # reached ÷ affected; remedied ÷ affected
    ("time_to_notify_h", "all", 1.0, 3, None),  # alice frank gina 1 h after A
]


def test_every_metric_in_the_catalog_has_a_hand_computed_row():
    assert {row[0] for row in READINGS} == set(CATALOG)


@pytest.mark.parametrize(("metric", "phase", "value", "n", "extra"), READINGS)
def test_catalog_readings_on_the_fixture(metrics_store, metric, phase, value, n, extra):
    m = CATALOG[metric]
    scope = Scope("R1", AS_OF)
    # the same reading from the full result and from what pages read when they show readings only
    for result in (m.measure(metrics_store, scope), m.reader(metrics_store, *m.measure_args(scope))):
        reading = m.reading(result, phase)
        assert reading.value == pytest.approx(value) and reading.n == n and reading.extra == pytest.approx(extra)


def test_report_fields_are_unique_and_the_surfaces_are_in_catalog_order():
    fields = [m.report for m in METRICS if m.report]
    assert len(fields) == len(set(fields))
    for surface in SURFACES:
        tiles = on(surface)
        assert [METRICS.index(m) for m in tiles] == sorted(METRICS.index(m) for m in tiles)


def test_targets_come_from_the_catalog_unless_settings_saved_one(store):
    from store import settings

    assert targets(store) == {m.id: m.target for m in targetable()}
    settings.put(store, "targets", {"fcr": {"green": 0.5, "amber": 0.4, "higher_is_better": False}, "csat": None})
    saved = targets(store)
    assert saved["fcr"] == Target(0.5, 0.4, True)  # the direction is the metric's, whatever was stored
    assert saved["csat"] is None and saved["service_level"] == CATALOG["service_level"].target


# --- no metric fact written again in ui/ or pages/ -----------------------------------------------

# A threshold with its unit ("20 s", "24 h"), a window ("7-day"), a sample size rule ("n < 30").
LITERAL = re.compile(r"\b\d+(\.\d+)?\s?(s|h|min|days?)\b|\b\d+-day\b|\bn\s*[<≥>]=?\s*\d+")


def _shown_strings(path):
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text())
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_metric_label_threshold_or_window_is_written_in_ui_or_pages():
    # Names that cannot be ordinary prose ("Service level", "FCR") anywhere; one-word labels
    # ("Contacts", "Reached") only as a whole string.
    names = {m.label for m in METRICS if " " in m.label} | {m.short for m in METRICS if m.short} | {"CSAT"}
    words = {m.label for m in METRICS if " " not in m.label}
    found = []
    for path in sorted([*(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]):
        if path.name == "disk_chooser.py":  # its JavaScript divides bytes by 1048576; no metric
            continue
        for line, text in _shown_strings(path):
            named = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)]
            if named or text.strip(" :") in words or LITERAL.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text[:70]!r}")
    assert not found, "\n".join(found)


# --- deltas: colour by direction and sign, arrow by sign, and what they compare with ------------


def _draw_tiles(signs):
    """A page drawing every catalog metric's tile with a change of each sign (run by AppTest)."""
    from metrics import Options
    from metrics.catalog import METRICS, Reading
    from ui import tiles

    for metric in METRICS:
        for sign in signs:
            before, now = (10.0, 10.0 + sign * 3.0) if metric.unit.id != "pct" else (0.5, 0.5 + sign * 0.1)
            tiles.tile(metric, Reading(now, n=100), Options(), Reading(before, n=100), "Day one")


@pytest.mark.parametrize("sign", [1, -1])
def test_every_tile_colours_and_points_its_delta_by_direction_and_sign(sign):
    at = AppTest.from_function(_draw_tiles, args=([sign],), default_timeout=30).run()
    assert not at.exception, at.exception
    assert len(at.metric) == len(METRICS)
    for metric, shown in zip(METRICS, at.metric, strict=True):
        proto = shown.proto
        assert proto.delta.startswith("-" if sign < 0 else "+"), (metric.id, proto.delta)
        assert proto.direction == (1 if sign > 0 else 0), metric.id  # UP / DOWN: the number's sign
        good = metric.better is not None and (sign > 0) == (metric.better == "higher")
        expected = 2 if metric.better is None else 1 if good else 0  # GRAY, GREEN, RED
        assert proto.color == expected, (metric.id, sign, proto.color)
        assert proto.delta_description == "vs Day one"


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.id)
@pytest.mark.parametrize("sign", [1, -1])
def test_every_wall_tile_colours_and_points_its_delta_by_direction_and_sign(metric, sign):
    before, now = (0.5, 0.5 + sign * 0.1) if metric.unit.id == "pct" else (10.0, 10.0 + sign * 3.0)
    tile = {"value": now, "n": 100, "extra": 1, "previous": before, "previous_n": 100, "previous_extra": 1,
            "delta": now - before, "extra_delta": 0}  # fmt: skip
    html = wall.tile_html(metric, tile, None, Options())
    delta_class = re.search(r'class="wall-delta ([^"]*)"', html).group(1).split()
    assert ("up" if sign > 0 else "down") in delta_class
    good = tone(metric.better, now - before, metric.unit)
    assert good == (
        "neutral" if metric.better is None else "better" if (sign > 0) == (metric.better == "higher") else "worse"
    )
    assert (good in delta_class) == (good != "neutral")
    assert arrow(now - before, metric.unit) == ("up" if sign > 0 else "down")


def test_an_unchanged_value_is_grey_with_no_arrow():
    at = AppTest.from_function(_draw_tiles, args=([0],), default_timeout=30).run()
    for shown in at.metric:
        assert (shown.proto.color, shown.proto.direction) == (2, 2)  # GRAY, NONE
