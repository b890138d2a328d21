"""Streamlit helpers shared by the pages: the store handle, cached metric calls, filters, tiles.

The only package besides pages/ and app.py that imports streamlit.
"""

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def through_router() -> None:
    """Every page calls this first.

    Because a ``pages/`` folder sits next to app.py, Streamlit serves the first request after a
    server start in its old pages-directory mode when that request is for a page URL
    (``/standup``) rather than ``/``: the page file runs alone and app.py's ``st.navigation`` (wide
    layout, kiosk mode, the page list) never runs, for every session, until someone opens ``/``.
    A wall screen reconnecting after a restart is exactly that request. This switches Streamlit to
    app.py's navigation and runs app.py in its place, in the same run (a rerun would drop the
    click that started it). Checked by tests/test_standup.py and tests/browser.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP))
        st.stop()
