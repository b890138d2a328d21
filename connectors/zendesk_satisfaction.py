"""Zendesk satisfaction ratings (legacy CSAT, docs/vendor-formats.md#zendesk-satisfaction-ratings), JSON pages with a
``satisfaction_ratings`` array (one page, an array of pages, or pages one per line).

Each rating is a ``csat`` row: source "zendesk", source_id ``ticket-<ticket_id>`` (legacy CSAT
keeps one current rating per ticket; the ticket connectors key a ticket's embedded rating the
same way, so loading both never counts a rating twice), linked to the contact by contact_source
"zendesk" + contact_source_id ``ticket_id``; scale ``good_bad`` with good = 1, bad = 0;
responded_at = ``updated_at`` (the last change of the score), else ``created_at``.

``offered`` and ``unoffered`` are surveys without a response: they are counted as folded (not
loaded, not errors) and summed in a warning; so is an older copy of a rating that overlapping
pages repeat (the newest ``responded_at`` is kept). A rating without ``ticket_id``, with another score,
or that is not an object is quarantined.
"""

from __future__ import annotations

import re

import polars as pl

from connectors import _zendesk as zd
from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile, Unreadable
from connectors.conform import conform
from connectors.textfile import iter_json_records

NAME = "zendesk_satisfaction"
_RATINGS = re.compile(r'"satisfaction_ratings"\s*:\s*\[')
_NO_RESPONSE = ("offered", "unoffered")


def detect(f: SourceFile) -> str | None:
    head = f.head_text().lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")) and _RATINGS.search(head):
        return "Zendesk satisfaction_ratings page"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    ratings: list[tuple[int, object]] = []
    for page_no, page in iter_json_records(f):
        if not isinstance(page, dict) or not isinstance(page.get("satisfaction_ratings"), list):
            raise Unreadable(f"{f.name}: record {page_no} has no satisfaction_ratings array")
        ratings += [(len(ratings) + i, r) for i, r in enumerate(page["satisfaction_ratings"], start=1)]
    rows: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    folded = 0
    for n, r in ratings:
        score = str(r.get("score") or "").strip().lower() if isinstance(r, dict) else ""
        if not isinstance(r, dict):
            rejects.append(zd.reject(n, "", "rating is not a JSON object", r))
        elif score in _NO_RESPONSE:
            folded += 1
        elif score not in ("good", "bad"):
            rejects.append(zd.reject(n, "score", "score must be good, bad, offered or unoffered", r.get("score") or ""))
        elif zd.text(r.get("ticket_id")) is None:
            rejects.append(zd.reject(n, "contact_source_id", "rating has no ticket_id", r))
        else:
            rows.append(
                {
                    "source_id": f"ticket-{zd.text(r['ticket_id'])}",
                    "contact_source_id": zd.text(r["ticket_id"]),
                    "responded_at": zd.text(r.get("updated_at")) or zd.text(r.get("created_at")),
                    "score": 1.0 if score == "good" else 0.0,
                    "source_row": n,
                }
            )
    schema = {"source_id": pl.String, "contact_source_id": pl.String, "responded_at": pl.String}
    frame = pl.DataFrame(rows, schema={**schema, "score": pl.Float64, "source_row": pl.Int64}).with_columns(
        pl.lit(zd.SOURCE).alias("source"), pl.lit(zd.SOURCE).alias("contact_source"), pl.lit("good_bad").alias("scale")
    )
    csat, csat_rejects = conform("csat", frame, ctx)
    before = csat.height  # overlapping pages repeat a rating: keep its newest version
    csat = (
        csat.sort(["responded_at", "source_row"], descending=True, nulls_last=True)
        .unique("source_id")
        .sort("source_row")
    )
    repeated = before - csat.height
    warnings = [f"{f.name}: {folded} surveys offered without a response (not counted)"] if folded else []
    warnings += [f"{f.name}: {repeated} repeated ratings folded into their newest version"] if repeated else []
    return Parsed(
        "csat",
        {"csat": csat},
        rows_read=len(ratings),
        rows_folded=folded + repeated,
        rejects=pl.concat([pl.DataFrame(rejects, schema=REJECT_SCHEMA), csat_rejects]),
        warnings=warnings,
    )
