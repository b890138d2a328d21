"""The Upload page's staging: uploaded bytes on disk, unpacked once; the recall and zone chosen.

The other pieces, by concern: the preview of a staged file (ui/upload_preview.py), the column
mapping of a file no connector knows (ui/upload_mapping.py), the staged files' review and the Load
button (ui/upload_review.py), loading and the load report (ui/upload_load.py), the ingest history
and undo (ui/upload_history.py).

Rules:
- Files are read from disk, under their original base names (a name cannot escape its folder;
  two uploads with one name get their own sub-folders): where the chooser of ui/disk_chooser.py
  wrote them; Streamlit's uploader's files written once each to a session folder
  (:func:`widget_paths`); and ``(name, bytes)`` pairs seeded in ``st.session_state["upload_seed"]``
  (:func:`seeded_files`: tests, since AppTest cannot drive a file uploader, and scripts). All are
  unpacked once per set of files (:func:`unpacked`: zip members and ``.gz`` files, within
  :data:`UPLOAD_LIMITS`), not on every rerun of the page.
- Personal data (emails, phones, names, free-text bodies) is masked in previews, refusal
  messages, warnings, reports and downloads unless the session is an admin's
  (README.md#sign-in-roles-and-privacy, ui/access.py): by column and by pattern inside any text
  (connectors/redact.py). A quarantine row shows the
  record's own id and the failing field's value in clear (masked only when personal). Masking
  happens when shown: cached previews and session reports hold the raw rows.
"""

from __future__ import annotations

import hashlib
import shutil
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from connectors.archives import ArchiveLimits
from connectors.base import SourceFile
from connectors.load import (
    Failure,
    expand_into,
)
from connectors.redact import mask_text
from ui import access, staging
from ui.disk_upload import checked_name
from ui.text import md

FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "json", "ndjson", "jsonl", "toml", "gz", "zip"]
SEED_KEY = "upload_seed"
WIDGET_DIR_KEY = "upload_widget_dir"
REPORTS_KEY = "upload_reports"
UNPACKED_KEY = "upload_unpacked"
# An upload unpacks in the dashboard's process and each member is previewed: far fewer members
# than the command line allows (connectors/archives.py); the byte and depth caps are the same.
UPLOAD_LIMITS = ArchiveLimits(max_members=200)
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
PREVIEW_ROWS = 5


# --- uploaded files -----------------------------------------------------------------------------


def widget_paths(widget_files: list | None) -> list[Path]:
    """Streamlit's uploader files, each written once (by its file id) to this session's folder
    under its base name; folders of files no longer in the uploader are deleted."""
    if not widget_files:
        widget_files = []
    root = st.session_state.get(WIDGET_DIR_KEY)
    if root is None or not Path(root).is_dir():
        if not widget_files:
            return []
        root = st.session_state[WIDGET_DIR_KEY] = str(staging.make("recall-ops-widget-", _session_id()))
    root = Path(root)
    keep = {f.file_id for f in widget_files} | {staging.OWNER}
    for old in root.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    paths = []
    for f in widget_files:
        try:
            path = root / f.file_id / checked_name(f.name)
        except ValueError as e:
            st.error(f"Not uploaded: {md(e)}. Rename the file and choose it again.", icon="🚫")
            continue
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            partial = path.with_name(".writing")
            partial.write_bytes(f.getbuffer())
            partial.rename(path)
        paths.append(path)
    return paths


def seeded_files() -> list[tuple[str, bytes]]:
    """The ``(name, bytes)`` pairs seeded in ``session_state["upload_seed"]`` (tests, scripts)."""
    return list(st.session_state.get(SEED_KEY) or [])


def unpacked(pairs: list[tuple[str, bytes | memoryview]], on_disk: Sequence[Path] = ()) -> list[SourceFile | Failure]:
    """The files to review and load: ``pairs`` written under their base names and the files
    already ``on_disk``, with zips and ``.gz`` files unpacked within :data:`UPLOAD_LIMITS`.

    Unpacked once per set of inputs (paths with size and mtime, seeded bytes by digest) into a
    session folder kept in session state, so a rerun of the page (every click) reuses the files
    instead of unpacking the archives again; a new set replaces the folder."""
    key = [(str(p), *_stamp(p)) for p in on_disk] + [(n, hashlib.sha256(bytes(c)).hexdigest()) for n, c in pairs]
    cached = st.session_state.get(UNPACKED_KEY)
    if cached is not None and cached[0] == key and Path(cached[1]).is_dir():
        return cached[2]
    if cached is not None:
        shutil.rmtree(cached[1], ignore_errors=True)
    folder = staging.make("recall-ops-unpacked-", _session_id())
    paths: list[Path] = list(on_disk)
    refused: list[SourceFile | Failure] = []
    for i, (name, content) in enumerate(pairs):
        try:
            base = checked_name(name)
        except ValueError as e:
            refused.append(Failure(str(name)[:80], f"Not uploaded: {e}"))
            continue
        sub = folder / f"seed{i}"
        sub.mkdir()
        path = sub / base
        path.write_bytes(content)
        paths.append(path)
    (folder / "unpacked").mkdir()
    files = refused + expand_into(paths, folder / "unpacked", UPLOAD_LIMITS)
    st.session_state[UNPACKED_KEY] = (key, str(folder), files)
    return files


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st_ = path.stat()
    except OSError:
        return (-1, -1)
    return (st_.st_size, st_.st_mtime_ns)


def shown_text(text: str, show_pii: bool | None = None) -> str:
    """A message (a refusal, a warning) as this session may see it: emails and phones masked by
    pattern unless it is an admin's."""
    show = access.show_pii() if show_pii is None else show_pii
    return text if show else mask_text(text)


# --- recall and zone ----------------------------------------------------------------------------


def recall_choice(recalls: pl.DataFrame) -> str | None:
    """The recall for files that name none; None = automatic (the only recall, or match rules)."""
    ids = recalls["recall_id"].to_list() if recalls.height else []
    auto = f"Automatic ({ids[0]}, the only recall)" if len(ids) == 1 else "Automatic (by the file and match rules)"
    return st.selectbox(
        "Recall for files that name none",
        [None, *ids],
        key="upload_recall",
        format_func=lambda r: auto if r is None else r,
        help="Contacts without a recall are otherwise assigned by the recalls' match rules.",
    )


def zone_choice(recalls: pl.DataFrame, recall_id: str | None) -> str | None:
    """The zone for times without an offset; None = the recall's zone (recorded in the ledger)."""
    zones = dict(zip(recalls["recall_id"].to_list(), recalls["timezone"].to_list(), strict=True))
    zone = zones.get(recall_id) if recall_id else (next(iter(zones.values())) if len(zones) == 1 else None)
    default = f"The recall's zone ({zone})" if zone else "The recall's zone (UTC until a recall is loaded)"
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))
    return st.selectbox(
        "Time zone of times without an offset",
        [None, *COMMON_ZONES, *others],
        key="upload_tz",
        format_func=lambda z: default if z is None else z,
    )


def signed_in_user() -> str:
    """Who loads or undoes (ui/access.py ``actor``): the signed-in user, or open mode."""
    return access.actor()
