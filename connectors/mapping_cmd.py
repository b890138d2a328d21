"""``python -m connectors mapping save|list|show|delete``: column mappings saved by name.

``save NAME FILE.json`` validates the spec (store/mappings.py) and stores it, replacing a mapping
of that name; ``list`` prints one line per mapping; ``show NAME`` prints its spec as JSON;
``delete NAME`` removes it. Exit 0 on success, 1 with ``error: …`` on stderr otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys

from store.db import connect
from store.mappings import MappingError, delete_mapping, get_mapping, list_mappings, save_mapping


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``mapping`` subcommand and its actions."""
    parser = sub.add_parser("mapping", help="save, list, show or delete column mappings")
    actions = parser.add_subparsers(dest="action", required=True)
    for action, needs_name in (("save", True), ("list", False), ("show", True), ("delete", True)):
        p = actions.add_parser(action)
        if needs_name:
            p.add_argument("name")
        if action == "save":
            p.add_argument("file", help="JSON file with the mapping spec")
        p.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")


def run(args: argparse.Namespace) -> int:
    """Carry out ``args.action``; StoreError is left to the caller."""
    con = connect(args.db)
    try:
        if args.action == "save":
            spec = _read_json(args.file)
            clean = save_mapping(con, args.name, spec)
            print(
                f"saved mapping {args.name.strip()} ({clean['table']}: {len(clean['columns'])} mapped, "
                f"{len(clean['constants'])} constant)"
            )
        elif args.action == "list":
            for m in list_mappings(con):
                print(f"{m['name']}\t{m['table']}\tupdated {m['updated_at']:%Y-%m-%d %H:%M} UTC")
        elif args.action == "show":
            print(json.dumps(get_mapping(con, args.name), indent=2, ensure_ascii=False))
        else:
            delete_mapping(con, args.name)
            print(f"deleted mapping {args.name}")
    except MappingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _read_json(path: str) -> object:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except OSError as e:
        raise MappingError(f"{path}: cannot be read ({e.strerror})") from e
    except json.JSONDecodeError as e:
        raise MappingError(f"{path}: broken JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
