"""Documentation that must stay true: the canonical format and the README's commands."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
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
    test_cmd = re.search(r"```(?:bash|sh)\n(bash scripts/install-test-deps.sh && python -m pytest[^\n]*)\n", readme)
    assert test_cmd, "README must show the test command"
    assert test_cmd.group(1) in ci
    assert "pip install -r requirements.txt && streamlit run serve.py" in readme


def test_data_model_tables_are_current():
    from store.docs import LEDGER_DOCS, block_names, refresh_generated
    from store.schema import TABLES

    text = (ROOT / "docs" / "data-model.md").read_text()
    assert sorted(block_names(text)) == sorted([*TABLES, *LEDGER_DOCS]), "one generated block per table"
    assert refresh_generated(text) == text, "docs/data-model.md is stale: run python -m store.docs --write"


def test_generated_blocks_follow_the_schema():
    """A column added to the schema or to the ledger's DDL shows up in (or stops) the generation."""
    from store.docs import generated_block, refresh_generated

    block = "<!-- generated: contacts -->\nold text\n<!-- end generated -->"
    fresh = refresh_generated(block)
    assert "old text" not in fresh and "| `handle_s` | float | DOUBLE |" in fresh
    assert "| `undone_at` | TIMESTAMP | yes |" in generated_block("ingests")
    with pytest.raises(KeyError):
        generated_block("no_such_table")


# Citations of notes that live outside the repository (the product design and the research notes of
# the team's shared folder). Each pattern is written so that this file does not match itself.
OUTSIDE_NOTES = {
    "the design's numbered sections": re.compile(r"\bdesign(?:\.md)?\s*§"),
    "the metric definitions note": re.compile(r"(?<![\w/])metric-definition[s]"),  # not a vendor's URL
    "the export formats note": re.compile(r"(?<![\w/])export-format[s]"),
    "the shared folder": re.compile(r"\.\./share[d]|/work/share[d]"),
    "a research note": re.compile(r"(?<![\w/])(?:reference|research)/[\w-]+\.md"),
}
SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "data"}


def repo_text_files() -> list[tuple[Path, str]]:
    """Every text file of the working tree (binary files, archives and files over 2 MB skipped)."""
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            if path.stat().st_size > 2_000_000:
                continue
            data = path.read_bytes()
            if b"\0" in data[:8192]:
                continue
            try:
                out.append((path, data.decode("utf-8")))
            except UnicodeDecodeError:
                continue
    return out


def test_no_file_cites_notes_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {what} ({m.group(0)!r})"
        for path, text in repo_text_files()
        for what, pattern in OUTSIDE_NOTES.items()
        for m in pattern.finditer(text)
    ]
    assert not found, "cite the docs/ file that holds the text instead:\n" + "\n".join(found)


def test_the_citation_check_sees_every_kind_of_file():
    names = {p.relative_to(ROOT).as_posix() for p, _ in repo_text_files()}
    assert {"README.md", "SECURITY.md", "store/schema.py", "tests/test_docs.py", "docs/metrics.md"} <= names
    assert ".ci/run" in names
    # Pieces joined at run time, so that this file does not cite them itself.
    pieces = ["design " + "§5,", "metric-" + "definitions §0.6,", "export-" + "formats.md §3,", "../" + "shared/x,"]
    text = " ".join(pieces)
    text += " refer" + "ence/alerting.md; https://help.mypurecloud.com/articles/metric-definitions is a vendor page"
    assert [w for w, p in OUTSIDE_NOTES.items() for _ in p.finditer(text)] == list(OUTSIDE_NOTES)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(md: Path) -> set[str]:
    """The anchors of a markdown file's headings (outside code blocks; repeats get -1, -2…)."""
    seen: dict[str, int] = {}
    fenced = False
    for line in md.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)):
            slug = github_anchor(m.group(1))
            seen[slug] = seen.get(slug, -1) + 1
            if seen[slug]:
                seen[f"{slug}-{seen[slug]}"] = 0
    return set(seen)


def test_github_anchor():
    assert github_anchor("Service level, abandon rate and ASA") == "service-level-abandon-rate-and-asa"
    assert github_anchor("`contacts`") == "contacts"
    assert github_anchor("Vendor files (`car_seat_vendor/`)") == "vendor-files-car_seat_vendor"
    assert github_anchor("Nothing lost, nothing counted twice") == "nothing-lost-nothing-counted-twice"


# A path to a markdown file of the repository, optionally with a heading anchor.
MD_REF = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w-]+\.md)(?:#([\w-]+))?")
MD_LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]+))?\)")


def cited(path: Path, text: str) -> list[tuple[Path, str | None, str]]:
    """(markdown file, anchor or None, as written) for each reference in ``text``: ``docs/…md``
    paths and other repository paths that exist (relative to the root), and in markdown files the
    links (relative to the file)."""
    refs = []
    for m in MD_REF.finditer(text):
        target = ROOT / m.group(1)
        if m.group(1).startswith("docs/") or target.exists():
            refs.append((target, m.group(2), m.group(0)))
    if path.suffix == ".md":
        for m in MD_LINK.finditer(text):
            link, anchor = m.group(1), m.group(2)
            if "://" in link or (link and not link.endswith(".md")):
                continue
            refs.append(((path.parent / link) if link else path, anchor, m.group(0)))
    return refs


def test_every_cited_doc_and_heading_exists():
    broken = []
    for path, text in repo_text_files():
        for target, anchor, written in cited(path, text):
            where = f"{path.relative_to(ROOT)}: {written}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif anchor and anchor not in anchors(target):
                broken.append(f"{where}: no heading #{anchor} in {target.relative_to(ROOT)}")
    assert not broken, "\n".join(broken)


def test_code_cites_the_contract_docs():
    """The docs the code obeys are cited from the code that implements them."""
    cites = {
        "store/derived.py": "docs/phases.md#bounds",
        "connectors/conform.py": "docs/data-model.md#recall-assignment",
        "connectors/recall_toml.py": "docs/cli.md#recall-toml",
        "metrics/report.py": "docs/cli.md#json-report",
        "metrics/base.py": "docs/metrics.md#conventions",
        "connectors/_zendesk.py": "docs/vendor-formats.md#zendesk-support",
    }
    for file, ref in cites.items():
        assert ref in (ROOT / file).read_text(), f"{file} should cite {ref}"
