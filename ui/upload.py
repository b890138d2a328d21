"""The Upload page's pieces: stage uploaded bytes, detect and preview, load, report.

The per-file review with its column-mapping editor is ui/upload_review.py; the ingest history and
undo are ui/upload_history.py.

Rules:
- Files are read from disk, under their original base names (a name cannot escape its folder;
  two uploads with one name get their own sub-folders): where the chooser of ui/disk_chooser.py
  wrote them; Streamlit's uploader's files written once each to a session folder
  (:func:`widget_paths`); and ``(name, bytes)`` pairs seeded in ``st.session_state["upload_seed"]``
  (:func:`seeded_files`: tests, since AppTest cannot drive a file uploader, and scripts). All are
  unpacked once per set of files (:func:`unpacked`: zip members and ``.gz`` files, within
  :data:`UPLOAD_LIMITS`), not on every rerun of the page.
- A preview runs the connector's ``read()`` with the chosen recall and zone and writes nothing:
  it shows the canonical rows as they will be stored and how many input rows would be quarantined
  (counted as the store counts them: rejected rows that load no row).
- Personal data (emails, phones, names, free-text bodies) is masked in previews, refusal
  messages, warnings, reports and downloads unless the session is an admin's
  (README.md#sign-in-roles-and-privacy, ui/access.py): by column and by pattern inside any text
  (connectors/redact.py). A quarantine row shows the
  record's own id and the failing field's value in clear (masked only when personal). Masking
  happens when shown: cached previews and session reports hold the raw rows.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from alerts.scheduler import after_load
from connectors.archives import ArchiveLimits
from connectors.base import SourceFile, Unreadable, file_sha256, too_deep
from connectors.batches import Summary, summarize
from connectors.load import (
    RECALL_CONNECTOR,
    Failure,
    LedgerGroups,
    detect,
    expand_into,
    ingest_file,
    reader,
    refused_recall,
)
from connectors.longlines import quarantine_cut_rows
from connectors.reading import read_file
from connectors.redact import mask_text, quarantine_view
from store.db import STORE_IO_ERRORS
from ui import access, data, staging
from ui.disk_upload import checked_name
from ui.export import download_buttons, masked
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


# --- detection and preview ----------------------------------------------------------------------


@dataclass
class Preview(Summary):
    """What loading a file would store: the primary table's first rows and counts, the zone
    offset-less times are read in (unmasked: mask when shown), and the date columns whose
    day/month order the values cannot decide (column → an example)."""

    zone: str = "UTC"
    ambiguous_dates: dict[str, str] = field(default_factory=dict)


def detection(f: SourceFile) -> tuple[ModuleType | None, str]:
    """(connector, reason) or (None, the clear refusal message)."""
    try:
        return detect(f)
    except Unreadable as e:
        return None, str(e)


def preview(
    f: SourceFile, recall_id: str | None, tz: str | None, mapping: dict | None = None, date_format: str | None = None
) -> Preview | str:
    """Read ``f`` as it would be loaded, without writing; the refusal message when it cannot be read."""
    stat = f.path.stat()
    digest = _sha256(str(f.path), stat.st_size, stat.st_mtime_ns)
    spec = json.dumps(mapping, sort_keys=True) if mapping is not None else None
    return _preview(f.name, digest, recall_id, tz, spec, data.ledger_version(), f, date_format)


@st.cache_data(show_spinner=False, max_entries=256)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """The file's digest, hashed once per (path, size, mtime): a file staged on disk is not read
    through again on every rerun of the page."""
    return file_sha256(Path(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _preview(
    name: str,
    digest: str,
    recall_id: str | None,
    tz: str | None,
    spec: str | None,
    version: tuple,
    _f: SourceFile,
    date_format: str | None = None,
) -> Preview | str:
    f = _f
    mapping = json.loads(spec) if spec is not None else None
    try:
        with data.store() as con:
            module, ctx = reader(con, f, recall_id, tz, mapping, date_format)
            summary = summarize(lambda: quarantine_cut_rows(read_file(module, f, ctx, mapping, con), f), PREVIEW_ROWS)
    except Unreadable as e:
        return str(e)
    except RecursionError:
        return str(too_deep(name))
    return Preview(**vars(summary), zone=ctx.tz, ambiguous_dates=dict(ctx.findings.ambiguous_dates))


DATE_LABELS = {None: "Month first (the default)", "month_first": "Month first", "day_first": "Day first"}


def date_choice(key: str, p: Preview) -> None:
    """Ask, for a file whose dates the values cannot decide, which order they are written in (the
    choice, under ``key``, is read before the preview is made: :func:`chosen_date_format`)."""
    if not p.ambiguous_dates:
        return
    column, example = next(iter(sorted(p.ambiguous_dates.items())))
    columns = ", ".join(sorted(p.ambiguous_dates))
    st.radio(
        f"Dates such as {example!r} ({columns}): no day above 12, so the file cannot tell. They are written",
        [None, "month_first", "day_first"],
        key=key,
        format_func=DATE_LABELS.get,
        horizontal=True,
        help="Month first: 03/04 is 4 March (US exports). Day first: 03/04 is 3 April. Saved with a column mapping.",
    )


def chosen_date_format(key: str) -> str | None:
    return st.session_state.get(key)


def masked_rejects(rejects: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Quarantine rows as shown and downloaded: row, the record's own id, column, reason, the
    failing field's value in clear and the raw input, with personal values (emails, phones,
    names, free-text bodies) masked by field and by pattern unless ``show_pii`` (admins;
    connectors/redact.py)."""
    return quarantine_view(rejects, show_pii)


