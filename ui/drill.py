"""Click-through: the contacts behind a tile or a chart's bar (metrics/drill.py), as a table with the
masking rules of every table (ui/export.py) and downloads.

A bar carries ``customdata = [local day, channel]`` (ui/charts: ``channel_volume``); selecting it
(Streamlit's ``on_select``) yields the point that :func:`picked_bar` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import streamlit as st

from metrics.catalog import CATALOG
from metrics.drill import BEHIND, MAX_ROWS, contacts_behind
from metrics.scope import PHASE_LABELS
from ui import access, tables
from ui.export import download_buttons
from ui.filters import View


def picked_bar(event: Mapping[str, Any] | None) -> tuple[date, str] | None:
    """(local day, channel) of the first bar selected in a chart event, None when none (or not one
    of ours: a point without our ``customdata``)."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and len(custom) == 2:
            try:
                return date.fromisoformat(str(custom[0])[:10]), str(custom[1])
            except ValueError:
                continue
    return None


def contacts_table(
    view: View, metric_id: str, phase: str, key: str, day: date | None = None, channel: str | None = None
) -> None:
    """The contacts behind ``metric_id`` in the bucket: a caption saying which and how many, the
    masked table (newest first, at most MAX_ROWS) and CSV/Excel downloads of the same rows."""
    result = view.read(contacts_behind, view.scope, metric_id, phase, day, channel)
    rows, total = result["rows"], result["total"]
    if rows["outcome"].null_count() == rows.height:
        rows = rows.drop("outcome")  # a count's contacts: nothing to say about each
    where = " · ".join(x for x in (PHASE_LABELS[phase], day.isoformat() if day else "", channel or "") if x)
    show_pii = access.show_pii()
    st.caption(
        f"{total:,} contacts behind {CATALOG[metric_id].label} · {where}"
        + (f" (the newest {MAX_ROWS:,} listed)" if total > MAX_ROWS else "")
        + ("" if show_pii else " · emails and phones masked")
    )
    shown = tables.plain_labels(rows)
    tables.show(rows, f"{key}_rows", shown, show_pii)
    download_buttons(rows, f"contacts_{metric_id}_{phase}", key, show_pii, shown.headers)


def tile_picker(view: View, phase: str, metric_ids: list[str], key: str) -> None:
    """A choice of the tiles with contacts behind them, and that tile's contacts."""
    offered = [m for m in metric_ids if m in BEHIND]
    picked = st.segmented_control(
        "Contacts behind", offered, key=f"{key}_metric", format_func=lambda m: CATALOG[m].label
    )
    if picked:
        contacts_table(view, picked, phase, key)
