"""What a person does in the dashboard, timed (bench/browser.py runs them): open the Overview,
pick a phase, open a page. A switch is timed by the page's own clock (``performance.now()``), from
the ``pointerdown`` of the press to the first animation frame in which every element on the page
was sent by the latest run and no chart place is held; what the automation spends around the press
is measured by the caller beside it (:func:`stepped`)."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page

from metrics.scope import PHASE_LABELS
from ui.first_paint import PENDING
from ui.navigation import BY_NAME

VIEWPORT = {"width": 1440, "height": 900}
# Every element on the page sent by the latest run (Streamlit marks an element ``data-stale`` from a
# rerun's request until the run re-sends it, and removes those it does not), and no chart still to
# come (ui/first_paint.py: a session's first Overview draws its charts in a second run).
CURRENT_EXPR = f"!document.querySelector('[data-stale=\"true\"]') && !document.querySelector(\"[class*='{PENDING}']\")"
# ... and no run in progress: Streamlit shows its status widget only for a run longer than 0.5 s,
# and fades it out over 0.2 s after the run, so alone it cannot tell that a short run has ended.
DONE = f"() => {CURRENT_EXPR} && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
# The page's clock at the next press (capture phase: before any handler of the page), and at the
# first frame showing every element of the latest run.
ARM = (
    "() => document.addEventListener('pointerdown', () => { window.__pressed_at = performance.now(); }, "
    "{capture: true, once: true})"
)
STAMP = f"() => {{ if (!({CURRENT_EXPR})) return false; window.__done_at = performance.now(); return true; }}"
TITLE = "[data-testid='stMain'] h1"


def settled(page: Page, selector: str, timeout_ms: int = 120_000) -> None:
    """``selector`` is shown and the page is ``DONE``, twice 100 ms apart (a rerun that starts just
    after a finished one marks the page's elements stale within that time)."""
    page.wait_for_selector(selector, timeout=timeout_ms)
    page.wait_for_function(DONE, timeout=timeout_ms)
    page.wait_for_timeout(100)
    page.wait_for_function(DONE, timeout=timeout_ms)


def timed(action, *args) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started - 0.1  # less the 100 ms settle check


def settled_since_press(page: Page, selector: str, timeout_ms: int = 120_000) -> float:
    """:func:`settled`, timed by the page from the press ``ARM`` caught to the first frame showing
    every element of the run (``STAMP``)."""
    page.wait_for_selector(selector, timeout=timeout_ms)
    page.wait_for_function(STAMP, timeout=timeout_ms)
    page.wait_for_timeout(100)
    if not page.evaluate(f"() => {CURRENT_EXPR}"):  # another run began after that frame: its end
        page.wait_for_function(STAMP, timeout=timeout_ms)
    page.wait_for_function(DONE, timeout=timeout_ms)
    return page.evaluate("window.__done_at - window.__pressed_at") / 1000


def first_paint(page: Page, url: str, ready: str) -> tuple[float, float]:
    """(seconds until the page's tiles are drawn, seconds until the whole page has run)."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready, timeout=120_000)
    paint_s = time.perf_counter() - started
    return paint_s, timed(settled, page, ready) + paint_s


def pick_phase(page: Page, phase: str) -> float:
    """Seconds from the press on ``phase`` in the opened Phase select to the page done showing it."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Phase")
    box.locator("input").click()
    option = page.get_by_role("option", name=PHASE_LABELS[phase], exact=True)
    option.wait_for()
    page.evaluate(ARM)
    option.click()
    return settled_since_press(page, f"[data-testid='stCaptionContainer'] >> text={PHASE_LABELS[phase]}")


def open_page(page: Page, name: str) -> float:
    """Seconds from the press on the page's link to that page done."""
    before = page.locator(TITLE).first.inner_text()  # pages share ready elements: wait for the title
    page.evaluate(ARM)
    page.locator(f"[data-testid='stSidebarNav'] a[href$='/{BY_NAME[name].path}']").click()
    page.wait_for_function(
        f'() => {{ const h = document.querySelector("{TITLE}"); return h && h.innerText !== {json.dumps(before)}; }}'
    )
    return settled_since_press(page, BY_NAME[name].ready)


def stepped(action, *args) -> tuple[float, float]:
    """(the page's seconds from the press, wall-clock seconds of the whole step)."""
    started = time.perf_counter()
    seconds = action(*args)
    return seconds, time.perf_counter() - started - 0.1  # less the 100 ms settle check


def started_browser(browser) -> None:
    """A page drawn and closed in the fresh browser, so that the cold visit finds chromium as a
    person's browser is, already running: a fresh chromium's first page pays for starting its
    renderer and script engine (about 0.3 s on this machine), which is not the server's cold start."""
    context = browser.new_context()
    context.new_page().set_content("<p id='x'></p><script>document.getElementById('x').textContent = 'ready'</script>")
    context.close()
