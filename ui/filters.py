"""The shared filters (recall, phase), kept in the URL query string so a view can be bookmarked."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from metrics.scope import PHASE_LABELS

PHASE_IDS = list(PHASE_LABELS)


def _from_url(key: str, allowed: list[str], default: str) -> None:
    """Seed the widget's session state from ``?key=`` on first run."""
    if key not in st.session_state:
        value = st.query_params.get(key)
        st.session_state[key] = value if value in allowed else default


def recall_and_phase(recalls: pl.DataFrame) -> tuple[dict, str]:
    """Sidebar selectors; returns (the recall row, the phase id)."""
    ids = recalls["recall_id"].to_list()
    names = dict(zip(ids, recalls["name"].to_list(), strict=True))
    _from_url("recall", ids, ids[-1])
    _from_url("phase", PHASE_IDS, "all")
    recall_id = st.sidebar.selectbox("Recall", ids, key="recall", format_func=lambda r: f"{r} · {names[r]}")
    phase = st.sidebar.selectbox("Phase", PHASE_IDS, key="phase", format_func=PHASE_LABELS.get)
    st.query_params["recall"] = recall_id
    st.query_params["phase"] = phase
    return recalls.filter(pl.col("recall_id") == recall_id).row(0, named=True), phase


def as_of_now() -> datetime:
    """Report time: now (UTC, naive), to the minute so that cached results are reused."""
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
