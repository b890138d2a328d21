"""The Upload page's pieces: stage uploaded bytes, detect and preview, load, report.

The per-file review with its column-mapping editor is ui/upload_review.py; the ingest history and
undo are ui/upload_history.py.

Rules:
- Files are read from disk, under their original base names (a name cannot escape its folder;
  two uploads with one name get their own sub-folders): where the chooser of ui/disk_chooser.py
  wrote them; Streamlit's uploader's files written once each to a session folder
  (:func:`widget_paths`); and ``(name, bytes)`` pairs seeded in ``st.session_state["upload_seed"]``
  (:func:`seeded_files`: tests, since AppTest cannot drive a file uploader, and scripts), written
  to a temporary folder for the run. All are expanded with :func:`connectors.load.expand` (zip
  members and ``.gz`` files unpacked).
- A preview runs the connector's ``read()`` with the chosen recall and zone and writes nothing:
  it shows the canonical rows as they will be stored and how many input rows would be quarantined
  (counted as the store counts them: rejected rows that load no row).
- Personal data (emails, phones) is masked in previews, reports and downloads unless the session
  is an admin's (README.md#sign-in-roles-and-privacy, ui/access.py); a quarantined raw value is masked if its column is
  personal. Masking happens when shown: cached previews and session reports hold the raw rows.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import streamlit as st

from alerts.scheduler import after_load
from connectors import mapped
from connectors.base import SourceFile, Unreadable, file_sha256
from connectors.batches import Summary, summarize
from connectors.load import Failure, context, detect, expand, ingest_file
from ui import access, data
from ui.disk_upload import base_name
from ui.export import download_buttons, mask_email, mask_phone, masked

FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "json", "ndjson", "jsonl", "toml", "gz", "zip"]
SEED_KEY = "upload_seed"
WIDGET_DIR_KEY = "upload_widget_dir"
REPORTS_KEY = "upload_reports"
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
        root = st.session_state[WIDGET_DIR_KEY] = tempfile.mkdtemp(prefix="recall-ops-widget-")
    root = Path(root)
    keep = {f.file_id for f in widget_files}
    for old in root.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    paths = []
    for f in widget_files:
        path = root / f.file_id / base_name(f.name)
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


@contextmanager
def staged(
    pairs: list[tuple[str, bytes | memoryview]], on_disk: Sequence[Path] = ()
) -> Iterator[list[SourceFile | Failure]]:
    """Write ``pairs`` to a temporary folder under their base names and expand them, with the files
    already ``on_disk`` (zips, gz)."""
    with tempfile.TemporaryDirectory(prefix="recall-ops-upload-") as tmp:
        paths: list[Path] = list(on_disk)
        for i, (name, content) in enumerate(pairs):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / base_name(name)
            path.write_bytes(content)
            paths.append(path)
        with expand(paths) as files:
            yield files


# --- detection and preview ----------------------------------------------------------------------


@dataclass
class Preview(Summary):
    """What loading a file would store: the primary table's first rows and counts, and the zone
    offset-less times are read in (unmasked: mask when shown)."""

    zone: str = "UTC"


def detection(f: SourceFile) -> tuple[ModuleType | None, str]:
    """(connector, reason) or (None, the clear refusal message)."""
    try:
        return detect(f)
    except Unreadable as e:
        return None, str(e)


def preview(f: SourceFile, recall_id: str | None, tz: str | None, mapping: dict | None = None) -> Preview | str:
    """Read ``f`` as it would be loaded, without writing; the refusal message when it cannot be read."""
    stat = f.path.stat()
    digest = _sha256(str(f.path), stat.st_size, stat.st_mtime_ns)
    spec = json.dumps(mapping, sort_keys=True) if mapping is not None else None
    return _preview(f.name, digest, recall_id, tz, spec, data.ledger_version(), f.path)


@st.cache_data(show_spinner=False, max_entries=256)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """The file's digest, hashed once per (path, size, mtime): a file staged on disk is not read
    through again on every rerun of the page."""
    return file_sha256(Path(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _preview(
    name: str, digest: str, recall_id: str | None, tz: str | None, spec: str | None, version: tuple, _path: Path
) -> Preview | str:
    f = SourceFile(name, _path)
    mapping = json.loads(spec) if spec is not None else None
    try:
        with data.store() as con:
            if mapping is not None and f.suffix != ".toml":
                ctx = context(con, recall_id, tz or mapping.get("timezone"))
                summary = summarize(lambda: mapped.read(f, ctx, mapping), PREVIEW_ROWS)
            else:
                module, _ = detect(f)
                ctx = context(con, recall_id, tz)
                summary = summarize(lambda: module.read(f, ctx), PREVIEW_ROWS)
    except Unreadable as e:
        return str(e)
    return Preview(**vars(summary), zone=ctx.tz)


def masked_rejects(rejects: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Quarantine rows (source_row, column_name, reason, raw) with personal raw values masked: a
    column named like an email (``email``, ``e-mail``) or a phone (``phone``, ``mobile``, ``tel``…),
    canonical or as written in a vendor's export. Unchanged when ``show_pii`` (admins)."""
    if rejects.height == 0 or show_pii:
        return rejects
    col = pl.col("column_name").fill_null("").str.to_lowercase()
    email = col.str.contains(r"e-?mail")
    phone = col.str.contains(r"phone|mobile|tel|whatsapp|sms|msisdn")
    raw = pl.col("raw")
    return rejects.with_columns(
        pl.when(email & raw.str.contains("@"))
        .then(mask_email(raw))
        .when(email)
        .then(raw.str.head(1) + "***")  # not an address: keep only its first character
        .when(phone)
        .then(mask_phone(raw))
        .otherwise(raw)
        .alias("raw")
    )