def shown_text(text: str, show_pii: bool | None = None) -> str:
    """A message (a refusal, a warning) as this session may see it: emails and phones masked by
    pattern unless it is an admin's."""
    show = access.show_pii() if show_pii is None else show_pii
    return text if show else mask_text(text)


def show_file(i: int, f: SourceFile | Failure, recall_id: str | None, tz: str | None) -> bool:
    """One staged file: connector and reason (or refusal), and the preview. True when loadable."""
    if isinstance(f, Failure):
        st.error(md(shown_text(f.message)), icon="🚫")
        return False
    module, reason = detection(f)
    if module is None:
        st.error(md(shown_text(reason)), icon="🚫")
        return False
    if module.NAME == RECALL_CONNECTOR and not access.may_define_recalls():
        st.error(md(refused_recall(f.name)), icon="🚫")
        return False
    st.markdown(f"**{md(f.name)}** → connector `{module.NAME}` — {md(reason)}")
    p = preview(f, recall_id, tz, date_format=chosen_date_format(date_key(i)))
    if isinstance(p, str):
        st.error(md(shown_text(p)), icon="🚫")
        return False
    date_choice(date_key(i), p)
    show_preview(f"upload_preview_{i}", p)
    return True


def date_key(i: int) -> str:
    """The session key of the day/month choice for staged file ``i``."""
    return f"upload_date_format_{i}"


def show_preview(key: str, p: Preview) -> None:
    """Counts and the first canonical rows of a preview."""
    show_pii = access.show_pii()
    st.caption(
        f"{p.rows_read:,} input rows → table `{p.primary}`: {p.rows_loaded:,} rows to store, "
        f"{p.would_quarantine:,} would be quarantined · times without an offset read in {p.zone} · "
        f"first {min(PREVIEW_ROWS, p.rows_loaded)} rows as they will be stored"
        + ("" if show_pii else " (personal data masked)")
        + ":"
    )
    for w in p.warnings:
        st.warning(md(shown_text(w, show_pii)))
    st.dataframe(masked(p.head, show_pii), key=key, hide_index=True)
    if p.rejects.height:
        with st.expander(f"{p.rejects.height:,} quarantine entries"):
            st.dataframe(masked_rejects(p.rejects, show_pii), key=f"{key}_rejects", hide_index=True)


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


# --- load and report ----------------------------------------------------------------------------


def load_files(files: list[tuple], recall_id: str | None, tz: str | None, by: str) -> list[dict[str, Any]]:
    """Ingest each (file, mapping or None[, date format or None]); one report dict per file
    (refusals included)."""
    reports: list[dict[str, Any]] = []
    recalls_allowed = access.may_define_recalls()
    groups = LedgerGroups()  # the files of one archive: one ledger group, one undo
    with data.store() as con:
        for f, mapping, *rest in files:
            if isinstance(f, Failure):
                reports.append({"file": f.file_name, "error": f.message})
                continue
            try:
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
    return reports


def show_reports(reports: list[dict[str, Any]] | None) -> None:
    """The load report: counts per file, refusals, warnings, quarantined rows (viewable, downloadable)."""
    if not reports:
        return
    st.subheader("Load report")
    counts = ["ingest_id", "connector", "read", "inserted", "updated", "unchanged", "quarantined"]
    loaded = [r for r in reports if "error" not in r]
    show_pii = access.show_pii()
    if loaded:
        st.success(f"Loaded {len(loaded)} of {len(reports)} file(s).")
        table = pl.DataFrame([{"file": r["file"], **{c: r[c] for c in counts}} for r in loaded])
        st.dataframe(table, key="upload_report", hide_index=True)
    for r in reports:
        if "error" in r:
            st.error(f"Not loaded: {md(shown_text(r['error'], show_pii))}", icon="🚫")
    for i, r in enumerate(loaded):
        for w in r["warnings"]:
            st.warning(f"{md(r['file'])}: {md(shown_text(w, show_pii))}")
        if r["rejects"].height:
            with st.expander(f"{md(r['file'])}: {r['rejects'].height:,} quarantine entries", expanded=True):
                rows = masked_rejects(r["rejects"], show_pii)
                st.dataframe(rows, key=f"upload_report_rejects_{i}", hide_index=True)
                download_buttons(rows, f"quarantine_{r['ingest_id']}", f"upload_report_dl_{i}", show_pii)
