"""An invalid phone number is kept as written, gets no E.164, and is counted in the load's
warnings (issue 12, item 9). Before, ``+1`` followed by 13 digits passed as E.164 because it has
the shape (``+`` and at most 15 digits) though no country uses that length."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from connectors.load import Failure, ingest_paths
from connectors.values import e164, normalize_phones, possible_e164
from store.db import connect


@pytest.mark.parametrize(
    "raw, country, expected",
    [
        ("+1 312 555 0142", None, "+13125550142"),
        ("+13125550142999", None, None),  # 13 digits after +1
        ("+1 (312) 555-0142 999", "US", None),
        ("0013125550142999", None, None),
        ("(312) 555-0142", "US", "+13125550142"),
        ("312 555 0142 999", "US", None),
        ("+44 7700 900123", None, "+447700900123"),
        ("+44 07700 900123", None, "+447700900123"),  # a national 0 after the code: libphonenumber drops it
        ("+999 1234567", None, None),  # no such country code
    ],
)
def test_e164_refuses_impossible_numbers(raw: str, country: str | None, expected: str | None) -> None:
    assert e164(raw, country) == expected
    assert normalize_phones(pl.Series([raw]), country).to_list() == [expected]


def test_vectorised_check_agrees_with_the_per_number_rule() -> None:
    numbers = ["+13125550142", "+1312555014", "+131255501429", "+447700900123", "+4477009001", "+8613800138000"]
    fast = normalize_phones(pl.Series(numbers), None).to_list()
    assert fast == [n if possible_e164(n) else e164(n, None) for n in numbers]
    assert fast == ["+13125550142", None, None, "+447700900123", "+4477009001", "+8613800138000"]


def test_invalid_phone_is_kept_raw_and_counted_in_the_warnings(tmp_path: Path) -> None:
    (tmp_path / "recall.toml").write_text(
        '[recall]\nid = "R"\nname = "R"\ntimezone = "UTC"\ncountry = "US"\nannounced_at = "2026-03-02T15:00:00Z"\n'
    )
    (tmp_path / "contacts.csv").write_text(
        "source,source_id,channel,direction,created_at,customer_phone\n"
        "five9,c1,phone,inbound,2026-03-02T16:00:00Z,+1 312 555 0142\n"
        "five9,c2,phone,inbound,2026-03-02T16:05:00Z,+1 312 555 0142 999\n"  # 13 digits after +1
        "five9,c3,phone,inbound,2026-03-02T16:10:00Z,(312) 555-0142 12\n"  # 12 national digits
        "five9,c4,phone,inbound,2026-03-02T16:15:00Z,\n"
    )
    con = connect(tmp_path / "t.duckdb")
    results = ingest_paths(con, [tmp_path / "recall.toml", tmp_path / "contacts.csv"])
    assert not [r for r in results if isinstance(r, Failure)]
    loaded = results[1]
    assert (loaded.inserted, loaded.quarantined) == (4, 0)  # loaded, not quarantined
    rows = con.execute("SELECT source_id, customer_phone_raw, customer_phone FROM contacts ORDER BY 1").fetchall()
    assert rows == [
        ("c1", "+1 312 555 0142", "+13125550142"),
        ("c2", "+1 312 555 0142 999", None),
        ("c3", "(312) 555-0142 12", None),
        ("c4", None, None),
    ]
    (warning,) = [w for w in loaded.warnings if "phone" in w]
    assert warning.startswith("contacts.csv: 2 phone number(s) cannot be valid")
    assert "rows 3, 4" in warning and "999" not in warning  # row numbers, never the numbers themselves
    ledger = con.execute("SELECT warnings FROM ingests WHERE file_name = 'contacts.csv'").fetchone()[0]
    assert warning in ledger


def test_national_number_waiting_for_its_country_is_not_invalid(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        "source,source_id,channel,direction,created_at,customer_phone\n"
        "five9,c1,phone,inbound,2026-03-02T16:00:00Z,(312) 555-0142\n"
    )
    con = connect(tmp_path / "t.duckdb")
    (result,) = ingest_paths(con, [tmp_path / "contacts.csv"])
    assert not [w for w in result.warnings if "phone" in w]  # no recall yet: no country, not invalid