def show_file(i: int, f: SourceFile | Failure, recall_id: str | None, tz: str | None) -> bool:
    """One staged file: connector and reason (or refusal), and the preview. True when loadable."""
    if isinstance(f, Failure):
        st.error(f.message, icon="🚫")
        return False
    module, reason = detection(f)
    if module is None:
        st.error(reason, icon="🚫")
        return False
    st.markdown(f"**{f.name}** → connector `{module.NAME}` — {reason}")
    p = preview(f, recall_id, tz)
    if isinstance(p, str):
        st.error(p, icon="🚫")
        return False
    show_preview(f"upload_preview_{i}", p)
    return True


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
        st.warning(w)
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
    """The signed-in user's email, else ``analyst``."""
    try:
        email = st.user.get("email") if getattr(st.user, "is_logged_in", False) else None
    except Exception:  # no identity provider configured
        email = None
    return str(email) if email else "analyst"


# --- load and report ----------------------------------------------------------------------------


def load_files(
    files: list[tuple[SourceFile | Failure, dict | None]], recall_id: str | None, tz: str | None, by: str
) -> list[dict[str, Any]]:
    """Ingest each (file, mapping or None); one report dict per file (refusals included)."""
    reports: list[dict[str, Any]] = []
    with data.store() as con:
        for f, mapping in files:
            if isinstance(f, Failure):
                reports.append({"file": f.file_name, "error": f.message})
                continue
            try:
                r = ingest_file(con, f, recall_id, tz, by, mapping=mapping)
            except Unreadable as e:
                reports.append({"file": f.name, "error": str(e)})
                continue
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
            st.error(f"Not loaded: {r['error']}", icon="🚫")
    for i, r in enumerate(loaded):
        for w in r["warnings"]:
            st.warning(f"{r['file']}: {w}")
        if r["rejects"].height:
            with st.expander(f"{r['file']}: {r['rejects'].height:,} quarantine entries", expanded=True):
                rows = masked_rejects(r["rejects"], show_pii)
                st.dataframe(rows, key=f"upload_report_rejects_{i}", hide_index=True)
                download_buttons(rows, f"quarantine_{r['ingest_id']}", f"upload_report_dl_{i}", show_pii)
