"""Stored rules, the shipped defaults, and TOML import/export (docs/alerts.md#rules-in-toml).

The defaults (alerts/model.py ``default_rules``) are not written to the store: they apply until a
rule with the same id is saved — edited, or disabled (deleting a default stores it disabled, so it
stays off). A default added by a later version therefore starts alerting by itself.

TOML: an array of ``[[rule]]`` tables with the keys of alerts/model.py (``id`` and ``kind``
required). Import validates every rule first and writes nothing when any is wrong; the message
names each bad rule. Files over 256 KB or with more than 500 rules are refused.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import duckdb

from alerts.model import Rule, RuleError, default_rules, from_dict, to_dict, validate
from alerts.values import METRICS, targets
from metrics.catalog import CATALOG

MAX_TOML_BYTES = 256 * 1024
MAX_RULES = 500


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def defaults(con: duckdb.DuckDBPyConnection) -> list[Rule]:
    with_targets = {
        m: (METRICS[m].label, CATALOG[m].alert_days) for m, t in targets(con).items() if t is not None and m in METRICS
    }
    return default_rules(with_targets)


def load(con: duckdb.DuckDBPyConnection) -> tuple[list[Rule], list[str]]:
    """(every rule: stored ones and the defaults not overridden, in id order; problems with stored
    specs that no longer validate — those rules are left out)."""
    stored: dict[str, Rule] = {}
    problems: list[str] = []
    for rule_id, spec in con.execute("SELECT rule_id, spec FROM alert_rules").fetchall():
        try:
            stored[rule_id] = from_dict(json.loads(spec), METRICS)
        except (RuleError, ValueError) as e:
            problems.append(f"stored rule {rule_id}: {e}")
    for rule in defaults(con):
        stored.setdefault(rule.id, rule)
    return [stored[k] for k in sorted(stored)], problems


def default_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r.id for r in defaults(con)}


def save(con: duckdb.DuckDBPyConnection, rule: Rule, by: str | None = None) -> None:
    """Store ``rule`` (validated; RuleError otherwise), replacing one with its id."""
    validate(rule, METRICS)
    con.execute("DELETE FROM alert_rules WHERE rule_id = ?", [rule.id])
    con.execute(
        "INSERT INTO alert_rules VALUES (?, ?, ?, ?, ?)",
        [rule.id, json.dumps(to_dict(rule)), rule.id in default_ids(con), _now(), by],
    )


def delete(con: duckdb.DuckDBPyConnection, rule_id: str, by: str | None = None) -> None:
    """Remove a rule; a default one is stored disabled instead (else it would come back)."""
    default = next((r for r in defaults(con) if r.id == rule_id), None)
    con.execute("DELETE FROM alert_rules WHERE rule_id = ?", [rule_id])
    if default is not None:
        save(con, replace(default, enabled=False), by)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RuleError("thresholds must be finite numbers")
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(rules: list[Rule]) -> str:
    out = ["# Recall Ops alert rules (docs/alerts.md#rules-in-toml)"]
    for rule in rules:
        out.append("\n[[rule]]")
        out += [f"{k} = {_toml_value(v)}" for k, v in to_dict(rule).items()]
    return "\n".join(out) + "\n"


def from_toml(text: str | bytes) -> list[Rule]:
    """Every rule of a TOML document; RuleError naming every problem (nothing is half-read)."""
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_TOML_BYTES:
        raise RuleError(f"the rules file is {len(raw):,} bytes; at most {MAX_TOML_BYTES:,} are read")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise RuleError(f"not a readable TOML file: {e}") from e
    unknown = sorted(set(doc) - {"rule"})
    if unknown or not isinstance(doc.get("rule", []), list):
        raise RuleError(
            "a rules file holds [[rule]] tables only" + (f" (found {', '.join(unknown)})" if unknown else "")
        )
    tables = doc.get("rule", [])
    if len(tables) > MAX_RULES:
        raise RuleError(f"{len(tables)} rules; at most {MAX_RULES} are read")
    rules, problems = [], []
    for i, table in enumerate(tables, 1):
        try:
            rules.append(from_dict(table, METRICS))
        except RuleError as e:
            problems.append(f"[[rule]] #{i}: {e}")
    ids = [r.id for r in rules]
    problems += [f"id {x!r} is used more than once" for x in sorted({x for x in ids if ids.count(x) > 1})]
    if problems:
        raise RuleError("; ".join(problems))
    return rules


def import_toml(con: duckdb.DuckDBPyConnection, text: str | bytes, by: str | None = None) -> list[Rule]:
    """Save every rule of the document (same id: replaced), in one transaction."""
    rules = from_toml(text)
    con.execute("BEGIN TRANSACTION")
    try:
        for rule in rules:
            save(con, rule, by)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rules
