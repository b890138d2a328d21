"""The bundled sample recall on screen: every page says when the store still holds it, with its
share, and the Upload page removes it in one action (store/sample.py).

A fresh install shows the sample (loaded into an empty store by ui/data.py). After the first real
load the sample's contacts and units would keep counting unseen, so while any sample row remains a
notice heads every page — "4,147 of 5,655 contacts (73 %) and 2,000 of 3,500 affected units (57 %)
are the bundled sample" — and the Upload page offers to remove it.
"""

from __future__ import annotations

import streamlit as st

from store.sample import SampleShare, remove_sample, sample_share
from ui import data


def share(version: tuple) -> SampleShare | None:
    return data.read(version, sample_share)


def notice(kiosk: bool = False) -> None:
    """The line every page shows while sample rows remain (a caption on a wall screen)."""
    found = share(data.ledger_version())
    if found is None:
        return
    if kiosk and found.only_sample:
        return  # the REPLAY band says it is the sample (ui/replay.py)
    if kiosk:
        st.caption(f"Sample data: {found.describe()} are the bundled sample recall.")
    elif found.only_sample:
        st.info(
            "Showing the bundled **sample data** (a synthetic car-seat recall): every number here is sample data. "
            "Load your own exports on the Upload page; the sample can be removed there.",
            icon="🧪",
        )
    else:
        st.warning(
            f"**Sample data still in the store:** {found.describe()} are the bundled sample recall, counted with "
            "your data. An analyst can remove it on the Upload page.",
            icon="🧪",
        )


def offer(by: str) -> None:
    """On the Upload page: the sample's share and one button that removes it."""
    message = st.session_state.pop("upload_sample_removed", None)
    if message:
        st.success(message)
    found = share(data.ledger_version())
    if found is None:
        return
    with st.container(border=True):
        if found.only_sample:
            st.markdown(
                f"This store holds only the bundled **sample data** ({found.describe()}). Your first load would "
                "be counted together with it: remove it first, or keep it to compare."
            )
        else:
            st.warning(f"**Your data is blended with the sample's:** {found.describe()} are sample data.", icon="🧪")
        if st.button("Remove the sample data", key="upload_remove_sample", type="primary"):
            with data.store() as con:
                undone = remove_sample(con, by)
            rows = sum(sum(u.deleted.values()) for u in undone)
            st.session_state["upload_sample_removed"] = (
                f"Removed the bundled sample data: {len(undone)} upload(s) undone, {rows:,} rows (see the ingest "
                "history below)."
            )
            st.rerun()
