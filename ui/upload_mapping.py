"""Upload page: the column-mapping editor for a file no connector recognises, and the saved
mappings as a readable list.

Mappings are saved by name in the store (store/mappings.py) and are the same ones ``python -m
connectors ingest --mapping NAME`` uses. The editor does half the work (connectors/suggest.py):
each canonical column is pre-filled with the source header suggested from header similarity and
the values; every source column shows three sample values; each mapped choice column (channel,
direction, status, …) lists its distinct values with the suggested choice ("E-mail → email") and
counts the rows whose value maps to none (conform() quarantines them at load).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from connectors.base import SourceFile, Unreadable
from connectors.load import Failure
from connectors.suggest import samples, suggest_columns, suggest_values, unmapped_rows
from connectors.textfile import read_table
from store.mappings import MappingError, describe, get_mapping, list_mappings, save_mapping, validate_spec
from store.schema import TABLES
from ui import data
from ui.text import md
from ui.upload import shown_text, signed_in_user
from ui.upload_preview import chosen_date_format, date_choice, date_key, detection, preview, show_preview

NONE = "(none)"
TABLE_CHOICES = ["contacts", "csat", "notifications", "affected"]
MAX_VALUES = 20  # distinct values of a choice column offered for mapping (most rows first)


def saved_mappings() -> list[dict[str, Any]]:
    """Every saved mapping (the same ones ``python -m connectors ingest --mapping NAME`` uses)."""
    return data.read(data.ledger_version(), list_mappings)


def mappable(f: SourceFile | Failure) -> bool:
    """A file no connector recognises that has a header row (so its columns can be mapped)."""
    if isinstance(f, Failure) or detection(f)[0] is not None or f.suffix == ".toml":
        return False
    return bool(f.header())


@st.cache_data(show_spinner=False, max_entries=16)
def _source(path: str, size: int, mtime_ns: int, name: str) -> pl.DataFrame | str:
    """The file read as all-text columns (the mapped connector's read), or why it cannot be."""
    try:
        frame, _warnings = read_table(SourceFile(name, Path(path)))
    except Unreadable as e:
        return str(e)
    return frame


def source_frame(f: SourceFile) -> pl.DataFrame | str:
    stat = f.path.stat()
    return _source(str(f.path), stat.st_size, stat.st_mtime_ns, f.name)


def mapping_editor(i: int, f: SourceFile, names: list[str]) -> dict | None:
    """Pick a saved mapping or build one for ``f`` (and save it by name); the spec to load with, or None."""
    st.markdown(f"**Map the columns of {md(f.name)}**")
    saved = st.session_state.pop(f"upload_map_saved_{i}", None)
    if saved:  # chosen after "Save mapping" (set before the selectbox exists in this run)
        st.session_state[f"upload_map_pick_{i}"] = saved
        st.success(f"Saved mapping {md(repr(saved))}; reuse it here or with the command line's `--mapping`.")
    pick = st.selectbox(
        "Mapping",
        [None, *names],
        key=f"upload_map_pick_{i}",
        format_func=lambda n: "New mapping…" if n is None else n,
    )
    if pick is not None:
        with data.store() as con:
            spec = get_mapping(con, pick)
        st.markdown(md_lines(spec))
        return spec
    frame = source_frame(f)
    if isinstance(frame, str):
        st.error(md(shown_text(frame)), icon="🚫")
        return None
    headers = [c for c in frame.columns if c != "source_row" and not c.startswith("_")]
    sample = samples(frame)
    table = st.selectbox("Canonical table", TABLE_CHOICES, key=f"upload_map_t_{i}")
    spec: dict[str, Any] = {"table": table, "columns": {}, "constants": {}, "values": {}}
    guesses = suggest_columns(table, headers, sample)
    st.caption(
        f"{len(guesses)} of {len(TABLES[table].columns) - 1} columns suggested from the headers and values; "
        "check them, pick the rest. Sample values: "
        + md(" · ".join(f"{h}: {', '.join(shown_text(v) for v in sample[h]) or '(empty)'}" for h in headers))
    )
    _columns(i, table, headers, sample, guesses, spec)
    _value_maps(i, table, frame, spec)
    if chosen_date_format(date_key(i)):  # the day/month order asked below the preview: saved with it
        spec["date_format"] = chosen_date_format(date_key(i))
    _constants(i, table, spec)
    if not spec["values"]:
        del spec["values"]
    try:
        spec = validate_spec(spec)
    except MappingError as e:
        st.warning(f"Mapping incomplete: {md(e)}")
        return None
    name = st.text_input("Save as", key=f"upload_map_name_{i}", placeholder="mapping name")
    if st.button("Save mapping", key=f"upload_map_save_{i}", disabled=not name.strip()):
        with data.store() as con:
            save_mapping(con, name, spec, signed_in_user())
        st.session_state[f"upload_map_saved_{i}"] = name.strip()
        st.rerun()
    return spec


def _label(header: str, sample: dict[str, list[str]]) -> str:
    values = ", ".join(shown_text(v) for v in sample.get(header, []))
    return f"{header} — e.g. {values}" if values else f"{header} — (empty)"


def _columns(
    i: int, table: str, headers: list[str], sample: dict[str, list[str]], guesses: dict[str, str], spec: dict
) -> None:
    """A selectbox per canonical column, pre-filled with the suggestion; the required and
    suggested ones first, the others in an expander."""
    shown = [c for c in TABLES[table].columns if c.name != "customer_phone"]
    first = [c for c in shown if c.name in guesses or (c.required and c.name != "recall_id")]
    rest = [c for c in shown if c not in first]
    options = [NONE, *headers]

    def box(slot, c) -> None:
        guess = guesses.get(c.name)
        label = f"{c.name}{' *' if c.required and c.name != 'recall_id' else ''}"
        chosen = slot.selectbox(
            label,
            options,
            index=options.index(guess) if guess else 0,
            key=f"upload_map_{i}_{table}_{c.name}",
            help=c.doc,
            format_func=lambda h: h if h == NONE else _label(h, sample),
        )
        if chosen != NONE:
            spec["columns"][c.name] = chosen

    cols = st.columns(3)
    for n, c in enumerate(first):
        box(cols[n % 3], c)
    with st.expander(f"{len(rest)} other columns (none suggested)"):
        more = st.columns(3)
        for n, c in enumerate(rest):
            box(more[n % 3], c)


def _value_maps(i: int, table: str, frame: pl.DataFrame, spec: dict) -> None:
    """For each mapped choice column: its values with the suggested choice, editable, and the
    rows left unmapped counted."""
    for c in TABLES[table].columns:
        header = spec["columns"].get(c.name)
        if not c.choices or header is None:
            continue
        suggested, rows = suggest_values(frame[header], c.choices)
        if not rows:
            continue
        values = list(suggested)[:MAX_VALUES]
        st.markdown(f"**Values of {md(header)} → {md(c.name)}**")
        cols = st.columns(4)
        final: dict[str, str | None] = {}
        for n, v in enumerate(values):
            options = [NONE, *c.choices]
            guess = suggested[v]
            choice = cols[n % 4].selectbox(
                f"{v} ({_rows(rows[v])})",
                options,
                index=options.index(guess) if guess else 0,
                key=f"upload_map_v_{i}_{c.name}_{n}",
            )
            final[v] = None if choice == NONE else choice
        for v in list(suggested)[MAX_VALUES:]:
            final[v] = suggested[v]
        unmapped = unmapped_rows(final, rows)
        pairs = ", ".join(f"{v} → {t}" for v, t in final.items() if t is not None and v != t)
        missing = [v for v, t in final.items() if t is None]
        st.caption(
            (f"Mapped: {md(pairs)}. " if pairs else "")
            + (
                f"{len(missing)} value(s) unmapped ({md(', '.join(missing[:5]))}): "
                f"{_rows(unmapped)} would be quarantined."
                if missing
                else "Every value maps to a choice."
            )
        )
        maps = {v: t for v, t in final.items() if t is not None and v != t}
        if maps:
            spec["values"][c.name] = maps


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def _constants(i: int, table: str, spec: dict) -> None:
    names_t = TABLES[table].names
    const = st.columns(3)
    if "source" in names_t and "source" not in spec["columns"]:
        source = const[0].text_input("Constant source", key=f"upload_map_source_{i}", placeholder="e.g. genesys_wfm")
        if source.strip():
            spec["constants"]["source"] = source.strip()
    for slot, name in ((const[1], "channel"), (const[2], "direction")):
        if name in names_t and name not in spec["columns"]:
            choice = slot.selectbox(
                f"Constant {name}", [NONE, *TABLES[table].column(name).choices], key=f"upload_map_{name}_{i}"
            )
            if choice != NONE:
                spec["constants"][name] = choice


def show_mapped_file(i: int, f: SourceFile, recall_id: str | None, tz: str | None, names: list[str]) -> dict | None:
    """Mapping editor and the preview with that mapping; the spec the page's Load button uses for
    this file, or None."""
    spec = mapping_editor(i, f, names)
    if spec is None:
        return None
    p = preview(f, recall_id, tz, spec, chosen_date_format(date_key(i)))
    if isinstance(p, str):
        st.error(md(shown_text(p)), icon="🚫")
        return None
    date_choice(date_key(i), p)
    show_preview(f"upload_map_preview_{i}", p)
    return spec


def md_lines(spec: dict[str, Any]) -> str:
    return "\n".join(f"- {md(line)}" for line in describe(spec))


def show_mappings(saved: list[dict[str, Any]]) -> None:
    """The saved mappings, by name, each as a readable list."""
    if not saved:
        st.caption("No column mapping saved yet. A file no connector recognises can be mapped above.")
        return
    for m in saved:
        with st.expander(f"{md(m['name'])} → {m['table']} ({len(m['spec'].get('columns', {}))} columns)"):
            st.markdown(md_lines(m["spec"]))
