"""Documentation that must stay true: the canonical format and the README's commands."""

from __future__ import annotations

import re

from conftest import ROOT

from store.docs import EXAMPLES, canonical_format_md


def test_canonical_format_doc_is_current():
    assert (ROOT / "docs" / "canonical-format.md").read_text() == canonical_format_md()


def test_canonical_examples_load(store, tmp_path):
    from conftest import METRIC_FIXTURES, load

    load(store, METRIC_FIXTURES / "recall.toml")
    for name, text in EXAMPLES.items():
        f = tmp_path / f"{name}.csv"
        f.write_text(text.replace("CS-2026-014", "R1") + "\n")
        (result,) = load(store, f, recall_id="R1")
        assert (result.read, result.inserted, result.quarantined) == (1, 1, 0), name


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = re.search(r"```(?:bash|sh)\n(pip install -r requirements-dev.txt && python -m pytest[^\n]*)\n", readme)
    assert test_cmd, "README must show the test command"
    assert test_cmd.group(1).split("&& ")[-1] in ci
    assert "pip install -r requirements.txt && streamlit run serve.py" in readme
