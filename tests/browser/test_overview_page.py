"""What leadership sees on the Overview, in a real browser on the bundled sample (one server for the
module): the verdict line and tiles framed in their target colour, the date picker opening on the
recall's data, and a clicked bar's contacts."""

from __future__ import annotations

import re
import time

from harness import wait_for_app

from ui.first_paint import PENDING

DAY_ONE = "as_of=2026-03-03T18:00:00Z"  # the afternoon after the sample's announcement
COLOURS = {"green": "rgb(22, 163, 74)", "amber": "rgb(217, 119, 6)", "red": "rgb(220, 38, 38)"}


def open_overview(server, page, query: str = DAY_ONE) -> None:
    page.goto(f"{server.url}/?{query}")
    wait_for_app(page, "[data-testid='stMetric']")


def test_verdict_and_tiles_in_target_colours(server, page):
    open_overview(server, page)
    body = page.inner_text("body")
    assert re.search(r"\d of \d targets missed · \S+ [\d.]+% \(target \d+%\)", body), body[:2000]
    framed = page.locator("[class*='st-key-tile_green_'], [class*='st-key-tile_amber_'], [class*='st-key-tile_red_']")
    assert framed.count() >= 5  # SL, abandon, ASA, FCR, repeat, CSAT: all measured by day one's afternoon
    for i in range(framed.count()):
        tile = framed.nth(i)
        colour = re.search(r"st-key-tile_(green|amber|red)_", tile.get_attribute("class")).group(1)
        assert tile.evaluate("e => getComputedStyle(e).borderLeftColor") == COLOURS[colour]
    sl = page.locator("[class*='st-key-tile_'][class*='_service_level']")
    assert sl.count() == 1 and "since yesterday" in sl.inner_text()


def test_date_picker_opens_on_the_recalls_data(server, page):
    """The sample's contacts run from February to June 2026; today (the machine's date) is not in it,
    so an unbounded calendar would open on today's month."""
    open_overview(server, page)
    page.locator("[data-testid='stDateInputCalendarButton']").click()
    calendar = page.locator("[data-testid='stDateInputCalendar'] [role='application']")
    calendar.wait_for(timeout=10_000)
    # The replay's data runs 16 Feb - 3 Mar 2026 (its last day): the calendar opens on March 2026.
    assert calendar.get_attribute("aria-label") == "Choose date range, March 2026"


def test_a_clicked_bar_lists_its_contacts_masked(server, page):
    open_overview(server, page)
    bars = page.locator("[class*='st-key-overview_volume'] .js-plotly-plot .bars .point path")
    bars.first.wait_for(timeout=20_000)
    bars.last.click(force=True)
    caption = page.get_by_text(re.compile(r"[\d,]+ contacts behind Contacts · Whole recall · 2026-03-0\d · \w+"))
    caption.wait_for(timeout=30_000)
    wait_for_app(page, "[data-testid='stDataFrame']")
    assert "emails and phones masked" in caption.inner_text()
    assert page.locator("[class*='st-key-overview_bar_csv']").count() == 1


# When each of the Overview's parts first appeared in the page (performance.now(), ms).
FIRST_SEEN = f"""window.__first_seen = {{}};
new MutationObserver(() => {{
  const parts = {{tiles: "[data-testid='stMetric']", held: "[class*='{PENDING}']", chart: ".js-plotly-plot"}};
  for (const [name, selector] of Object.entries(parts)) {{
    if (!(name in window.__first_seen) && document.querySelector(selector)) {{
      window.__first_seen[name] = performance.now();
    }}
  }}
}}).observe(document, {{childList: true, subtree: true, attributes: true}});"""


def test_the_tiles_come_first_then_the_charts_in_one_more_run_and_no_other(server, page):
    """ui/first_paint.py: a new session's Overview shows its tiles with the charts' places held,
    then the charts and tables in one more run (a fragment's timer asks for it once), and no run after."""
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(time.monotonic())))
    page.add_init_script(FIRST_SEEN)
    page.goto(f"{server.url}/?{DAY_ONE}")
    wait_for_app(page, "[class*='st-key-overview_funnel'] .js-plotly-plot")
    # The tiles and the charts' held places were on screen before any chart was drawn (when each
    # first appeared, by the page's own clock: what the test process sees of it comes later).
    first = page.evaluate("window.__first_seen")
    assert {"tiles", "held", "chart"} <= first.keys(), first
    assert first["tiles"] <= first["chart"] and first["held"] <= first["chart"], first
    assert page.locator(f"[class*='{PENDING}']").count() == 0
    assert page.locator(".js-plotly-plot").count() == 2
    settled_at = time.monotonic()
    page.wait_for_timeout(3_000)  # three timer periods: a fragment still running would ask again
    assert [t for t in sent if t > settled_at] == []
