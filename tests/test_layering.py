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
