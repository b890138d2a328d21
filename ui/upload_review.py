"""Upload page: each staged file in a box, with the column-mapping editor for a file no connector
recognises. Mappings are saved by name in the store (store/mappings.py) and are the same ones
``python -m connectors ingest --mapping NAME`` uses; the editor guesses each canonical column from
header names (case, spaces, underscores and hyphens alike)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import streamlit as st

from connectors.base import SourceFile, norm_header
from connectors.load import Failure
from store.mappings import MappingError, get_mapping, list_mappings, save_mapping, validate_spec
from store.schema import TABLES
from ui import data
from ui.text import md
from ui.upload import (
    REPORTS_KEY,
    chosen_date_format,
    date_choice,
    date_key,
    detection,
    load_files,
    preview,
    show_file,
    show_preview,
    shown_text,
    signed_in_user,
)

NONE = "(none)"


def saved_mappings() -> list[dict[str, Any]]:
    """Every saved mapping (the same ones ``python -m connectors ingest --mapping NAME`` uses)."""
    return data.read(data.ledger_version(), list_mappings)


def mappable(f: SourceFile | Failure) -> bool:
    """A file no connector recognises that has a header row (so its columns can be mapped)."""
    if isinstance(f, Failure) or detection(f)[0] is not None or f.suffix == ".toml":
        return False
    return bool(f.header())


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
        st.json(spec, expanded=False)
        return spec
    headers = f.header()
    table = st.selectbox("Canonical table", ["contacts", "csat", "notifications", "affected"], key=f"upload_map_t_{i}")
    spec: dict[str, Any] = {"table": table, "columns": {}, "constants": {}}
    cols = st.columns(3)
    by_loose = {_loose(h): h for h in reversed(headers)}  # the first header wins
    shown = [c for c in TABLES[table].columns if c.name != "customer_phone"]
    for n, c in enumerate(shown):
        options = [NONE, *headers]
        guess = next((by_loose[k] for k in _aliases(c.name) if k in by_loose), None)
        label = f"{c.name}{' *' if c.required and c.name != 'recall_id' else ''}"
        chosen = cols[n % 3].selectbox(
            label,
            options,
            index=options.index(guess) if guess else 0,
            key=f"upload_map_{i}_{table}_{c.name}",
            help=c.doc,
        )
        if chosen != NONE:
            spec["columns"][c.name] = chosen
    if chosen_date_format(date_key(i)):  # the day/month order asked below the preview: saved with it
        spec["date_format"] = chosen_date_format(date_key(i))
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


def _loose(name: str) -> str:
    """Header comparison for guesses: norm_header without separators (``E-Mail`` → ``email``)."""
    return norm_header(name).replace("_", "")


def _aliases(column: str) -> list[str]:
    """A canonical column's guessable header spellings: ``customer_email`` → customeremail, email."""
    short = column.removeprefix("customer_").removesuffix("_raw")
    return list(dict.fromkeys([_loose(column), _loose(short)]))


def show_mapped_file(i: int, f: SourceFile, recall_id: str | None, tz: str | None, names: list[str]) -> dict | None:
    """Mapping editor, the preview with that mapping and, for a saved mapping, "Load with mapping
    NAME"; the spec the page's Load button uses for this file, or None."""
    spec = mapping_editor(i, f, names)
    if spec is None:
        return None
    p = preview(f, recall_id, tz, spec, chosen_date_format(date_key(i)))
    if isinstance(p, str):
        st.error(md(shown_text(p)), icon="🚫")
        return None
    date_choice(date_key(i), p)
    show_preview(f"upload_map_preview_{i}", p)
    name = st.session_state.get(f"upload_map_pick_{i}")
    if name and st.button(f"Load {md(f.name)} with mapping {md(name)}", key=f"upload_map_load_{i}"):
        st.session_state[REPORTS_KEY] = load_files(
            [(f, spec, chosen_date_format(date_key(i)))], recall_id, tz, signed_in_user()
        )
    return spec


def review(files: list[SourceFile | Failure], recall_id: str | None, tz: str | None) -> list[tuple]:
    """Each staged file in a box: connector and reason or refusal, preview (with the day/month
    question for dates the values cannot decide), and for a file no connector recognises the
    column-mapping editor. Returns (file, mapping or None, date format or None) for the Load
    button: every file (refused ones are reported as not loaded), with its mapping when one is set."""
    names = [m["name"] for m in saved_mappings()]
    out: list[tuple] = []
    for i, f in enumerate(files):
        with st.container(border=True):
            spec = None
            if not show_file(i, f, recall_id, tz) and mappable(f):
                with st.expander("Map its columns to a canonical table", expanded=bool(names)):
                    spec = show_mapped_file(i, f, recall_id, tz, names)
            out.append((f, spec, chosen_date_format(date_key(i))))
    return out


def show_mappings(names: list[dict[str, Any]]) -> None:
    """The saved mappings, by name."""
    if not names:
        st.caption("No column mapping saved yet. A file no connector recognises can be mapped above.")
        return
    st.dataframe(
        pl.DataFrame(
            [
                {"name": m["name"], "table": m["table"], "columns": json.dumps(m["spec"].get("columns", {}))}
                for m in names
            ]
        ),
        key="upload_mappings",
        hide_index=True,
    )
