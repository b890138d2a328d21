"""Command line for loading exports.

    python -m connectors ingest PATH... --db FILE [--recall ID] [--tz ZONE] [--mapping NAME]
    python -m connectors watch DIR --db FILE [--interval S] [--once] [--recall ID] [--tz ZONE]
    python -m connectors mapping save|list|show|delete ... --db FILE

``ingest`` prints one line per file (connector and rows read / inserted / updated / unchanged /
quarantined, or why the file was refused) and exits 0 when every file was read, 1 otherwise; after
a load the alert rules are evaluated (docs/alerts.md#evaluation).
``watch`` loads what lands in an inbox folder (connectors/watch.py); ``mapping`` manages the saved
column mappings for layouts no connector knows (store/mappings.py).
"""

from __future__ import annotations

import argparse
import re
import sys

from connectors import mapping_cmd, watch
from connectors.load import Failure, ingest_paths
from store.db import StoreError, connect
from store.mappings import MappingError, get_mapping


def _ingest(args: argparse.Namespace) -> int:
    con = connect(args.db)
    try:
        spec = get_mapping(con, args.mapping) if args.mapping else None
    except MappingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    results = ingest_paths(con, args.paths, recall_id=args.recall, tz=args.tz, mapping=spec)
    failed = False
    for r in results:
        if isinstance(r, Failure):
            failed = True
            print(f"FAILED {r.message}")
            continue
        print(
            f"{r.file_name}: {r.connector} read={r.read} inserted={r.inserted} updated={r.updated} "
            f"unchanged={r.unchanged} quarantined={r.quarantined}"
        )
        for w in r.warnings:
            print(f"  warning: {w}")
        if r.rejects is not None:
            for q in r.rejects.head(5).iter_rows(named=True):
                print(f"  row {q['source_row']}, column {q['column_name']}: {q['reason']} ({_shown(q)!r})")
            if r.rejects.height > 5:
                print(
                    f"  … {r.rejects.height - 5} more quarantine entries (see the Upload page or the quarantine table)"
                )
    if any(not isinstance(r, Failure) for r in results):
        evaluate_alerts(con)
    return 1 if failed else 0


def evaluate_alerts(con) -> None:
    """Evaluate the alert rules after a load (docs/alerts.md#evaluation). alerts/ sits beside
    connectors/, so it is imported here, by the command, not by the loading code."""
    from alerts.scheduler import after_load

    after_load(con)


def _shown(reject: dict) -> str:
    """The quarantined value as printed: personal data (an email or phone column, or anything that
    looks like an address or a number of 7+ digits) is masked, so terminal logs carry none."""
    raw = reject["raw"] or ""
    personal = any(k in (reject["column_name"] or "") for k in ("email", "phone"))
    if personal or "@" in raw or len(re.sub(r"\D", "", raw)) >= 7:
        return re.sub(r"[^\s@.+\-]", "*", raw[:-4]) + raw[-4:] if len(raw) > 4 else "****"
    return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:5]),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="load files, folders or .zip archives")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--db", help="DuckDB file (default $RECALL_OPS_DB or data/recall_ops.duckdb)")
    ingest.add_argument("--recall", help="recall id for files that name none")
    ingest.add_argument("--tz", help="IANA zone for timestamps without an offset (default: the recall's)")
    ingest.add_argument("--mapping", help="saved column mapping to read the files with (no detection)")
    mapping_cmd.add_parser(sub)
    watch.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "watch":
            return watch.main(args)
        return mapping_cmd.run(args) if args.command == "mapping" else _ingest(args)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
