"""connectors/, metrics/ and alerts/ never import streamlit (checked in a fresh interpreter), and pages hold no SQL."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_core_packages_import_without_streamlit():
    code = (
        "import sys, connectors, connectors.load, connectors.__main__, metrics, metrics.__main__, store.db, alerts; "
        "import pkgutil, importlib\n"
        "for pkg in (connectors, metrics, alerts):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_streamlit_import_in_core_source():
    for folder in ("connectors", "metrics", "store", "alerts"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), re.M), path


def test_pages_hold_no_sql():
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s", text), path
        assert "duckdb" not in text, path
