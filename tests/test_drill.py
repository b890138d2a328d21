"""Click-through rows, the data range, phase lengths and the verdict line, worked by hand on the
metrics fixture (tests/fixtures/metrics/README.md: R1 announced 2026-03-02T15:00Z, America/Chicago)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from metrics import Filters, Scope
from metrics.catalog import CATALOG, Reading
from metrics.drill import contacts_behind, data_range
from metrics.units import Target
from metrics.verdict import per_day, phase_days, verdict
from ui.export import masked

AS_OF = datetime(2026, 4, 1)


def ids(result) -> set[str]:
    return set(result["rows"]["source_id"])


def test_contacts_behind_a_tile_and_a_bar(metrics_store):
    scope = Scope("R1", AS_OF)
    # Inbound contacts of R1: c1-c10, c12, c13 (c11 is a billing ticket, c14 is outbound).
    every = contacts_behind(metrics_store, scope, "contacts")
    assert ids(every) == {f"c{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13)} and every["total"] == 12
    # Offered calls: answered c1 c5 c8 c9, abandoned after >= 5 s c4; c12 (3 s) and c13 (no wait) are short.
    assert ids(contacts_behind(metrics_store, scope, "service_level")) == {"c1", "c4", "c5", "c8", "c9"}
    # During (03-03T15:00Z to 03-09T15:00Z): c2 c5 c8 c9 c12 c13, the same 6 as the Contacts tile.
    assert ids(contacts_behind(metrics_store, scope, "contacts", phase="during")) == {
        "c2",
        "c5",
        "c8",
        "c9",
        "c12",
        "c13",
    }
    # The phone bar of local day 2026-03-06 (CST = UTC-6): c8 04:00, c12 05:00, c13 06:00 and
    # c9 (03-07T00:00Z = 03-06 18:00 local).
    bar = contacts_behind(metrics_store, scope, "contacts", day=date(2026, 3, 6), channel="phone")
    assert ids(bar) == {"c8", "c9", "c12", "c13"}
    # The shared filters still apply: an email-only view has no phone bar.
    emails = Scope("R1", AS_OF, filters=Filters(channels=("email",)))
    assert contacts_behind(metrics_store, emails, "contacts", day=date(2026, 3, 6), channel="phone")["total"] == 0
    # Newest first; the rows a non-admin sees are masked (c1 is alice@x.com).
    rows = every["rows"]
    assert rows["created_at"].to_list() == sorted(rows["created_at"].to_list(), reverse=True)
    shown = masked(rows).filter(pl.col("source_id") == "c1")["customer_email"][0]
    assert shown != "alice@x.com" and shown.endswith("@x.com")
    with pytest.raises(ValueError, match="no click-through"):
        contacts_behind(metrics_store, scope, "correction_rate")


def outcomes(result) -> dict[str, str]:
    return dict(zip(result["rows"]["source_id"], result["rows"]["outcome"], strict=True))


def test_contacts_behind_the_rates_carry_their_outcome(metrics_store):
    """The README's worked values: FCR's 7 eligible contacts, 3 resolved (c2, c6, c10), c1 c3 c9
    followed by a repeat, c5 transferred; the repeat rate over the same 7; CSAT's 4 responses."""
    scope = Scope("R1", AS_OF)
    assert outcomes(contacts_behind(metrics_store, scope, "fcr")) == {
        "c1": "repeat", "c2": "resolved", "c3": "repeat", "c5": "transferred",
        "c6": "resolved", "c9": "repeat", "c10": "resolved",
    }  # fmt: skip
    repeats = contacts_behind(metrics_store, scope, "repeat_rate")
    assert {k for k, v in outcomes(repeats).items() if v == "repeat"} == {"c1", "c3", "c9"} and repeats["total"] == 7
    assert outcomes(contacts_behind(metrics_store, scope, "csat")) == {
        "c1": "satisfied", "c2": "not satisfied", "c3": "not satisfied", "c6": "satisfied",
    }  # fmt: skip
    # By phase, as the FCR tile's phases: during holds c2, c5, c9.
    assert set(outcomes(contacts_behind(metrics_store, scope, "fcr", phase="during"))) == {"c2", "c5", "c9"}
    # The counts' rows carry no outcome.
    assert set(contacts_behind(metrics_store, scope, "handled")["rows"]["outcome"].to_list()) == {None}


def test_data_range_and_phase_days(metrics_store):
    scope = Scope("R1", AS_OF)
    # First contact c1 03-03T10:00Z (04:00 local), last inbound or outbound c7 03-28T11:00Z (06:00 CDT).
    assert data_range(metrics_store, scope) == (date(2026, 3, 3), date(2026, 3, 28))
    days = phase_days(metrics_store, scope)
    # No contact before the announcement: no pre-announcement length; day one 24 h; during 6 days;
    # ongoing 03-09T15:00Z to as_of 04-01T00:00Z = 22 days 9 h; after starts 06-01: none yet.
    assert days == {"pre_announcement": None, "day_one": 1.0, "during": 6.0, "ongoing": 22.375, "after": None}
    assert per_day(CATALOG["contacts"], 6, days["during"]) == 1.0
    assert per_day(CATALOG["service_level"], 0.4, days["during"]) == 0.4  # rates are compared as they are


def test_verdict_line():
    """SL 47 % is red (target 80/70), abandon 4 % green (5/10), ASA 45 s amber (30/60), FCR on n = 3
    is hidden (not judged), CSAT 90 % green (85/75): 2 of 4 missed, SL first (red before amber);
    SL was 38.3 % 24 h before: +8.7 pts; newest record 173 × 24 h old."""
    m = CATALOG
    readings = [
        (m["contacts"], Reading(400), Reading(300)),
        (m["service_level"], Reading(0.47, 100), Reading(0.383, 90)),
        (m["abandon_rate"], Reading(0.04, 100), None),
        (m["asa_s"], Reading(45.0, 100), Reading(50.0, 90)),
        (m["fcr"], Reading(0.2, 3), Reading(0.5, 2)),
        (m["csat"], Reading(0.9, 40), Reading(0.9, 40)),
    ]
    targets = {k: m[k].target for k in ("service_level", "abandon_rate", "asa_s", "fcr", "csat")}
    out = verdict(readings, targets, 173 * 24.0)
    assert out["text"] == "2 of 4 targets missed · SL 47.0% (target 80%) ↑8.7 pts since yesterday · data 173 days old"
    assert out["colours"] == {"service_level": "red", "abandon_rate": "green", "asa_s": "amber", "csat": "green"}
    # Nothing measured, nothing loaded.
    quiet = verdict([(m["service_level"], Reading(None, 0), None)], {"service_level": Target(0.8, 0.7)}, None)
    assert quiet["text"] == "no target measured yet · no data loaded"
