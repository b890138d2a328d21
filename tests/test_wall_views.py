"""The wall's chart views in HTML (ui/wall_views.py), on hand-made frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from ui.wall_views import coverage_html, hours_so_far, nice_ceiling, stale_series, volume_html

COLORS = {"phone": "#111111", "email": "#222222"}
HOURLY = {"hour": pl.Int32, "channel": pl.String, "contacts": pl.Int64}


def test_axis_top_is_a_round_number_at_or_above_the_tallest_bar():
    assert [nice_ceiling(v) for v in (0, 7, 10, 11, 23, 240, 251)] == [10, 10, 10, 20, 25, 250, 500]


def test_volume_stacks_channels_against_the_axis_and_marks_yesterday():
    today = pl.DataFrame({"hour": [9, 9, 10], "channel": ["email", "phone", "phone"], "contacts": [5, 15, 8]}, HOURLY)
    yesterday = pl.DataFrame({"hour": [9, 9], "channel": ["email", "phone"], "contacts": [4, 6]}, HOURLY)
    page = volume_html(today, yesterday, COLORS, date(2026, 3, 10), date(2026, 3, 9), hours_so_far=11)
    # Tallest hour: 9 with 5 + 15 = 20 -> axis top 20; phone 15/20 = 75 %, email 5/20 = 25 %, yesterday 10/20.
    assert 'data-hour="9" data-contacts="20"' in page and 'data-hour="10" data-contacts="8"' in page
    assert "height:75.00%;background:#111111" in page and "height:25.00%;background:#222222" in page
    assert '<b style="bottom:50.00%">' in page
    assert page.count("wall-bar future") == 13  # hours 11-23 have not begun
    assert "<span>20</span>" in page and "data-empty" not in page


def test_an_empty_day_says_so_and_a_stale_source_is_named_on_the_chart():
    empty = pl.DataFrame(schema=HOURLY)
    yesterday = pl.DataFrame({"hour": [3], "channel": ["phone"], "contacts": [2]}, HOURLY)
    page = volume_html(empty, yesterday, COLORS, date(2026, 3, 10), date(2026, 3, 9), stale=["genesys: no contacts"])
    assert "No inbound contacts Tue 10 Mar" in page and "Mon 09 Mar" not in page
    assert 'data-hour="3" data-contacts="0"' in page and '<b style="bottom:20.00%">' in page  # 2 of 10
    assert 'data-stale-series="1">⚠ genesys: no contacts' in page
    fresh = pl.DataFrame(
        {
            "table_name": ["contacts", "contacts", "csat"],
            "source": ["genesys", "zendesk", "delighted"],
            "newest_at": [datetime(2026, 3, 8, 15), datetime(2026, 3, 10, 15), datetime(2026, 3, 1)],
            "stale": [True, False, True],
        }
    )
    assert stale_series(fresh, "America/Chicago") == [
        "genesys: no contacts since Sun 08 Mar 10:00 — its hours are missing, not zero"
    ]


def test_hours_begun_in_the_recalls_zone():
    as_of = datetime(2026, 3, 10, 20)  # 15:00 CDT
    zone = "America/Chicago"
    assert hours_so_far(as_of, zone, date(2026, 3, 10)) == 16
    assert hours_so_far(as_of, zone, date(2026, 3, 9)) == 24
    assert hours_so_far(as_of, zone, date(2026, 3, 11)) == 0


def test_coverage_bars_are_shares_of_the_affected_customers():
    cov = {"affected_customers": 200, "notified": 150, "reached": 100, "engaged": 40, "remedied": 10}
    page = coverage_html(cov, {"engaged": 3})
    assert "width:75.00%" in page and "150 · 75%" in page and "10 · 5%" in page
    assert "3 engaged customers were not reached." in page
    none = coverage_html({**{k: 0 for k in cov}, "affected_customers": 0})
    assert "width:0.00%" in none and "0 affected" in none
