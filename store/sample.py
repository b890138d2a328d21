"""The bundled sample recall in a store, and how much of the store it still is.

The dashboard loads ``sample_data/car_seat`` into an empty store with ``loaded_by`` =
:data:`SAMPLE_LOADER`, so that a fresh install shows something. Once real exports arrive the two
would blend silently (the sample's contacts and units keep counting), so:

- :func:`sample_share` counts the rows the live (not undone) sample ingests still hold against the
  store's totals — contacts and affected units — for the notice every page shows while any remain;
- :func:`remove_sample` undoes every live sample ingest, newest first (store/undo.py: the rows go,
  the recall definition with them): one action on the Upload page and ``python -m connectors
  ingest --remove-sample`` (or ``remove-sample``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from store.undo import UndoResult, undo_ingest

SAMPLE_LOADER = "sample-data"
_LIVE = f"SELECT ingest_id FROM ingests WHERE loaded_by = '{SAMPLE_LOADER}' AND undone_at IS NULL"


@dataclass(frozen=True)
class SampleShare:
    """Rows of the live sample ingests, and the store's totals."""

    contacts: int
    contacts_total: int
    units: int
    units_total: int

    @property
    def only_sample(self) -> bool:
        return self.contacts == self.contacts_total and self.units == self.units_total

    def describe(self) -> str:
        """``4,147 of 5,655 contacts (73 %) and 2,000 of 3,500 affected units (57 %)``."""

        def part(n: int, total: int, what: str) -> str:
            share = f" ({_share(n, total)})" if total else ""
            return f"{n:,} of {total:,} {what}{share}"

        contacts = part(self.contacts, self.contacts_total, "contacts")
        return f"{contacts} and {part(self.units, self.units_total, 'affected units')}"


def _share(n: int, total: int) -> str:
    """``n / total`` as a whole percent that never reads as all or none when it is not: 7,123 of
    7,136 is ``>99%``, not ``100%``; 1 of 500 is ``<1%``, not ``0%``."""
    if 0 < n < total and n / total > 0.99:
        return ">99%"
    if 0 < n and n / total < 0.01:
        return "<1%"
    return f"{n / total:.0%}"


def sample_share(con: duckdb.DuckDBPyConnection) -> SampleShare | None:
    """What the bundled sample still holds, or None when no live sample ingest remains."""
    live = con.execute(f"SELECT count(*) FROM ({_LIVE})").fetchall()[0][0]
    if not live:
        return None
    row = con.execute(
        f"""SELECT (SELECT count(*) FROM contacts WHERE ingest_id IN ({_LIVE})), (SELECT count(*) FROM contacts),
                   (SELECT count(*) FROM affected WHERE ingest_id IN ({_LIVE})), (SELECT count(*) FROM affected)"""
    ).fetchall()[0]
    return SampleShare(*row)


def remove_sample(con: duckdb.DuckDBPyConnection, by: str | None = None) -> list[UndoResult]:
    """Undo every live sample ingest, newest first; each is one transaction (store/undo.py)."""
    ids = [r[0] for r in con.execute(f"{_LIVE} ORDER BY ingest_id DESC").fetchall()]
    return [undo_ingest(con, i, by) for i in ids]
