"""The value parsers' fast paths (issue 19) read exactly what the general path reads: a column
whose first value is an offset-less ``YYYY-MM-DD HH:MM:SS`` (Zendesk's layout) is read in the
upload's zone, DST gaps and folds included, and the other layouts in the same column still read;
durations that are not numbers still read as ``H:MM:SS``.

Expected values worked out by hand: America/New_York is UTC−4 from 2026-03-08 02:00 (the gap:
02:30 does not exist) to 2026-11-01 02:00 (01:30 happens twice; the earlier instant is EDT,
UTC−4), UTC−5 otherwise."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from connectors.values import date_order, parse_seconds, parse_timestamps


def test_local_layout_first_then_every_other_layout() -> None:
    text = pl.Series(
        "t",
        [
            "2026-03-21 13:44:23",  # EDT: +4 h
            "2026-03-08 02:30:00",  # in the spring-forward gap: unreadable
            "2026-11-01 01:30:00",  # the fold: the earlier instant, EDT
            "2026-01-15 08:00:00",  # EST: +5 h
            "2026-03-21T13:44:23Z",  # UTC as written
            "2026-03-21 13:44:23+02:00",  # its own offset
            "03/21/2026 13:44",  # month first, local
            "1774100663",  # epoch seconds = 2026-03-21 13:44:23 UTC
            " ",
            None,
        ],
    )
    assert parse_timestamps(text, "America/New_York").to_list() == [
        datetime(2026, 3, 21, 17, 44, 23),
        None,
        datetime(2026, 11, 1, 5, 30),
        datetime(2026, 1, 15, 13, 0),
        datetime(2026, 3, 21, 13, 44, 23),
        datetime(2026, 3, 21, 11, 44, 23),
        datetime(2026, 3, 21, 17, 44),
        datetime(2026, 3, 21, 13, 44, 23),
        None,
        None,
    ]


def test_iso_first_column_reads_local_values_too() -> None:
    text = pl.Series("t", ["2026-03-21T13:44:23Z", "2026-03-21 13:44:23", "garbage"])
    assert parse_timestamps(text, "Europe/Berlin").to_list() == [  # Berlin: UTC+1 until 2026-03-29
        datetime(2026, 3, 21, 13, 44, 23),
        datetime(2026, 3, 21, 12, 44, 23),
        None,
    ]


def test_date_order_ignores_other_layouts() -> None:
    assert date_order(pl.Series(["2026-03-04 10:00:00", None])) == (None, None)
    assert date_order(pl.Series(["2026-03-04 10:00:00", "13/04/2026 10:00"])) == ("day_first", None)
    assert date_order(pl.Series(["x", " 3.4.26 10:00"])) == ("ambiguous", "3.4.26 10:00")


def test_seconds_numbers_and_clock_times() -> None:
    text = pl.Series("d", ["90", "1:30", "1:02:03", " 2.5 ", "", None, "soon"])
    assert parse_seconds(text).to_list() == [90.0, 5400.0, 3723.0, 2.5, None, None, None]  # H:MM, H:MM:SS
    assert parse_seconds(pl.Series("d", ["1", "2"])).to_list() == [1.0, 2.0]
