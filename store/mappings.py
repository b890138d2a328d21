"""Column mappings saved by name: how an "anything else" CSV/XLSX feeds one canonical table.

A spec (JSON object) has these keys:

``table``
    ``contacts``, ``csat``, ``notifications`` or ``affected``.
``columns``
    canonical column → source header (as written in the file; matched exactly, else
    case-insensitively with spaces, underscores and hyphens alike). At least one.
``constants`` (optional)
    canonical column → one value for every row (``"source": "genesys_wfm"``).
``values`` (optional)
    canonical column → {source value → canonical value}, applied to a mapped column before
    parsing; source values match trimmed and case-insensitively, others pass through unchanged.
``timezone`` (optional)
    IANA zone of the file's offset-less times (an explicit ``--tz`` at upload wins; default: the
    recall's zone).
``date_format`` (optional)
    ``day_first`` or ``month_first`` (also written ``day-first``…): how numeric dates such as
    ``03/04/2026`` are read when a column's values do not decide it (no day above 12); an explicit
    ``--date-format`` at upload wins; default month first, with a warning (connectors/reading.py).

Rules (:func:`validate_spec`): only canonical columns of the table (store/schema.py); a column is
mapped or constant, not both; every required column is mapped or constant, except ``recall_id``
(named at upload or the only recall); ``customer_phone`` is derived, so a phone maps to
``customer_phone_raw``; a value map belongs to a mapped column; values of choice columns
(channel, direction, status, scale, remedy, supply_chain_level, disposition), constant or mapped
to, must be among the choices.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import zoneinfo
from typing import Any

import duckdb

from store.schema import TABLES

MAPPABLE = ("contacts", "csat", "notifications", "affected")
KEYS = ("table", "columns", "constants", "values", "timezone", "date_format")
DATE_FORMATS = ("day_first", "month_first")


def date_format_of(value: Any) -> str | None:
    """``day-first``/``day_first``/``Day first`` → ``day_first`` (likewise month); None for None;
    :class:`MappingError` for anything else."""
    if value is None:
        return None
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in DATE_FORMATS:
        raise MappingError(f"date format {value!r} must be day-first or month-first")
    return key


DERIVED = {"customer_phone": "customer_phone_raw"}


class MappingError(ValueError):
    """A mapping spec or name that cannot be used; the message says why."""


def validate_spec(spec: Any) -> dict[str, Any]:
    """The spec normalized (all keys present, constants as text); :class:`MappingError` listing
    every problem otherwise."""
    if not isinstance(spec, dict):
        raise MappingError("a mapping must be a JSON object with table and columns")
    problems: list[str] = []
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(KEYS)})")
    table = spec.get("table")
    if table not in MAPPABLE:
        raise MappingError("; ".join([*problems, f"table must be one of {', '.join(MAPPABLE)} (got {table!r})"]))
    t = TABLES[table]
    columns = _str_dict(spec.get("columns"), "columns", problems)
    constants = {k: _text(v) for k, v in _dict(spec.get("constants", {}), "constants", problems).items()}
    values = _dict(spec.get("values", {}), "values", problems)
    for part, cols in (("columns", columns), ("constants", constants), ("values", values)):
        bad = [c for c in cols if c not in t.names]
        if bad:
            problems.append(f"{part}: unknown {table} column(s) {', '.join(sorted(bad))}")
        for c in cols:
            if c in DERIVED:
                problems.append(f"{part}: {c} is derived; use {DERIVED[c]}")
    if not columns:
        problems.append("columns: map at least one source header")
    for c, v in constants.items():
        if v is None:
            problems.append(f"constants: {c} must be text, a number or true/false")
    both = sorted(set(columns) & set(constants))
    if both:
        problems.append(f"column(s) both mapped and constant: {', '.join(both)}")
    required = [c.name for c in t.columns if c.required and c.name != "recall_id"]
    missing = [c for c in required if c not in columns and c not in constants]
    if missing:
        problems.append(f"required {table} column(s) neither mapped nor constant: {', '.join(missing)}")
    maps: dict[str, dict[str, str]] = {}
    for c, m in values.items():
        if c not in columns and c in t.names:
            problems.append(f"values: {c} is not a mapped column")
        maps[c] = _value_map(c, m, problems)
    for c in t.columns:
        if not c.choices:
            continue
        given = [constants.get(c.name)] + list(maps.get(c.name, {}).values())
        wrong = sorted({v for v in given if v is not None and v.lower() not in c.choices})
        if wrong:
            problems.append(f"{c.name}: {', '.join(map(repr, wrong))} is not one of {', '.join(c.choices)}")
    zone = spec.get("timezone")
    if zone is not None and not _is_zone(zone):
        problems.append(f"timezone {zone!r} is not an IANA time zone (e.g. Europe/Berlin)")
    try:
        date_format = date_format_of(spec.get("date_format"))
    except MappingError as e:
        problems.append(str(e))
        date_format = None
    if problems:
        raise MappingError("; ".join(problems))
    out = {"table": table, "columns": columns, "constants": constants, "values": maps, "timezone": zone}
    return out | ({"date_format": date_format} if date_format else {})


def save_mapping(con: duckdb.DuckDBPyConnection, name: str, spec: Any, by: str | None = None) -> dict[str, Any]:
    """Validate and store ``spec`` under ``name`` (replacing a mapping of that name, keeping its
    created_at), saved ``by`` whom (default: the OS user, as the ledger does); returns the
    normalized spec."""
    name = _name(name)
    clean = validate_spec(spec)
    now = _utc_now()
    con.execute(
        "INSERT INTO mappings (name, table_name, spec, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET table_name = excluded.table_name, spec = excluded.spec, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [
            name,
            clean["table"],
            json.dumps(clean, sort_keys=True, ensure_ascii=False),
            now,
            now,
            by or getpass.getuser(),
        ],
    ).fetchall()
    return clean


def get_mapping(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any]:
    """The spec saved as ``name``; :class:`MappingError` naming the saved ones when there is none."""
    rows = con.execute("SELECT spec FROM mappings WHERE name = ?", [name]).fetchall()
    if not rows:
        saved = ", ".join(m["name"] for m in list_mappings(con)) or "none"
        raise MappingError(f"no mapping named {name!r} (saved: {saved})")
    return json.loads(rows[0][0])


def list_mappings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every saved mapping by name: name, table, spec, created_at, updated_at."""
    rows = con.execute(
        "SELECT name, table_name, spec, created_at, updated_at, updated_by FROM mappings ORDER BY name"
    ).fetchall()
    return [
        {"name": n, "table": t, "spec": json.loads(s), "created_at": c, "updated_at": u, "updated_by": b}
        for n, t, s, c, u, b in rows
    ]


