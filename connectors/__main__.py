"""Command line for loading exports.

    python -m connectors ingest PATH... --db FILE [--recall ID] [--tz ZONE] [--mapping NAME]
                                   [--date-format day-first|month-first] [--remove-sample]
    python -m connectors remove-sample --db FILE
    python -m connectors watch DIR --db FILE [--interval S] [--once] [--recall ID] [--tz ZONE]
    python -m connectors mapping save|list|show|delete ... --db FILE
    python -m connectors pull --config live.toml --db FILE [--once] [--secrets FILE]

``ingest`` prints one line per file (connector and rows read / inserted / updated / unchanged /
quarantined, or why the file was refused) and exits 0 when every file was read, 1 otherwise; after
a load the alert rules are evaluated (docs/alerts.md#evaluation). Into a store that still holds the
bundled sample recall it says so, with the sample's share, and offers ``--remove-sample`` (remove it
first) or ``remove-sample`` (store/sample.py).
``watch`` loads what lands in an inbox folder (connectors/watch.py); ``mapping`` manages the saved
column mappings for layouts no connector knows (store/mappings.py); ``pull`` reads vendor APIs and SQL
databases on a schedule (connectors/live/pull.py, docs/live-sources.md).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from connectors import mapping_cmd, watch
from connectors.live import pull
from connectors.load import Failure, ingest_paths
from connectors.reading import date_format_arg
from connectors.redact import mask_text, report_lines
from store.db import StoreError, connect
from store.mappings import MappingError, get_mapping
from store.sample import remove_sample, sample_share


def _ingest(args: argparse.Namespace) -> int:
    con = connect(args.db)
    try:
        spec = get_mapping(con, args.mapping) if args.mapping else None
    except MappingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.remove_sample:
        _remove_sample(con)
    results = ingest_paths(
        con, args.paths, recall_id=args.recall, tz=args.tz, mapping=spec, date_format=args.date_format
    )
    failed = False
    for r in results:
        if isinstance(r, Failure):
            failed = True
            print(f"FAILED {mask_text(r.message)}")
            continue
        for line in report_lines(r):
            print(line)
    share = sample_share(con)
    if share is not None and not share.only_sample:
        print(
            f"note: this store still holds the bundled sample recall — {share.describe()} are sample data, "
            "counted with yours. Remove it: python -m connectors remove-sample --db FILE "
            "(or ingest with --remove-sample)"
        )
    if any(not isinstance(r, Failure) for r in results):
        evaluate_alerts(con)
    return 1 if failed else 0


def evaluate_alerts(con) -> None:
    """Evaluate the alert rules after a load (docs/alerts.md#evaluation). alerts/ sits beside
    connectors/, so it is imported here, by the command, not by the loading code."""
    from alerts.scheduler import after_load

    after_load(con)


def _remove_sample(con) -> int:
    undone = remove_sample(con, getpass.getuser())
    if undone:
        rows = sum(sum(u.deleted.values()) for u in undone)
        print(f"removed the bundled sample data: {len(undone)} ingest(s) undone, {rows:,} rows")
    else:
        print("this store holds no sample data")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:6]),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="load files, folders or .zip archives")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    ingest.add_argument("--recall", help="recall id for files that name none")
    ingest.add_argument("--tz", help="IANA zone for timestamps without an offset (default: the recall's)")
    ingest.add_argument("--mapping", help="saved column mapping to read the files with (no detection)")
    ingest.add_argument(
        "--date-format",
        type=date_format_arg,
        help="day-first or month-first: how to read numeric dates like 03/04/2026 when a column's values do not "
        "decide it (no day above 12); default month first, with a warning",
    )
    ingest.add_argument(
        "--remove-sample", action="store_true", help="remove the bundled sample recall from the store first"
    )
    remove = sub.add_parser("remove-sample", help="remove the bundled sample recall from the store")
    remove.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    mapping_cmd.add_parser(sub)
    watch.add_parser(sub)
    pull.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "watch":
            return watch.main(args)
        if args.command == "remove-sample":
            return _remove_sample(connect(args.db))
        if args.command == "pull":
            return pull.main(args)
        return mapping_cmd.run(args) if args.command == "mapping" else _ingest(args)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
