"""``python -m alerts``: the alert scheduler and rule files (docs/cli.md#python--m-alerts).

    python -m alerts run  [--db FILE] [--secrets FILE] [--every-s 10]
    python -m alerts tick [--db FILE] [--secrets FILE] [--now ISO]
    python -m alerts rules export [--db FILE] > rules.toml
    python -m alerts rules import FILE [--db FILE] [--by NAME]

``run`` ticks until SIGINT/SIGTERM (the message being sent is finished and marked first);
``tick`` runs one tick at ``--now`` (default now) and prints what it did. The alert states
themselves: ``python -m metrics alerts``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from alerts import rules
from alerts.model import RuleError
from alerts.notify.config import ConfigError
from alerts.notify.config import load as load_config
from alerts.scheduler import TICK_S, Scheduler
from metrics.base import as_utc
from store.db import StoreError, connect
from store.signals import stop_on_signals

DB_HELP = "DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alerts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "tick"):
        p = sub.add_parser(name)
        p.add_argument("--db", help=DB_HELP)
        p.add_argument("--secrets", type=Path, help="secrets.toml with [recall_ops.alerts] (default: Streamlit's)")
        if name == "run":
            p.add_argument("--every-s", type=float, default=TICK_S, help="seconds between ticks (default 10)")
        else:
            p.add_argument("--now", help="the tick's time, ISO 8601 (default now)")
    r = sub.add_parser("rules")
    r.add_argument("action", choices=("export", "import"))
    r.add_argument("file", nargs="?", type=Path)
    r.add_argument("--db", help=DB_HELP)
    r.add_argument("--by", help="who imports (stored with each rule)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        if args.command == "rules":
            return _rules(args)
        config = load_config([args.secrets] if args.secrets else None)
        scheduler = Scheduler(args.db, config)
        if args.command == "tick":
            print(json.dumps(scheduler.tick(as_utc(args.now) if args.now else None)))
            return 0
        with stop_on_signals(scheduler.stop):
            print(
                f"alerts: ticking every {args.every_s:g} s, channels: {', '.join(config.channels) or 'none'}",
                flush=True,
            )
            scheduler.run(max(args.every_s, 0.2))
        return 0
    except (StoreError, ConfigError, RuleError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _rules(args: argparse.Namespace) -> int:
    con = connect(args.db)
    try:
        if args.action == "export":
            sys.stdout.write(rules.to_toml(rules.load(con)[0]))
            return 0
        if args.file is None:
            raise RuleError("name the TOML file to import")
        imported = rules.import_toml(con, args.file.read_bytes(), args.by)
        print(f"imported {len(imported)} rule(s): {', '.join(r.id for r in imported)}")
        return 0
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
