"""Command line (docs/cli.md):

- ``python -m metrics report --db FILE [--recall ID] [--as-of ISO8601] --json``: the report object
  of docs/cli.md#json-report on stdout (``--json``), or a short text summary;
- ``python -m metrics regulator {cpsc,fda,nhtsa,eu} --db FILE --recall ID --period PERIOD
  [--as-of ISO8601] [--out FILE] [--json]``: a regulator report (docs/regulator-reports.md), as of
  the period's end or the report time ``--as-of`` (default now), whichever is earlier;
- ``python -m metrics review --db FILE --recall ID [--as-of ISO8601] [--out FILE]``: the
  post-recall review (docs/regulator-reports.md#post-recall-review);
- ``python -m metrics alerts ...``: the alert states (alerts/cli.py).

This module is the command line, on top of the layers like app.py: ``alerts`` imports alerts/, and
``--out`` imports documents/ (XLSX, HTML, PDF), both above metrics/ — only for those commands.
"""

from __future__ import annotations

import argparse
import json
import sys

from metrics.base import Options
from metrics.report import UnknownRecall, build_report
from store.db import STORE_IO_ERRORS, StoreError, connect, default_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="all metrics of one recall")
    rep.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    rep.add_argument("--recall", help="recall id (default: the only recall defined)")
    rep.add_argument("--as-of", help="report time, ISO 8601 (default: now); naive times are UTC")
    rep.add_argument("--json", action="store_true", help="print the JSON report (docs/cli.md#json-report)")
    rep.add_argument("--fcr-window-h", type=int, default=168, choices=(72, 168, 336, 720))
    rep.add_argument("--fcr-method", default="repeat_contact", choices=("repeat_contact", "zendesk_one_touch"))
    rep.add_argument("--sl-threshold-s", type=float, default=20.0)
    rep.add_argument("--short-abandon-s", type=float, default=5.0)
    reg = sub.add_parser("regulator", help="a regulator progress report for one period")
    reg.add_argument("form", choices=("cpsc", "fda", "nhtsa", "eu"))
    reg.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    reg.add_argument("--recall", help="recall id (default: the only recall defined)")
    reg.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD (recall's zone)")
    reg.add_argument(
        "--as-of", help="report time, ISO 8601 (default: now): figures as of the period's end or this, if earlier"
    )
    reg.add_argument("--out", help="write the report: .xlsx (laid out like the form), .html or .pdf")
    reg.add_argument("--json", action="store_true", help="print the report's figures as JSON")
    rev = sub.add_parser("review", help="the post-recall review (HTML or PDF)")
    rev.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    rev.add_argument("--recall", help="recall id (default: the only recall defined)")
    rev.add_argument("--as-of", help="review time, ISO 8601 (default: the recall's close + 14 days, or now)")
    rev.add_argument("--out", default="review.pdf", help="review.pdf (default) or review.html")
    alerts_cli().add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "alerts":
        return alerts_cli().run(args)
    if args.command in ("regulator", "review"):
        from documents.cli import run_document

        return run_document(args)
    options = Options(args.fcr_window_h, args.fcr_method, args.sl_threshold_s, args.short_abandon_s)
    try:
        con = connect(args.db, read_only=True)
        report = build_report(con, args.recall, args.as_of, options)
    except (StoreError, UnknownRecall, ValueError, OverflowError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except STORE_IO_ERRORS as e:  # a damaged (e.g. truncated) file fails at its first read
        print(f"error: {args.db or default_path()}: the database file is damaged or unreadable ({e})", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    print(f"{report['recall_id']} as of {report['as_of']}")
    for phase, m in report["phases"].items():
        sl = m["service_level"]["rate"]
        print(
            f"  {phase:17} contacts={m['contacts']:6} handled={m['handled']:6} "
            f"fcr={_pct(m['fcr']['rate'])} sl={_pct(sl)} csat={_pct(m['csat']['rate'])}"
        )
    print("  coverage " + " ".join(f"{k}={v}" for k, v in report["coverage"].items()))
    return 0


def alerts_cli():
    from alerts import cli

    return cli


def _pct(value: float | None) -> str:
    return "    —" if value is None else f"{value:5.1%}"


if __name__ == "__main__":
    sys.exit(main())
