"""Upload page: the staged files, each in a box (connector and preview, or the column-mapping
editor), and the one Load button.

State rules: a staged file this session already loaded is marked "already loaded as #N" (with its
load's preview no longer shown), one whose bytes the store already holds "already in the store as #N"
(who, when), and neither is loaded again; Load is disabled, saying why, when no
staged file is loadable (all refused, unmapped or already loaded).
"""

from __future__ import annotations

import streamlit as st

from connectors.base import SourceFile
from connectors.load import Failure
from ui.text import md
from ui.upload import REPORTS_KEY, signed_in_user
from ui.upload_load import already_loaded, load_files
from ui.upload_mapping import mappable, saved_mappings, show_mapped_file
from ui.upload_preview import chosen_date_format, date_key, show_file


def review(files: list[SourceFile | Failure], recall_id: str | None, tz: str | None) -> list[tuple]:
    """Each staged file in a box: "already loaded as #N", or connector and reason or refusal and
    the preview (with the day/month question for dates the values cannot decide), and for a file
    no connector recognises the column-mapping editor. Returns (file, mapping or None, date
    format or None, loadable) for each file not yet loaded (refused ones are reported as not
    loaded when others load)."""
    names = [m["name"] for m in saved_mappings()]
    out: list[tuple] = []
    for i, f in enumerate(files):
        with st.container(border=True):
            if done := already_loaded(f):
                st.markdown(f"**{md(f.name)}** — ✅ {md(done)}; not loaded again. Remove it or stage another file.")
                continue
            spec = None
            ok = show_file(i, f, recall_id, tz)
            if not ok and mappable(f):
                with st.expander("Map its columns to a canonical table", expanded=True):
                    spec = show_mapped_file(i, f, recall_id, tz, names)
            out.append((f, spec, chosen_date_format(date_key(i)), ok or spec is not None))
    return out


def load_button(chosen: list[tuple], recall_id: str | None, tz: str | None) -> None:
    """The one Load button: loads every staged file not yet loaded (refusals reported), disabled
    when none of them is loadable."""
    loadable = sum(1 for *_, ok in chosen if ok)
    label = f"Load {loadable} file{'s' if loadable != 1 else ''}" if loadable else "Load"
    clicked = st.button(label, key="upload_load", type="primary", disabled=not loadable)
    if not loadable:
        st.caption("Nothing to load: every staged file is refused, still to be mapped or already loaded.")
    if clicked:
        with st.spinner("Loading…"):
            files = [(f, spec, date) for f, spec, date, _ok in chosen]
            st.session_state[REPORTS_KEY] = load_files(files, recall_id, tz, signed_in_user())
        st.rerun()
