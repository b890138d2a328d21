"""connectors/conform.py parses a frame's columns on one thread below PARALLEL_FROM_ROWS rows and
on every core from there: the rows kept, their values and the rejects are the same either way."""

from __future__ import annotations

import polars as pl

import connectors.conform as conform_module
from connectors.conform import conform
from connectors.reading import ReadContext


def _frame(n: int) -> pl.DataFrame:
    """Canonical contact columns as text, every seventh row with a bad value somewhere."""
    rows = []
    for i in range(n):
        bad = i % 7
        rows.append(
            {
                "source": "five9",
                "source_id": f"c{i}",
                "recall_id": "R1",
                "channel": "phone" if bad != 1 else "pigeon",
                "direction": "inbound",
                "created_at": f"2026-03-02T{i % 24:02d}:{i % 60:02d}:00Z" if bad != 2 else "not a time",
                "talk_s": str(i % 500) if bad != 3 else "-5",
                "wait_s": str(i % 90) if bad != 4 else "ten",
                "customer_email": f"c{i}@example.com",
                "status": "closed",
            }
        )
    return pl.DataFrame(rows).with_columns(pl.int_range(1, n + 1).alias("source_row"))


def test_one_thread_and_many_give_the_same_rows_and_rejects(monkeypatch):
    frame = _frame(700)
    monkeypatch.setattr(conform_module, "PARALLEL_FROM_ROWS", 10**9)
    serial_rows, serial_rejects = conform("contacts", frame, ReadContext())
    monkeypatch.setattr(conform_module, "PARALLEL_FROM_ROWS", 0)
    pooled_rows, pooled_rejects = conform("contacts", frame, ReadContext())
    assert serial_rows.height == 700 - 4 * 100  # rows 1–4 of every seven are rejected, once each
    assert serial_rows.equals(pooled_rows)
    order = ["source_row", "column_name", "reason"]
    assert serial_rejects.height == 400
    assert serial_rejects.sort(order).equals(pooled_rejects.sort(order))