def delete_mapping(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove the mapping ``name``; :class:`MappingError` when there is none."""
    get_mapping(con, name)
    con.execute("DELETE FROM mappings WHERE name = ?", [name]).fetchall()


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise MappingError("a mapping needs a non-empty name")
    return name.strip()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _dict(value: Any, part: str, problems: list[str]) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    problems.append(f"{part} must be an object")
    return {}


def _str_dict(value: Any, part: str, problems: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in _dict(value, part, problems).items():
        if isinstance(v, str) and v.strip():
            out[k] = v.strip()
        else:
            problems.append(f"{part}: {k} must name a source header")
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip()):
        return str(value).strip()
    return None


def _value_map(column: str, m: Any, problems: list[str]) -> dict[str, str]:
    """Source value (trimmed, lower case) → canonical value."""
    out: dict[str, str] = {}
    if not isinstance(m, dict):
        problems.append(f"values: {column} must map source values to canonical values")
        return out
    for k, v in m.items():
        key = str(k).strip().lower()
        target = _text(v)
        if target is None:
            problems.append(f"values: {column} maps {k!r} to nothing")
        elif key in out and out[key] != target:
            problems.append(f"values: {column} maps {k!r} twice (values match case-insensitively)")
        else:
            out[key] = target
    return out


def _is_zone(zone: Any) -> bool:
    if not isinstance(zone, str) or not zone:
        return False
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def describe(spec: dict[str, Any]) -> list[str]:
    """A mapping as readable lines: ``Ticket → source_id``, ``source = legacy_desk`` (constant),
    ``channel: E-mail → email`` (value), zone and date order."""
    out = [f"{header} → {column}" for column, header in spec.get("columns", {}).items()]
    out += [f"{column} = {value} (every row)" for column, value in spec.get("constants", {}).items()]
    for column, values in (spec.get("values") or {}).items():
        out += [f"{column}: {v} → {t}" for v, t in values.items()]
    if spec.get("timezone"):
        out.append(f"times without an offset in {spec['timezone']}")
    if spec.get("date_format"):
        out.append(f"dates {spec['date_format'].replace('_', ' ')}")
    return out
