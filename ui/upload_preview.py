"""Upload page: detect and preview a staged file — what loading it would store, which recall its
rows will belong to and why, and what would be quarantined (grouped by reason).

A preview runs the connector's ``read()`` with the chosen recall and zone and writes nothing: it
shows the canonical rows as they will be stored (``recall_id`` as the store will assign it:
connectors/assignment.py) and how many input rows would be quarantined (counted as the store
counts them: rejected rows that load no row). Personal data is masked when shown, unless the
session is an admin's (ui/access.py); cached previews hold the raw rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import duckdb
import polars as pl
import streamlit as st

from connectors import assignment
from connectors.base import Parsed, SourceFile, Unreadable, file_sha256, too_deep
from connectors.batches import Summary, summarize
from connectors.load import RECALL_CONNECTOR, Failure, detect, reader, refused_recall
from connectors.longlines import quarantine_cut_rows
from connectors.reading import read_file
from connectors.redact import quarantine_reasons, quarantine_view
from ui import access, data
from ui.export import masked
from ui.text import md
from ui.upload import shown_text

PREVIEW_ROWS = 5
DATE_LABELS = {None: "Month first (the default)", "month_first": "Month first", "day_first": "Day first"}


@dataclass
class Preview(Summary):
    """What loading a file would store: the primary table's first rows (``recall_id`` as it will
    be assigned) and counts, the rows per (recall, reason) (connectors/assignment.py), the zone
    offset-less times are read in (unmasked: mask when shown), and the date columns whose
    day/month order the values cannot decide (column → an example)."""

    zone: str = "UTC"
    ambiguous_dates: dict[str, str] = field(default_factory=dict)
    recalls: Counter = field(default_factory=Counter)


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


def _tallied(parsed: Parsed | Iterator[Parsed], con: duckdb.DuckDBPyConnection, counts: Counter):
    """``parsed`` passed through, each part's primary rows counted by recall and reason into ``counts``."""

    def count(part: Parsed) -> Parsed:
        frame = part.tables.get(part.primary)
        if frame is not None:
            counts.update(assignment.tally(con, frame, part.primary))
        return part

    if isinstance(parsed, Parsed):
        return count(parsed)
    return (count(p) for p in parsed)


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
    counts: Counter = Counter()
    try:
        with data.store() as con:
            module, ctx = reader(con, f, recall_id, tz, mapping, date_format)

            def read() -> Parsed | Iterator[Parsed]:
                counts.clear()  # a batched read that must be read again whole counts again
                return _tallied(quarantine_cut_rows(read_file(module, f, ctx, mapping, con), f), con, counts)

            summary = summarize(read, PREVIEW_ROWS)
            head = summary.head
            if "recall_id" in head.columns and summary.primary in ("contacts", "notifications"):
                shown = assignment.assigned(con, head, summary.primary)
                head = head.with_columns(shown).select("recall_id", pl.exclude("recall_id"))
    except Unreadable as e:
        return str(e)
    except RecursionError:
        return str(too_deep(name))
    summary.head = head
    return Preview(**vars(summary), zone=ctx.tz, ambiguous_dates=dict(ctx.findings.ambiguous_dates), recalls=counts)


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


def date_key(i: int) -> str:
    """The session key of the day/month choice for staged file ``i``."""
    return f"upload_date_format_{i}"


def masked_rejects(rejects: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Quarantine rows as shown and downloaded: row, the record's own id, column, reason, the
    failing field's value in clear and the raw input, with personal values (emails, phones,
    names, free-text bodies) masked by field and by pattern unless ``show_pii`` (admins;
    connectors/redact.py)."""
    return quarantine_view(rejects, show_pii)


def show_quarantine(key: str, rows: pl.DataFrame) -> None:
    """Quarantine rows (already masked): grouped by reason with counts, then every entry."""
    st.dataframe(
        quarantine_reasons(rows).rename({"column_name": "column", "rows": "first rows"}),
        key=f"{key}_reasons",
        hide_index=True,
    )
    st.dataframe(rows, key=key, hide_index=True)


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


def show_preview(key: str, p: Preview) -> None:
    """Counts, the recall each row will belong to and why, and the first canonical rows."""
    show_pii = access.show_pii()
    st.caption(
        f"{p.rows_read:,} input rows → table `{p.primary}`: {p.rows_loaded:,} rows to store, "
        f"{p.would_quarantine:,} would be quarantined · times without an offset read in {p.zone} · "
        f"first {min(PREVIEW_ROWS, p.rows_loaded)} rows as they will be stored"
        + ("" if show_pii else " (personal data masked)")
        + ":"
    )
    if p.primary in ("contacts", "notifications"):
        text = assignment.sentence(p.recalls, p.rows_loaded)
        (st.warning if p.recalls.get((None, "")) else st.info)(f"**Recall:** {md(text)}", icon="🧭")
    for w in p.warnings:
        st.warning(md(shown_text(w, show_pii)))
    st.dataframe(masked(p.head, show_pii), key=key, hide_index=True)
    if p.rejects.height:
        with st.expander(f"{p.rejects.height:,} quarantine entries"):
            show_quarantine(f"{key}_rejects", masked_rejects(p.rejects, show_pii))
