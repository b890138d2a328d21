"""The ``regulator`` and ``review`` commands of ``python -m metrics`` (docs/cli.md#regulator): figures
from metrics, files from documents. Exit 0; 2 with ``error: …`` on stderr when the store, the recall,
the period, the output file or the PDF renderer cannot be used."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from documents.pdf import PdfError, html_to_pdf
from metrics import regulator
from metrics.periods import PeriodError
from metrics.report import UnknownRecall
from store.db import StoreError, connect

SUFFIXES = {"regulator": (".xlsx", ".html", ".pdf"), "review": (".html", ".pdf")}


def run_document(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in SUFFIXES[args.command]:
        return _fail(f"--out must end in {', '.join(SUFFIXES[args.command])}")
    try:
        con = connect(args.db, read_only=True)
        if args.command == "regulator":
            return _regulator(con, args, out)
        return _review(con, args, out)
    except (StoreError, UnknownRecall, PeriodError, PdfError, ValueError, OSError) as e:
        return _fail(str(e))


def _regulator(con, args: argparse.Namespace, out: Path | None) -> int:
    from documents.html import report_html
    from documents.xlsx import to_xlsx

    report = regulator.build(con, args.form, args.recall, args.period, args.as_of)
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
        print()
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".xlsx":
            out.write_bytes(to_xlsx(report))
        elif suffix == ".html":
            out.write_text(report_html(report), encoding="utf-8")
        else:
            out.write_bytes(html_to_pdf(report_html(report)))
        print(f"{out}: {report.title}, {report.recall_id}, {report.period['label']}", file=sys.stderr)
    if not args.json and out is None:
        _summary(report)
    return 0


def _summary(report: regulator.Report) -> None:
    from documents.formats import cell_text

    print(f"{report.title} · {report.recall_id} · {report.period['label']}")
    print(report.period["status"])
    for section in report.sections:
        print(f"\n{section.title}")
        widths = [max(len(lbl), 14) for _, lbl in section.columns[1:]]
        print(" " * 62 + " ".join(f"{lbl[:w]:>{w}}" for (_, lbl), w in zip(section.columns[1:], widths, strict=True)))
        for row in section.rows:
            cells = " ".join(f"{cell_text(v)[:w]:>{w}}" for v, w in zip(row.values, widths, strict=True))
            print(f"  {row.label[:58]:60}{cells}")


def _review(con, args: argparse.Namespace, out: Path) -> int:
    from alerts.history import episodes
    from documents.review import review_html
    from metrics.review import build_review

    data = build_review(con, args.recall, args.as_of)
    html = review_html({**data, "alerts": episodes(con, data["recall"]["recall_id"], data["as_of"])})
    if out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(html_to_pdf(html))
    print(f"{out}: post-recall review of {data['recall']['recall_id']} as of {data['as_of']}", file=sys.stderr)
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
