"""The stand-up wall fits any screen (issue 15, item 2): in a real browser at 720p, 1080p and 4K, the
kiosk wall on the bundled sample (replayed on its day 9, ui/replay.py) does not scroll, its smallest
visible text is at least 2 % of the viewport's height, and its tiles take at least 80 % of it. The
rotating chart views (volume, coverage) fit the same way, their chart taking at least 60 % of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import wait_for_app

SCREENS = Path(__file__).parent / "screens"

VIEWPORTS = [(1280, 720), (1920, 1080), (3840, 2160)]

# Every visible text node's font size, the scrolling of every scrollable box, the tiles' extent.
MEASURE = """() => {
  const h = window.innerHeight, w = window.innerWidth;
  let smallest = Infinity, smallestText = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.bottom <= 0 || r.top >= h || r.right <= 0 || r.left >= w) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.opacity === "0" || el.closest("style, script, noscript")) continue;
    if (el.closest("[data-testid='stSkipToContent']")) continue;  // Streamlit's skip link: shown on keyboard focus only
    const size = parseFloat(style.fontSize);
    if (size < smallest) { smallest = size; smallestText = node.textContent.trim().slice(0, 60); }
  }
  let scrolls = [];
  for (const el of document.querySelectorAll("*")) {
    const oy = getComputedStyle(el).overflowY;
    if ((oy === "auto" || oy === "scroll" || el === document.scrollingElement) && el.scrollHeight > el.clientHeight + 1)
      scrolls.push((el.dataset.testid || el.tagName) + " " + el.scrollHeight + ">" + el.clientHeight);
  }
  const tiles = [...document.querySelectorAll(".wall-tile")].map(t => t.getBoundingClientRect());
  const top = Math.min(...tiles.map(r => r.top)), bottom = Math.max(...tiles.map(r => r.bottom));
  const clipped = [...document.querySelectorAll(".wall-tile")].filter(t => t.scrollHeight > t.clientHeight + 1)
    .map(t => t.dataset.tile);
  const chart = document.querySelector(".wall-chart");
  const c = chart ? chart.getBoundingClientRect() : null;
  return {h, smallest, smallestText, scrolls, tiles: tiles.length, tileTop: top, tileBottom: bottom, clipped,
          chartTop: c ? c.top : null, chartBottom: c ? c.bottom : null};
}"""


@pytest.fixture(scope="module")
def wall_context(server, browser):
    """One page per viewport on the module's server (the sample store), the first load warming its caches."""
    return server, browser


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_wall_fits_the_screen(wall_context, size):
    server, browser = wall_context
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/standup?kiosk=1")
        wait_for_app(page, "[data-value='contacts_today']")
        m = page.evaluate(MEASURE)
        print(size, m)
        assert page.locator(".replay-band").count() == 1  # the sample, replayed, says so
        assert m["tiles"] == 9
        assert not m["scrolls"], m["scrolls"]
        assert m["tileBottom"] <= m["h"]
        assert m["smallest"] >= 0.02 * m["h"] - 0.01, (m["smallest"], m["smallestText"])
        assert m["tileBottom"] - m["tileTop"] >= 0.8 * m["h"], (m["tileTop"], m["tileBottom"])
        assert not m["clipped"], m["clipped"]
    finally:
        context.close()


@pytest.mark.parametrize("size", [VIEWPORTS[0], VIEWPORTS[2]], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["volume", "coverage"])
def test_the_chart_views_fit_the_screen(wall_context, size, view):
    server, browser = wall_context
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/standup?kiosk=1&rotate={view}")
        wait_for_app(page, f"[data-chart='{view}']")
        m = page.evaluate(MEASURE)
        print(size, view, m)
        assert not m["scrolls"], m["scrolls"]
        assert m["chartBottom"] <= m["h"]
        assert m["smallest"] >= 0.02 * m["h"] - 0.01, (m["smallest"], m["smallestText"])
        assert m["chartBottom"] - m["chartTop"] >= 0.6 * m["h"], (m["chartTop"], m["chartBottom"])
        page.screenshot(path=SCREENS / f"wall_{view}_{size[1]}p.png")
    finally:
        context.close()
