"""The store on PostgreSQL, chosen by a SQLAlchemy URL (``--db postgresql+psycopg://…`` or
``$RECALL_OPS_DB``); a plain path stays the DuckDB file of store/db.py (docs/scaling.md).

- :mod:`store.pg.engine`: which engine a ``--db`` value names, and the SQLAlchemy engine.
- :mod:`store.pg.schema`: the PostgreSQL schema, migrated with Alembic (``store/pg/migrations``).
- :mod:`store.pg.dialect`: DuckDB-dialect SQL (the one definition of every metric) transpiled
  to PostgreSQL by SQLGlot.
- :mod:`store.pg.connection`: a connection with the DuckDB calls the metrics use.
- :mod:`store.pg.load`: loads (COPY, ``INSERT … ON CONFLICT``, one transaction and one advisory
  lock per file).
"""
