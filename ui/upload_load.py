"""Upload page: load the staged files and report what the load did — per file, in words, and as
the change it made to the Overview ("Overview › Contacts +1,508: 4,147 → 5,655", store/reconcile.py).

A file loaded from this session's staging is remembered (:data:`LOADED_KEY`: staged path and
digest → ingest id) so the review marks it "already loaded as #N" and the next Load skips it; a file
whose bytes the store already holds from any session or command is marked and skipped the same way.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from alerts.scheduler import after_load
from connectors.base import SourceFile, Unreadable, file_sha256
from connectors.load import Failure, LedgerGroups, ingest_file
from connectors.longlines import digest_path
from metrics.catalog import CATALOG
from store.db import STORE_IO_ERRORS, StoreError
from store.ledger import loaded_before
from store.reconcile import overview_contacts
from ui import access, data
from ui.export import download_buttons
from ui.text import md
from ui.upload import shown_text
from ui.upload_preview import masked_rejects, show_quarantine

LOADED_KEY = "upload_loaded"  # staged file key → ingest id, for this session
DIGEST_KEY = "upload_digests"  # staged file key → SHA-256 of its bytes (hashed once per session)
CHANGE_KEY = "upload_change"  # recall → (Overview contacts before, after) of the last load


def staged_key(f: SourceFile) -> str:
    """What identifies a staged file across reruns: its path on disk and size and mtime."""
    stat = f.path.stat()
    return f"{f.path}:{stat.st_size}:{stat.st_mtime_ns}"


def loaded_as(f: SourceFile | Failure) -> int | None:
    """The ingest id this session loaded staged file ``f`` as, or None."""
    if isinstance(f, Failure):
        return None
    try:
        return st.session_state.get(LOADED_KEY, {}).get(staged_key(f))
    except OSError:
        return None


def already_loaded(f: SourceFile | Failure) -> str | None:
    """Why staged file ``f`` is not loaded again, or None: this session loaded it ("already loaded
    as #6"), or the store holds a load of the same bytes that was not undone, by anyone (the ledger's
    SHA-256, store/ledger.py loaded_before) — loading it again would change nothing."""
    if (done := loaded_as(f)) is not None:
        return f"already loaded as #{done}"
    if isinstance(f, Failure):
        return None
    try:
        digests = st.session_state.setdefault(DIGEST_KEY, {})
        key = staged_key(f)
        if key not in digests:
            digests[key] = file_sha256(digest_path(f))
        with data.store() as con:
            prior = loaded_before(con, digests[key])
    except (OSError, StoreError):  # unreadable, or the store busy: the load itself will say
        return None
    if prior is None:
        return None
    ingest_id, at, by = prior
    who = f" by {shown_text(by)}" if by else ""
    return f"already in the store as #{ingest_id} (the same bytes, loaded {at:%d %b %H:%M} UTC{who})"


def load_files(files: list[tuple], recall_id: str | None, tz: str | None, by: str) -> list[dict[str, Any]]:
    """Ingest each (file, mapping or None[, date format or None]); one report dict per file
    (refusals included). Remembers each loaded file (:func:`loaded_as`) and the Overview's
    contacts per recall before and after (:data:`CHANGE_KEY`)."""
    reports: list[dict[str, Any]] = []
    recalls_allowed = access.may_define_recalls()
    groups = LedgerGroups()  # the files of one archive: one ledger group, one undo
    loaded = st.session_state.setdefault(LOADED_KEY, {})
    with data.store() as con:
        before = overview_contacts(con)
        for f, mapping, *rest in files:
            if isinstance(f, Failure):
                reports.append({"file": f.file_name, "error": f.message})
                continue
            try:
                key = staged_key(f)
                r = ingest_file(
                    con,
                    f,
                    recall_id,
                    tz,
                    by,
                    mapping=mapping,
                    date_format=rest[0] if rest else None,
                    recalls_allowed=recalls_allowed,
                    group_id=groups.of(f),
                )
                groups.noted(f, r)
            except Unreadable as e:
                reports.append({"file": f.name, "error": str(e)})
                continue
            except STORE_IO_ERRORS as e:  # a full disk or a store gone read-only: this file rolled back
                why = str(e).splitlines()[0]
                reports.append(
                    {"file": f.name, "error": f"{f.name}: the store could not be written ({why}); rolled back"}
                )
                break
            loaded[key] = r.ingest_id
            rejects = r.rejects if r.rejects is not None else pl.DataFrame()
            reports.append(
                {
                    "file": r.file_name,
                    "ingest_id": r.ingest_id,
                    "connector": r.connector,
                    "read": r.read,
                    "inserted": r.inserted,
                    "updated": r.updated,
                    "unchanged": r.unchanged,
                    "quarantined": r.quarantined,
                    "warnings": list(r.warnings),
                    "rejects": rejects,  # masked when shown (show_reports)
                }
            )
        if any("error" not in r for r in reports):
            after_load(con)  # the alert rules see the new data at once (docs/alerts.md#evaluation)
        after = overview_contacts(con)
    st.session_state[CHANGE_KEY] = {
        rid: (before.get(rid, 0), after.get(rid, 0))
        for rid in sorted(set(before) | set(after))
        if before.get(rid, 0) != after.get(rid, 0)
    }
    return reports


def in_words(r: dict[str, Any]) -> str:
    """What a file's load did, in words: read, new, replaced, already stored, quarantined."""
    parts = [
        f"{r['read']:,} input rows read",
        f"{r['inserted']:,} new {'row' if r['inserted'] == 1 else 'rows'} stored",
        f"{r['updated']:,} replaced an older version of the same record (the old one kept for undo)",
        f"{r['unchanged']:,} were already stored exactly so and counted once",
        f"{r['quarantined']:,} quarantined (not loaded; reasons below)",
    ]
    return f"#{r['ingest_id']} {r['file']}: " + "; ".join(parts) + "."


