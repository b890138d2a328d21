"""How every table of figures is shown and downloaded, from the metric catalog (metrics/catalog.py,
metrics/units.py): the one helper the pages use (:func:`labels`, then :func:`show`).

A page's tables keep the metric frames' column names (what tests and code refer to); what people
read is the catalog's:

- headers: a metric's value column its header ("Service level (20 s)"), its other columns the
  catalog's ``parts``, any other column its name in words ("affected_units" → "Affected units");
- numbers: rates as percentages to one decimal, times in seconds — in minutes when the column reaches 90 s, as
  the tiles do —, hours to one decimal, counts with thousands separators; phases by their names,
  days as dates, moments in UTC;
- downloads: the same headers over the stored values (seconds stay seconds: the header says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import streamlit as st

from metrics import Options
from metrics.catalog import CATALOG, headers
from metrics.scope import PHASE_LABELS
from metrics.units import COUNT, HOURS, PCT, SECONDS, Unit
from ui.export import download_buttons, masked

MINUTES_FROM_S = 90  # a seconds column reaching this is shown in minutes (metrics/units.py does the same)
WORDS = {"phase": "Phase", "day": "Day", "channel": "Channel", "n": "n"}
_PCT_NAMES = ("share", "rate", "ci_low", "ci_high")


@dataclass(frozen=True)
class Labels:
    """``headers``: column → header (downloads); ``config``: ``st.dataframe``'s column_config;
    ``minutes``: seconds columns shown in minutes."""

    headers: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    minutes: tuple[str, ...] = ()
    percents: tuple[str, ...] = ()

    def shown(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame as displayed: minutes columns ÷ 60, rates × 100, phase ids as their names."""
        out = frame.with_columns(
            *((pl.col(c) / 60).alias(c) for c in self.minutes if c in frame.columns),
            *((pl.col(c) * 100).alias(c) for c in self.percents if c in frame.columns),
        )
        if "phase" in out.columns and out.schema["phase"] == pl.String:
            out = out.with_columns(pl.col("phase").replace(PHASE_LABELS))
        return out


def words(column: str) -> str:
    """A column name no metric declares, in words: ``affected_units`` → ``Affected units``."""
    if column in WORDS:
        return WORDS[column]
    text = column.removesuffix("_s").removesuffix("_h").replace("_", " ")
    text = text[:1].upper() + text[1:]
    suffix = {"_s": " (s)", "_h": " (h)", "_at": " (UTC)"}.get(column[-3:] if column.endswith("_at") else column[-2:])
    return text + (suffix or "")


def unit_of(column: str, dtype: pl.DataType, units: Mapping[str, Unit]) -> Unit | None:
    """A column's unit: the metric's it holds, else by its name (``_s``, ``_h``, a share or rate)."""
    if column in units:
        return units[column]
    if column.endswith("_s"):
        return SECONDS
    if column.endswith("_h"):
        return HOURS
    if column in _PCT_NAMES or column.endswith(("_rate", "_share")):
        return PCT
    return COUNT if dtype.is_numeric() else None


def _column(header: str, unit: Unit | None, dtype: pl.DataType, minutes: bool) -> Any:
    if dtype == pl.Date:
        return st.column_config.DateColumn(header, format="YYYY-MM-DD")
    if isinstance(dtype, pl.Datetime):
        return st.column_config.DatetimeColumn(header, format="YYYY-MM-DD HH:mm:ss")
    if unit is None or not dtype.is_numeric():
        return st.column_config.Column(header)
    if unit is SECONDS or unit.id == "s":
        if minutes:
            return st.column_config.NumberColumn(header.replace("(s)", "(min)"), format="%.1f min")
        return st.column_config.NumberColumn(header, format="%.0f s")
    fmt = {"pct": "%.1f%%", "h": "%.1f h", "per_1000": "%.1f"}.get(unit.id)
    if fmt is None:
        fmt = "localized" if dtype.is_integer() else "%.1f"
    return st.column_config.NumberColumn(header, format=fmt)


def labels(frame: pl.DataFrame, options: Options, *metric_ids: str, **more: str) -> Labels:
    """The catalog's headers and formats for the columns of ``frame``: those holding ``metric_ids``
    (named by the metric's value column or by its id) and their parts, ``more`` (column → header)
    for columns no metric names, the rest in words."""
    by_id = {i: CATALOG[i].header(options) for i in metric_ids if i in frame.columns}  # a column per metric
    named = {**headers(frame.columns, options, *metric_ids), **by_id}
    named = {**named, **{k: v for k, v in more.items() if k in frame.columns}}
    named = {c: named.get(c) or words(c) for c in frame.columns}
    units = {**{CATALOG[i].value: CATALOG[i].unit for i in metric_ids}, **{i: CATALOG[i].unit for i in by_id}}
    config, minutes, percents = {}, [], []
    for column, header in named.items():
        dtype = frame.schema[column]
        unit = unit_of(column, dtype, units)
        in_minutes = unit is SECONDS and dtype.is_numeric() and (frame[column].max() or 0) >= MINUTES_FROM_S
        if in_minutes:
            minutes.append(column)
        if unit is PCT and dtype.is_numeric():
            percents.append(column)
        config[column] = _column(header, unit, dtype, in_minutes)
    return Labels(named, config, tuple(minutes), tuple(percents))


MISSING = "—"  # what a table shows for a value that does not exist (no calls in a phase), never "None"


def show(frame: pl.DataFrame, key: str, labels: Labels, show_pii: bool = False, **kwargs: Any) -> None:
    """``st.dataframe`` of ``frame`` masked (ui/export.py) and formatted by ``labels``."""
    rows = labels.shown(masked(frame, show_pii))
    config = {c: v for c, v in labels.config.items() if c in rows.columns}
    st.dataframe(rows, key=key, hide_index=True, column_config=config, placeholder=MISSING, **kwargs)


def plain_labels(frame: pl.DataFrame) -> Labels:
    """:func:`labels` for a frame holding no catalog metric (names in words, numbers by name)."""
    return labels(frame, Options())


def chart_with_table(
    fig, frame: pl.DataFrame, name: str, key: str, show_pii: bool = False, labels: Labels | None = None
) -> None:
    """A Plotly chart with a table toggle and downloads of the numbers behind it, the columns named
    and formatted by ``labels`` (default: :func:`labels` of the frame alone)."""
    chosen = labels or plain_labels(frame)
    if st.toggle("Table", key=f"{key}_table_toggle"):
        show(frame, f"{key}_table", chosen, show_pii)
    else:
        st.plotly_chart(fig, key=f"{key}_chart")
    download_buttons(frame, name, key, show_pii, chosen.headers)
