"""Phones written without a country code wait in the store until a recall gives the country.

Rule: a row whose ``customer_phone`` is empty and ``customer_phone_raw`` is not is normalized
with the country of the row's own recall (``recall_id``), else with the country shared by every
defined recall when there is exactly one. So a contacts file loaded before its recall's TOML
gets the same E.164 numbers as one loaded after it.
"""

from __future__ import annotations

import duckdb
import polars as pl

from connectors.values import e164
from store.derived import TOUCH_COLUMNS, touch_rows

PHONE_TABLES = ("contacts", "notifications", "affected")


def normalize_pending_phones(con: duckdb.DuckDBPyConnection, ingest_id: int | None = None) -> int:
    """Fill ``customer_phone`` where it can now be known; returns the rows updated. With
    ``ingest_id``, only the rows that ingest wrote are looked at: enough after a load that changed
    no recall (no other row's country can have become known), and no scan of the whole store."""
    countries = [r[0] for r in con.execute("SELECT DISTINCT country FROM recalls WHERE country IS NOT NULL").fetchall()]
    only_country = countries[0] if len(countries) == 1 else None
    updated = 0
    for table in PHONE_TABLES:
        pending = con.sql(
            f"SELECT DISTINCT t.customer_phone_raw AS raw, coalesce(r.country, ?) AS country "
            f"FROM {table} t LEFT JOIN recalls r USING (recall_id) "
            f"WHERE t.customer_phone IS NULL AND t.customer_phone_raw IS NOT NULL"
            + ("" if ingest_id is None else f" AND t.ingest_id = {int(ingest_id)}"),
            params=[only_country],
        ).pl()
        pending = pending.filter(pl.col("country").is_not_null())
        if pending.height == 0:
            continue
        pending = pending.with_columns(
            pl.struct("raw", "country")
            .map_elements(lambda r: e164(r["raw"], r["country"]), return_dtype=pl.String)
            .alias("e164")
        ).filter(pl.col("e164").is_not_null())
        if pending.height == 0:
            continue
        con.register("_pending", pending)
        changed = con.execute(
            f"UPDATE {table} a SET customer_phone = p.e164 FROM _pending p "
            f"WHERE a.customer_phone IS NULL AND a.customer_phone_raw = p.raw "
            + ("" if ingest_id is None else f"AND a.ingest_id = {int(ingest_id)} ")
            + f"AND p.country = coalesce((SELECT country FROM recalls WHERE recall_id = a.recall_id), ?) "
            f"RETURNING {TOUCH_COLUMNS[table]}",
            [only_country],
        ).fetchall()
        touch_rows(con, table, changed)
        updated += len(changed)
        con.unregister("_pending")
    return updated