def change_line(recall_id: str, before: int, after: int) -> str:
    """ "Contacts +1,508: 4,147 → 5,655" for one recall's Overview."""
    return f"{CATALOG['contacts'].label} {after - before:+,}: {before:,} → {after:,}"


def show_reports(reports: list[dict[str, Any]] | None) -> None:
    """The load report: the change to the Overview (linked), each file's counts in words and as a
    table, refusals, warnings, quarantined rows grouped by reason (viewable, downloadable)."""
    if not reports:
        return
    st.subheader("Load report")
    counts = ["ingest_id", "connector", "read", "inserted", "updated", "unchanged", "quarantined"]
    loaded = [r for r in reports if "error" not in r]
    show_pii = access.show_pii()
    if loaded:
        st.success(f"Loaded {len(loaded)} of {len(reports)} file(s).")
        change = st.session_state.get(CHANGE_KEY) or {}
        for recall_id, (before, after) in change.items():
            st.page_link(
                "pages/overview.py",
                label=f"Overview › {recall_id} › {change_line(recall_id, before, after)}",
                icon="📊",
                query_params={"recall": recall_id},
            )
        if not change:
            st.caption("The Overview's contacts did not change (no inbound contact was added or removed).")
        for r in loaded:
            st.markdown(md(in_words(r)))
        table = pl.DataFrame([{"file": r["file"], **{c: r[c] for c in counts}} for r in loaded])
        st.dataframe(table, key="upload_report", hide_index=True, placeholder="—")
    for r in reports:
        if "error" in r:
            st.error(f"Not loaded: {md(shown_text(r['error'], show_pii))}", icon="🚫")
    for i, r in enumerate(loaded):
        for w in r["warnings"]:
            st.warning(f"{md(r['file'])}: {md(shown_text(w, show_pii))}")
        if r["rejects"].height:
            with st.expander(f"{md(r['file'])}: {r['rejects'].height:,} quarantine entries", expanded=True):
                rows = masked_rejects(r["rejects"], show_pii)
                show_quarantine(f"upload_report_rejects_{i}", rows)
                download_buttons(rows, f"quarantine_{r['ingest_id']}", f"upload_report_dl_{i}", show_pii)
