"""Upload page: the ingest ledger, the quarantine of any past ingest, and undo of a whole upload
(store/undo.py: the rows the ingest wrote go, the versions it replaced come back).

Undo asks first: picking an upload and pressing "Undo…" measures what the undo would change
(store/reconcile.py's ``undo_impact``: "removes 2,255 contacts; Overview contacts 5,655 → 4,147")
and only "Yes, undo" does it. The bundled sample's own loads are labelled as such.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from connectors.load import RECALL_CONNECTOR
from store import ledger as store_ledger
from store.reconcile import UndoImpact, undo_impact
from store.sample import SAMPLE_LOADER
from store.undo import UndoError, UndoResult, undo_group
from ui import access, data
from ui.export import download_buttons
from ui.text import md
from ui.upload import signed_in_user
from ui.upload_preview import masked_rejects, show_quarantine

IMPACT_KEY = "upload_undo_impact"  # (group id, the impact's words) while the confirmation is open
SAMPLE_LABEL = "bundled sample"

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
    "group_id": "upload",
}


def show_history(version: tuple) -> None:
    """The ingest ledger, the quarantine of any ingest, and undo of a whole upload."""
    ledger = data.read(version, store_ledger.ingests)
    if ledger.height == 0:
        st.info("Nothing has been loaded yet.")
        return
    st.dataframe(ledger.rename(HISTORY_LABELS), key="upload_history", hide_index=True, placeholder="—")
    labels = {
        r["ingest_id"]: f"#{r['ingest_id']} · {r['file_name']} · {r['loaded_at']:%Y-%m-%d %H:%M}"
        + (f" · {SAMPLE_LABEL}" if r["loaded_by"] == SAMPLE_LOADER else "")
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
            rows = masked_rejects(data.read(version, store_ledger.quarantine, pick), show_pii)
            if rows.height == 0:
                st.caption("This ingest was undone; its quarantine rows went with it.")
            show_quarantine("upload_quarantine", rows)
            download_buttons(rows, f"quarantine_{pick}", "upload_quarantine_dl", show_pii)
    with right:
        st.markdown("**Undo a whole upload**")
        groups = upload_groups(ledger.filter(pl.col("undone_at").is_null()))
        if not access.may_define_recalls():  # a recall definition's undo changes every number: admins only
            groups = groups.filter(~pl.col("recall_definition"))
            st.caption("Loads of recall definitions are undone by an admin.")
        group_labels = dict(zip(groups["group_id"].to_list(), groups["label"].to_list(), strict=True))
        pick = st.selectbox(
            "Upload to undo",
            groups["group_id"].to_list(),
            key="undo_pick",
            format_func=group_labels.get,
            index=None,
            placeholder="Pick an upload",
        )
        st.caption(
            "Removes the rows this upload wrote (every file of an archive together) and brings back the versions "
            "it replaced. You see what it changes before it is done."
        )
        confirm_undo(pick, group_labels)
        message = st.session_state.pop("upload_undo_message", None)
        if message:
            (st.error if message.startswith("Cannot") else st.success)(md(message))


def confirm_undo(pick: int | None, group_labels: dict[int, str]) -> None:
    """ "Undo…" measures the impact and asks; "Yes, undo" undoes, "Cancel" closes the question."""
    asked = st.session_state.get(IMPACT_KEY)
    if asked is not None and asked[0] != pick:
        asked = st.session_state[IMPACT_KEY] = None
    if asked is None:
        if st.button("Undo…", key="undo_ask", disabled=pick is None):
            st.session_state[IMPACT_KEY] = (pick, impact_text(pick))
            st.rerun()
        return
    yes, no = st.columns(2)
    if asked[1].startswith("Cannot"):  # refused (store/undo.py): nothing to confirm
        st.error(md(asked[1]))
    else:
        st.warning(f"Undo {md(group_labels.get(pick, f'#{pick}'))}? {md(asked[1])}", icon="⚠️")
    if not asked[1].startswith("Cannot") and yes.button("Yes, undo", key="undo_confirm", type="primary"):
        st.session_state[IMPACT_KEY] = None
        st.session_state["upload_undo_message"] = undo(pick, signed_in_user())
        st.rerun()
    if no.button("Cancel", key="undo_cancel"):
        st.session_state[IMPACT_KEY] = None
        st.rerun()


def impact_words(impact: UndoImpact) -> str:
    """ "Removes 2,255 contacts; Overview contacts 5,655 → 4,147" (every table it changes, every
    recall whose Overview contacts change)."""
    removed = [f"{n:,} {table}" for table, n in impact.removed.items() if n]
    restored = sum(impact.restored.values())
    parts = [f"removes {', '.join(removed) if removed else 'no rows'}"]
    if restored:
        parts.append(f"brings back {restored:,} earlier versions")
    parts += [f"Overview contacts {b:,} → {a:,} ({recall})" for recall, (b, a) in impact.contacts.items()]
    if not impact.contacts:
        parts.append("Overview contacts unchanged")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def impact_text(group_id: int) -> str:
    """The impact's words, or why it cannot be undone ("Cannot undo: …")."""
    try:
        with data.store() as con:
            return impact_words(undo_impact(con, group_id))
    except UndoError as e:
        return f"Cannot undo: {e}"


