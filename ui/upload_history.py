"""Upload page: the ingest ledger, the quarantine of any past ingest, and undo of a whole upload
(store/undo.py: the rows the ingest wrote go, the versions it replaced come back)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from connectors.load import RECALL_CONNECTOR
from store.undo import UndoError, UndoResult, undo_ingest
from ui import access, data
from ui.export import download_buttons
from ui.text import md
from ui.upload import (
    masked_rejects,
    signed_in_user,
)

HISTORY_LABELS = {
    "ingest_id": "ingest",
    "file_name": "file",
    "timezone": "zone",
    "recall_id": "recall",
    "rows_read": "read",
    "rows_inserted": "inserted",
    "rows_updated": "updated",
    "rows_unchanged": "unchanged",
    "rows_quarantined": "quarantined",
    "loaded_at": "loaded at (UTC)",
    "loaded_by": "by",
    "undone_at": "undone at (UTC)",
}


def show_history(version: tuple) -> None:
    """The ingest ledger, the quarantine of any ingest, and undo of a whole upload."""
    ledger = data.ingests(version)
    if ledger.height == 0:
        st.info("Nothing has been loaded yet.")
        return
    st.dataframe(ledger.rename(HISTORY_LABELS), key="upload_history", hide_index=True)
    labels = {
        r["ingest_id"]: f"#{r['ingest_id']} · {r['file_name']} · {r['loaded_at']:%Y-%m-%d %H:%M}"
        for r in ledger.iter_rows(named=True)
    }
    left, right = st.columns(2)
    with left:
        st.markdown("**Quarantine of an ingest**")
        with_rejects = ledger.filter(pl.col("rows_quarantined") > 0)["ingest_id"].to_list()
        if not with_rejects:
            st.caption("No ingest has quarantined rows.")
        else:
            pick = st.selectbox("Ingest", with_rejects, key="upload_quarantine_pick", format_func=labels.get)
            show_pii = access.show_pii()
            rows = masked_rejects(data.quarantine(version, pick), show_pii)
            if rows.height == 0:
                st.caption("This ingest was undone; its quarantine rows went with it.")
            st.dataframe(rows, key="upload_quarantine", hide_index=True)
            download_buttons(rows, f"quarantine_{pick}", "upload_quarantine_dl", show_pii)
    with right:
        st.markdown("**Undo a whole upload**")
        undoable = ledger.filter(pl.col("undone_at").is_null())
        if not access.may_define_recalls():  # a recall definition's undo changes every number: admins only
            undoable = undoable.filter(pl.col("connector") != RECALL_CONNECTOR)
            st.caption("Loads of recall definitions are undone by an admin.")
        open_ids = undoable["ingest_id"].to_list()
        pick = st.selectbox(
            "Ingest to undo",
            open_ids,
            key="undo_pick",
            format_func=labels.get,
            index=None,
            placeholder="Pick an ingest",
        )
        st.caption("Removes the rows this file wrote and brings back the versions it replaced.")
        if st.button("Undo this ingest", key="undo_confirm", disabled=pick is None, type="primary"):
            st.session_state["upload_undo_message"] = undo(pick, signed_in_user())
            st.rerun()
        message = st.session_state.pop("upload_undo_message", None)
        if message:
            (st.error if message.startswith("Cannot") else st.success)(md(message))


def undo(ingest_id: int, by: str) -> str:
    """Undo ``ingest_id``; a one-line message saying what changed (or why not). A load of a recall
    definition is undone only in a session that may define recalls (ui/access.py)."""
    try:
        with data.store() as con:
            connector = con.execute("SELECT connector FROM ingests WHERE ingest_id = ?", [ingest_id]).fetchall()
            if connector == [(RECALL_CONNECTOR,)] and not access.may_define_recalls():
                return f"Cannot undo: ingest {ingest_id} loaded a recall definition; only admins may undo it."
            result: UndoResult = undo_ingest(con, ingest_id, by)
    except UndoError as e:
        return f"Cannot undo: {e}"
    deleted, restored = sum(result.deleted.values()), sum(result.restored.values())
    return (
        f"Undid ingest #{result.ingest_id} ({result.file_name}): {deleted:,} rows removed, "
        f"{restored:,} earlier versions restored, {result.quarantine_deleted:,} quarantine entries removed."
    )
