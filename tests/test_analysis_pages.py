"""AppTest of the analysis pages (Channels & handling, Quality, Coverage) on the hand-computed fixture.

The pages report as of now, after every fixture date (tests/fixtures/metrics/README.md gives the
values at 2026-04-01; the differences are noted where they matter).
"""

from __future__ import annotations

from conftest import open_page
from streamlit.testing.v1 import AppTest

from ui import tabs


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label.split(" (small")[0]: m.value for m in at.metric}


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def tab(at: AppTest, page: str, label: str) -> AppTest:
    """``at`` rerun with the tab ``label`` of page ``page``'s tabs open, as a click on it does."""
    at.session_state[tabs.key(page)] = label
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_channels_tabs_draw_only_the_open_one(db):
    """Each tab's reads and charts run only while it is open (a page switch draws two charts, not six)."""
    at = open_page("pages/channels.py")
    assert [t.label for t in at.tabs] == ["Volume & mix", "Handle time", "Phone service", "Tickets"]
    assert len(charts(at)) == 2 and not at.metric and not at.dataframe
    assert [s.value for s in at.subheader] == ["Contacts by channel per day", "Channel mix per phase"]
    tab(at, "channels", "Tickets")
    assert len(charts(at)) == 2 and [s.value for s in at.subheader][0] == "Open backlog at the end of each day"
    at.selectbox(key="phase").set_value("during").run()  # the tab outlives a phase switch
    assert at.session_state[tabs.key("channels")] == "Tickets" and len(charts(at)) == 2


def test_a_link_opens_a_tab_and_a_hostile_tab_name_is_dropped(db):
    at = open_page("pages/channels.py", channels_tab="Phone service")
    assert at.metric[0].label.startswith("Service level") and at.query_params["channels_tab"] in (
        "Phone service",
        ["Phone service"],
    )
    at = open_page("pages/coverage.py", coverage_tab="<img src=x onerror=alert(1)>")
    assert [s.value for s in at.subheader][-1] == "Units ledger" and "coverage_tab" not in at.query_params
    assert at.segmented_control(key="coverage_by").value == "region"  # the first tab (By group) is open


def test_channels_phone_service_and_phase_switch(db):
    at = tab(open_page("pages/channels.py"), "channels", "Phone service")
    t = tiles(at)
    # README: offered 5 (c1 c5 c8 c9 answered, c4 abandoned after 30 s), 2 within 20 s; short abandons c12, c13.
    assert (t["Service level (20 s)"], t["Abandon rate"], t["Short abandons (not counted)"]) == ("40.0%", "20.0%", "2")
    # Handle time split by queue: the fixture has no queues, so every contact is "(none)".
    split = next(f for f in frames(tab(at, "channels", "Handle time")) if "queue" in f.columns)
    assert set(split["queue"]) == {"(none)", "all"} and split.set_index("queue").loc["all", "n"] == 7
    at.selectbox(key="phase").set_value("during").run()
    at.segmented_control(key="channels_aht_by").set_value("agent").run()
    split = next(f for f in frames(at) if "agent" in f.columns)
    assert split.set_index("agent").loc["all", "n"] == 4  # c2 email 300, c5 200, c8 60, c9 120 (phone)
    t = tiles(tab(at, "channels", "Phone service"))
    # During: c5, c8, c9 answered (3 offered < 5 → hidden), c12 and c13 short abandons.
    assert (t["Service level (20 s)"], t["Short abandons (not counted)"]) == ("—", "2")


def test_quality_fcr_options_method_and_url(db):
    at = open_page("pages/quality.py")
    # As of now c7's window has closed too: eligible 8, resolved c2 c6 c7 c10 = 4.
    t = tiles(at)
    assert (t["FCR · Whole recall"], t["Resolved"], t["Eligible"], t["Pending (window open)"]) == (
        "50.0%",
        "4",
        "8",
        "0",
    )
    assert any("Repeat-contact FCR, 7-day window" in m.value for m in at.markdown)
    at.radio(key="fcr_window").set_value("3").run()
    # W = 3 d: c9's repeat 7 days later no longer counts → c2 c6 c7 c9 c10 = 5 of 8.
    assert tiles(at)["FCR · Whole recall"] == "62.5%"
    assert at.query_params["fcr_window"] in ("3", ["3"])
    assert any("3-day window" in m.value for m in at.markdown)
    at.radio(key="fcr_method").set_value("zendesk_one_touch").run()
    t = tiles(at)
    # No fixture ticket has an agent reply count: nothing eligible; c7 (open) is pending.
    assert (t["FCR · Whole recall"], t["Eligible"], t["Pending (window open)"]) == ("—", "0", "1")
    assert any("Zendesk one-touch" in m.value for m in at.markdown)


