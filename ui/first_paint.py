"""Numbers first: the first run of a browser session draws the Overview without its charts,
tables and download buttons, and one more run, a second later, draws them.

Why: Streamlit's frontend loads an element's code the first time a run holds one (Plotly's
charts: a 4.7 MB bundle, about 0.8 s to evaluate on a 2-core machine; tables: 1.2 MB) and shows
none of that run's elements until all of their code is loaded — the KPI tiles waited for the
charts' and tables' code (docs/benchmarks-browser.md, "Issue 19, seventh pass"), and then for
the download buttons' code, though those sit in collapsed expanders ("eleventh pass"). Drawn in a
later run, that code loads while the tiles are on screen.

:func:`ready` is called once per run by a page that defers its charts and tables: False on the
session's first run (the page draws :func:`pending_chart` / :func:`pending_table` in their place),
which also starts a fragment that reruns the whole app after ``DELAY_S``, once; True from then on,
and on any later run of any page.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

READY = "first_paint_ready"
_ARMED = "first_paint_armed"
DELAY_S = 1.0
PENDING = "_place_held"  # key suffix of a chart's or table's place (its class: st-key-<key>_place_held)


def first_run() -> bool:
    """Whether this is the session's first run (until :func:`ready` has been called in it)."""
    return not (st.session_state.get(READY) or st.session_state.get(_ARMED))


def ready() -> bool:
    """Whether this run may draw charts and tables (see the module docstring)."""
    if st.session_state.get(READY):
        return True
    if st.session_state.get(_ARMED):  # a later run (a click came first): the first one is on screen
        st.session_state[READY] = True
        return True
    st.session_state[_ARMED] = True
    _rerun_soon()
    return False


@st.fragment(run_every=DELAY_S)
def _rerun_soon() -> None:
    """Nothing in the run that registers it; its timer's run marks the session ready and reruns
    the app, which no longer calls it, so the timer stops."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        st.session_state[READY] = True
        st.rerun()


def pending_chart(fig: go.Figure, key: str) -> None:
    """The place of chart ``fig`` until it is drawn: space of its height (nothing jumps when it comes)."""
    _pending(int(fig.layout.height or 450), key)


def pending_table(rows: int, key: str) -> None:
    """The place of a table of ``rows`` rows until it is drawn (st.dataframe: 35 px a row and the header)."""
    _pending(35 * (rows + 1) + 3, key)


def _pending(height_px: int, key: str) -> None:
    with st.container(height=height_px, border=False, key=f"{key}{PENDING}"):
        st.caption("Loading…")
