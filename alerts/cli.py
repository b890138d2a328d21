"""``python -m metrics alerts --db FILE [--recall ID] [--as-of ISO] [--json]`` (docs/cli.md#alerts).

Evaluates the rules at ``--as-of`` (default now; nothing changes when that moment was evaluated
already) and prints every rule instance as it stood then: ``{"as_of", "recall_id", "alerts": [...]}``,
each alert with ``state``, ``severity``, ``rule``, what it is about (``subject_type`` metric, reason
or source, and ``subject``), ``value``, ``threshold``, ``expected``, ``n``, ``since``, ``detail``,
``acknowledged`` and ``silenced``. ``--replay-from ISO`` first replaces the stored alert history
(of ``--recall``, or all) by evaluations every ``--every`` minutes (default 60) from that moment, as
a scheduler running then would have (alerts.engine.replay) — for exports loaded after the fact,
such as the sample recall. ``--no-evaluate`` only reads what is stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from alerts.engine import evaluate, replay
from alerts.history import states_at
from metrics.base import as_utc
from store.db import StoreError, connect


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="alert states of the rules at a moment (docs/alerts.md)")
    p.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    p.add_argument("--recall", help="only this recall's alerts (and those about every recall)")
    p.add_argument("--as-of", help="the moment, ISO 8601 (default: now); naive times are UTC")
    p.add_argument("--json", action="store_true", help='print {"alerts": [...]}')
    p.add_argument("--replay-from", help="first evaluate every --every minutes from this moment")
    p.add_argument("--every", type=float, default=60.0, help="minutes between replayed evaluations (default 60)")
    p.add_argument("--no-evaluate", action="store_true", help="read the stored history only")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def run(args: argparse.Namespace) -> int:
    try:
        at = as_utc(args.as_of)
        start = as_utc(args.replay_from) if args.replay_from else None
    except ValueError as e:
        print(f"error: not an ISO 8601 time: {e}", file=sys.stderr)
        return 2
    if start is not None and (start > at or not 1 <= args.every <= 1440 or (at - start).days > 400):
        print("error: --replay-from must be before --as-of (at most 400 days), --every 1–1440", file=sys.stderr)
        return 2
    try:
        con = connect(args.db)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        known = [r[0] for r in con.execute("SELECT recall_id FROM recalls ORDER BY recall_id").fetchall()]
        if args.recall and args.recall not in known:
            print(f"error: no recall {args.recall!r} (defined: {', '.join(known) or 'none'})", file=sys.stderr)
            return 2
        if not args.no_evaluate:
            if start is not None:
                replay(con, start, at, args.every, args.recall)
            evaluate(con, at, args.recall)
        alerts = states_at(con, at, args.recall)
    finally:
        con.close()
    if args.json:
        out = {"as_of": _plain(at), "recall_id": args.recall, "alerts": [_plain(a) for a in alerts]}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    active = [a for a in alerts if a["state"] != "normal"]
    print(f"alerts as of {at:%Y-%m-%d %H:%M} UTC: {len(active)} not normal, {len(alerts) - len(active)} normal")
    for a in active:
        since = f" since {a['since']:%Y-%m-%d %H:%M}" if a["since"] else ""
        print(f"  {a['state']:10} {a['severity'] or '':8} {a['what']} · {a['value_text']} ({a['rule_text']}){since}")
    return 0
