"""Data freshness per source: when each source last received data, and how new its data is.

For each ``source`` in contacts, csat and notifications: ``rows``, ``newest_at`` (the latest
``created_at`` / ``responded_at`` / ``status_at``, UTC) and ``last_loaded_at`` (the latest
ingest that touched the source). A source is **stale** when ``as_of − newest_at`` exceeds its
threshold in hours (store/settings.py).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from store.settings import STALE_AFTER_H, stale_hours


def freshness(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pl.DataFrame:
    """One row per source: table, source, rows, newest_at, last_loaded_at, age_h, stale_after_h, stale."""
    frame = con.sql(
        """
        WITH rows AS (
            SELECT 'contacts' AS table_name, source, created_at AS moment_at, ingest_id FROM contacts
            UNION ALL SELECT 'csat', source, responded_at, ingest_id FROM csat
            UNION ALL SELECT 'notifications', source, status_at, ingest_id FROM notifications)
        SELECT r.table_name, r.source, sum(r.n) AS rows, max(r.newest_at) AS newest_at,
            max(i.loaded_at) AS last_loaded_at
        FROM (SELECT table_name, source, ingest_id, count(*) AS n, max(moment_at) AS newest_at FROM rows GROUP BY ALL) r
        LEFT JOIN ingests i USING (ingest_id)
        GROUP BY ALL ORDER BY r.table_name, r.source"""
    ).pl()
    limits = {s: stale_hours(con, s) for s in frame["source"].unique()}
    return frame.with_columns(
        ((pl.lit(as_of) - pl.col("newest_at")).dt.total_seconds() / 3600).alias("age_h"),
        pl.col("source").replace_strict(limits, return_dtype=pl.Float64, default=STALE_AFTER_H).alias("stale_after_h"),
    ).with_columns((pl.col("age_h") > pl.col("stale_after_h")).alias("stale"))
