"""What a reader hands the store for one file (or one part of it): the canonical frames, how many
input records they came from, and the records it could not use (store/write.py writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

# A quarantined record: its row (or record number), the column at fault, why, and its raw text.
REJECT_SCHEMA = {
    "source_row": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}


@dataclass
class Parsed:
    """What a connector read. ``primary`` is the table whose records the ledger counts and
    ``rows_read`` the number of input records: each is a row of ``tables[primary]`` (several rows
    with one natural key are allowed; the newest wins), is counted in ``rows_folded``, or has an
    entry in ``rejects``."""

    primary: str
    tables: dict[str, pl.DataFrame]
    rows_read: int
    rows_folded: int = 0  # input records merged into another (child call legs); ledger: unchanged
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    warnings: list[str] = field(default_factory=list)