def test_quality_window_from_the_url_and_repeat_tables(db):
    at = open_page("pages/quality.py", fcr_window="3")
    assert at.radio(key="fcr_window").value == "3"
    at.radio(key="fcr_window").set_value("7").run()
    assert [t.label for t in at.tabs] == ["First contact resolution", "CSAT", "Repeat contacts"]
    assert not frames(at) and len(charts(at)) == 2  # only the open tab (FCR) is drawn
    tab(at, "quality", "Repeat contacts")
    assert at.radio(key="fcr_window").value == "7"  # the options above the tabs apply to every tab
    at.toggle(key="quality_reasons_table_toggle").set_value(True).run()
    at.toggle(key="quality_switches_table_toggle").set_value(True).run()
    reasons = next(f for f in frames(at) if "reason" in f.columns)
    assert reasons[["reason", "contacts", "share"]].values.tolist() == [["(no reason)", 3, 100.0]]  # shown in %
    switches = next(f for f in frames(at) if "repeat_channel" in f.columns)
    pairs = {(r.first_channel, r.repeat_channel): r.contacts for r in switches.itertuples()}
    assert pairs == {("phone", "email"): 1, ("chat", "phone"): 1, ("phone", "web"): 1}  # c1→c2, c3→c4, c9→c10
    # CSAT: README's 2 of 4 plus s7 (1/5 on c6, answered 04-02, before now) → 2 of 5, shown greyed (n < 30).
    tab(at, "quality", "CSAT").toggle(key="quality_csat_phase_table_toggle").set_value(True).run()
    csat = next(f for f in frames(at) if "ci_low" in f.columns and "channel" not in f.columns)
    assert csat.set_index("phase").loc["Whole recall", ["satisfied", "n"]].tolist() == [2, 5]  # phases by name


def test_coverage_now_and_at_the_end_of_day_one(db):
    at = open_page("pages/coverage.py")
    t = tiles(at)
    # Now: C3's remedy (04-05) is done → units 3 of 6; every affected customer has been reached
    # (frank's delivery came 04-03).
    assert (t["Affected units"], t["Units remedied"], t["Correction rate"]) == ("6", "3", "50.0%")
    assert [t.label for t in at.tabs] == ["By group", "Over time", "Time to notify", "Unreachable customers"]
    assert len(charts(at)) == 2  # the funnel above the tabs and the open tab's (by group)
    t = tiles(tab(at, "coverage", "Time to notify"))
    assert (t["Notified customers"], t["Median"], t["P90"], t["Not notified yet"]) == ("3", "1.0 h", "1.0 h", "1")
    assert len(next(f for f in frames(tab(at, "coverage", "Unreachable customers")) if "last_status" in f.columns)) == 0
    at.selectbox(key="phase").set_value("day_one").run()
    # End of day one (03-03T15:00Z): frank's only attempts were sent and bounced; bob is not notified
    # and his outbound call (03-08) has not happened.
    unreachable = next(f for f in frames(at) if "last_status" in f.columns)
    rows = unreachable[["status", "customer_ref", "customer_email", "customer_phone", "last_status"]]
    assert rows.fillna("").values.tolist() == [
        ["notified, not reached", "C3", "f***@x.com", "", "bounced"],
        ["never notified", "C2", "", "+*******0101", ""],
    ]
    assert tiles(at)["Units remedied"] == "0"


def test_the_coverage_funnel_says_a_stage_is_not_a_subset_of_the_one_before(db):
    # README: bob is reached by the answered outbound call c14 but was never notified.
    for page in ("pages/coverage.py", "pages/overview.py"):
        specs = [c.proto.spec for c in open_page(page).get("plotly_chart")]
        assert any("Reached is not a subset of notified: 1 reached customer was not notified." in s for s in specs)
