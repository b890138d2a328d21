"""A page's tabs, of which only the open one runs.

Streamlit draws every tab's content unless the tabs track which one is open; with
``on_change="rerun"`` each tab's ``.open`` says whether it is the one shown, and a page reads and
draws under ``if tab.open:`` only. A page switch then draws the open tab's charts, two at most,
instead of all of them (docs/benchmarks-browser.md, "Issue 19, tenth pass").

The open tab is kept for the session (a phase switch stays on it) and in the URL as
``?<page>_tab=<label>`` (a link opens that tab; Streamlit drops a label the page does not have).
bench/measure.py times every tab of a page cold and warm through the same key.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def key(page: str) -> str:
    """The session and URL key of page ``page``'s tabs (``channels`` → ``channels_tab``)."""
    return f"{page}_tab"


def open_only(page: str, labels: Sequence[str]) -> Sequence:
    """``st.tabs(labels)`` for page ``page`` (its file name without ``.py``), the first open unless
    the session or the URL says otherwise; run a tab's content under ``if tab.open:``."""
    return st.tabs(list(labels), key=key(page), on_change="rerun", bind="query-params")