def upload_groups(live: pl.DataFrame) -> pl.DataFrame:
    """One row per ledger group of live ingests (an archive's files are one group: store/write.py):
    ``group_id``, ``label`` (``#id · file · time``, or ``#id · archive.zip (N files) · time``, with
    `` · bundled sample`` for the sample's own loads) and
    whether a member loaded a recall definition; newest first."""
    if live.height == 0:
        return pl.DataFrame(schema={"group_id": pl.Int64, "label": pl.String, "recall_definition": pl.Boolean})
    grouped = live.group_by("group_id").agg(
        pl.len().alias("files"),
        pl.col("file_name").sort_by("ingest_id").first().alias("first_file"),
        pl.col("loaded_at").min(),
        (pl.col("connector") == RECALL_CONNECTOR).any().alias("recall_definition"),
        (pl.col("loaded_by") == SAMPLE_LOADER).all().alias("sample"),
    )
    rows = []
    for r in grouped.sort("group_id", descending=True).iter_rows(named=True):
        name = r["first_file"] if r["files"] == 1 else f"{r['first_file'].split('/', 1)[0]} ({r['files']} files)"
        sample = f" · {SAMPLE_LABEL}" if r["sample"] else ""
        label = f"#{r['group_id']} · {name} · {r['loaded_at']:%Y-%m-%d %H:%M}{sample}"
        rows.append((r["group_id"], label, r["recall_definition"]))
    return pl.DataFrame(rows, schema=["group_id", "label", "recall_definition"], orient="row")


def undo(group_id: int, by: str) -> str:
    """Undo every file of upload (ledger group) ``group_id``; a one-line message saying what
    changed (or why not). An upload holding a recall definition is undone only in a session that
    may define recalls (ui/access.py)."""
    try:
        with data.store() as con:
            connectors = store_ledger.group_connectors(con, group_id)
            if RECALL_CONNECTOR in connectors and not access.may_define_recalls():
                return f"Cannot undo: upload {group_id} loaded a recall definition; only admins may undo it."
            results: list[UndoResult] = undo_group(con, group_id, by)
    except UndoError as e:
        return f"Cannot undo: {e}"
    deleted = sum(sum(r.deleted.values()) for r in results)
    restored = sum(sum(r.restored.values()) for r in results)
    quarantine = sum(r.quarantine_deleted for r in results)
    what = (
        f"ingest #{results[0].ingest_id} ({results[0].file_name})"
        if len(results) == 1
        else f"upload #{group_id} ({results[-1].file_name.split('/', 1)[0]}, {len(results)} files)"
    )
    return (
        f"Undid {what}: {deleted:,} rows removed, {restored:,} earlier versions restored, "
        f"{quarantine:,} quarantine entries removed."
    )
