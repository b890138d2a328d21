"""Benchmarks: python -m bench (see bench/__main__.py)."""

import os

# polars allocates through its own jemalloc, which by default keeps freed pages for seconds: a
# load in parts would hold several parts' worth. Give them back at once. jemalloc reads this when
# polars is first imported, so it comes before any import that brings polars in.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
