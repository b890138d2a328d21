"""Connectors: read the exports teams already have into canonical frames.

``CONNECTORS`` is the one explicit list; the contract every module follows is in
connectors/base.py. Load files with :func:`connectors.load.ingest_paths` or
``python -m connectors ingest``.
"""

from connectors import canonical_csv, recall_toml, registry

CONNECTORS = [
    recall_toml,
    canonical_csv,
    registry,
]
