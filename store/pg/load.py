"""Loads into the PostgreSQL store: COPY for the file's rows, ``INSERT … ON CONFLICT (key_h)`` for
the upsert, one transaction per file, and one advisory lock so two loads (two processes, two
machines) never interleave: the second waits for the first to commit, then sees its rows.

The rules are the DuckDB store's (store/write.py): a key not in the store is inserted; a stored
row with the same values, or a newer version stamp, is unchanged; otherwise the stored row moves
to ``<table>_history`` (``replaced_by`` = this ingest, so undo restores it) and the new one
replaces it. Within one file several rows with one key collapse to the newest. The ledger row
holds ``read = inserted + updated + unchanged + quarantined``; quarantined rows keep their reason.
"""

from __future__ import annotations

LOAD_LOCK = 0x5265_6361_6C6C  # pg_advisory_xact_lock key of every load and migration ("Recall")
