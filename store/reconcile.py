"""Reconciling a load or an undo with the Overview: what it changes in the numbers people read.

- :func:`overview_contacts`: per recall, the Overview's *Contacts* tile with no filter, live (inbound
  contacts the recall holds created up to now, abandoned calls included: docs/metrics.md), counted
  over ``contact_facts`` — read before and after a load, it gives "Contacts +1,508: 4,147 → 5,655".
- :func:`undo_impact`: what undoing a whole upload would change, measured by running the undo
  (store/undo.py) inside a transaction that is then rolled back, so the figures are exactly the
  undo's and the store is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from store.undo import _undo, live_ingests, refresh_derived


def overview_contacts(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> dict[str, int]:
    """recall id → inbound contacts it holds created at or before ``as_of`` (naive UTC; default
    now): the Overview's Contacts tile with no filter."""
    as_of = as_of or datetime.now(UTC).replace(tzinfo=None)
    rows = con.execute(
        "SELECT recall_id, count(*) FROM contact_facts WHERE direction = 'inbound' AND created_at <= ? "
        "GROUP BY recall_id",
        [as_of],
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


@dataclass
class UndoImpact:
    """What undoing an upload would do: rows removed and restored per table, and the Overview's
    contacts per recall before → after (recalls whose count changes)."""

    removed: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, tuple[int, int]] = field(default_factory=dict)


def undo_impact(con: duckdb.DuckDBPyConnection, group_id: int) -> UndoImpact:
    """The effect of undoing every live ingest of ledger group ``group_id``, measured in a
    rolled-back transaction (nothing changes); :class:`UndoError` when it could not be undone."""
    ids = live_ingests(con, group_id)
    before = overview_contacts(con)
    impact = UndoImpact()
    con.execute("BEGIN TRANSACTION")
    try:
        for i in ids:
            result = _undo(con, i, None)
            for table, n in result.deleted.items():
                impact.removed[table] = impact.removed.get(table, 0) + n
            for table, n in result.restored.items():
                impact.restored[table] = impact.restored.get(table, 0) + n
        refresh_derived(con)
        after = overview_contacts(con)
    finally:
        con.execute("ROLLBACK")
    for recall in sorted(set(before) | set(after)):
        b, a = before.get(recall, 0), after.get(recall, 0)
        if a != b:
            impact.contacts[recall] = (b, a)
    return impact
