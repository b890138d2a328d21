"""Layers in one direction (docs/architecture.md): store ← connectors, metrics ← alerts ← documents ← ui ←
pages/app.

Each layer's every module is imported in a fresh interpreter and ``sys.modules`` is inspected, so an
upward import anywhere (even one a module makes at import time through another) fails; the import
graph of the source has no cycle; pages hold no SQL.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGES = ("store", "connectors", "metrics", "alerts", "documents", "ui")
# What each layer may load besides itself; "app" stands for app.py, serve.py and pages/.
ALLOWED = {
    "store": set(),
    "connectors": {"store"},
    "metrics": {"store"},
    "alerts": {"store", "metrics"},
    "documents": {"store", "connectors", "metrics", "alerts"},
    "ui": {"store", "connectors", "metrics", "alerts", "documents", "streamlit"},
}
EVERYTHING = {*PACKAGES, "streamlit", "app", "serve", "pages"}


def modules(package: str) -> dict[str, object]:
    """Module name → source file, for every module of a package."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        found[".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = path
    return found


@pytest.mark.parametrize("layer", PACKAGES)
def test_a_layer_loads_nothing_above_it(layer):
    code = (
        "import importlib, json, sys\n"
        f"for name in {sorted(modules(layer))!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    above = (EVERYTHING - ALLOWED[layer] - {layer}) & loaded
    assert not above, f"importing {layer}/ loads {sorted(above)}"


def _imports(path) -> set[str]:
    """Modules named by the import statements of a file (at any depth: lazy imports count)."""
    named = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            named |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            submodules = [(ROOT / Path(*f"{node.module}.{a.name}".split("."))).with_suffix(".py") for a in node.names]
            if all(path.exists() for path in submodules):
                named.discard(node.module)  # ``from package import submodule`` needs the submodule only
    return named


def test_no_import_cycle():
    graph = {name: _imports(path) for package in PACKAGES for name, path in modules(package).items()}
    graph = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    cycles, done = [], set()

    def visit(node, trail):
        if node in trail:
            cycles.append(trail[trail.index(node) :] + [node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*trail, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_no_streamlit_import_in_core_source():
    for folder in ("connectors", "metrics", "store", "alerts", "documents"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), re.M), path


def test_pages_hold_no_sql():
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s", text), path
        assert "duckdb" not in text, path


POSTGRES_STACK = ("psycopg", "sqlalchemy", "alembic", "sqlglot")


def test_a_duckdb_store_never_loads_the_postgresql_stack():
    """Loading the sample, evaluating the alert rules, a report, an undo and the app's data module,
    all on a DuckDB file: psycopg, SQLAlchemy, Alembic and sqlglot stay unloaded (half a second of
    every process start: the CLI, each server) — store/writer.py, store/db.py load them for a
    PostgreSQL store only."""
    code = (
        "import json, sys, tempfile\n"
        "from datetime import datetime\n"
        "from pathlib import Path\n"
        "import metrics, ui.data\n"
        "from alerts.engine import evaluate\n"
        "from connectors.load import ingest_paths\n"
        "from store.db import connect\n"
        "from store.undo import undo_ingest\n"
        "con = connect(Path(tempfile.mkdtemp()) / 's.duckdb')\n"
        "results = ingest_paths(con, ['sample_data/car_seat'])\n"
        "evaluate(con, '2026-03-10T00:00:00Z')\n"
        "metrics.build_report(con, 'CS-2026-014', datetime(2026, 3, 10))\n"
        "undo_ingest(con, results[-1].ingest_id)\n"
        f"print(json.dumps(sorted(m for m in {POSTGRES_STACK!r} if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
