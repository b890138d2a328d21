"""Headers and number formats of metric tables, from the metric catalog (metrics/catalog.py).

A page's tables keep the metric frames' column names (what tests and code refer to); what people
read — the header shown by ``st.dataframe`` and the header row of a download — is the catalog's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import streamlit as st

from metrics import Options
from metrics.catalog import CATALOG, headers

FORMATS = {"pct": "percent", "s": "%.0f", "h": "%.1f", "per_1000": "%.1f"}


@dataclass(frozen=True)
class Labels:
    """``headers``: column → header (downloads); ``config``: ``st.dataframe``'s column_config."""

    headers: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)


def labels(frame: pl.DataFrame, options: Options, *metric_ids: str, **more: str) -> Labels:
    """The catalog's headers for the columns of ``frame`` holding ``metric_ids`` (and their parts),
    plus ``more`` (column → header) for columns no metric names."""
    named = {**headers(frame.columns, options, *metric_ids), **{k: v for k, v in more.items() if k in frame.columns}}
    formats = {CATALOG[i].value: FORMATS.get(CATALOG[i].unit.id) for i in metric_ids}
    config = {
        column: st.column_config.NumberColumn(header, format=formats[column])
        if formats.get(column)
        else st.column_config.Column(header)
        for column, header in named.items()
    }
    return Labels(named, config)
