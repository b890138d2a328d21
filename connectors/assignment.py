"""Which recall the rows of a file will belong to, and why, before it is loaded.

The rule is the store's (docs/data-model.md, store/derived/rules.py): a contact belongs to the
recall it names (in the file, or the recall chosen at upload), or, naming none, to every recall
whose rules it matches — a tag in ``match_tags``, its queue in ``match_queues`` (any case), its
dialled number in ``match_numbers``; an outreach event naming none belongs to every recall one of
whose ``match_campaigns`` it lists (any case). Other tables name their recall.

:func:`tally` counts one part of a read (a preview sums the parts of a batched file) as
``(recall_id, reason) → rows``, with ``recall_id`` None for rows no recall holds; a row held by two
recalls counts once for each. :func:`sentence` says it in words ("1,508 of 2,255 rows belong to
CS-2026-014 by tag `recall_cs2026014`; 747 match no recall"); :func:`assigned` gives each row's
recall(s) for the preview rows.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import polars as pl

NAMED = "(named in the file or at upload)"
# (reason kind, the row's value, the rule list of recalls it is tested against): the first that matches.
_CONTACT_RULES = (
    ("tag", "unnest(x.tags)", "r.match_tags", "x.tags"),
    ("queue", "lower(x.queue)", "r.match_queues", "queue"),
    ("number", "x.dialled_number", "r.match_numbers", "dialled_number"),
)


def _matches(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """(row, recall_id, reason) for every recall that holds a row: the first rule of the row's
    recall that matches it (named, else tag, queue, number; campaign for events)."""
    rows = frame.with_row_index("_row")
    if "recall_id" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.String).alias("recall_id"))
    con.register("_assign_rows", rows.select([c for c in rows.columns if c in _WANTED]))
    try:
        parts = [
            "SELECT x._row, r.recall_id, 'named' AS kind, NULL AS value "
            "FROM _assign_rows x JOIN recalls r ON x.recall_id = r.recall_id"
        ]
        if table == "contacts":
            for rank, (kind, value, rule, col) in enumerate(_CONTACT_RULES, 1):
                if col.removeprefix("x.") not in rows.columns:
                    continue
                parts.append(
                    f"SELECT _row, recall_id, '{kind}' AS kind, value FROM (SELECT x._row, r.recall_id, v AS value, "
                    f"{rank} AS rank FROM (SELECT _row, recall_id AS named, {value} AS v FROM _assign_rows x) x "
                    f"JOIN recalls r ON x.named IS NULL AND list_contains({rule}, x.v))"
                )
        elif table == "notifications" and "campaign" in rows.columns:
            parts.append(
                "SELECT x._row, r.recall_id, 'campaign' AS kind, v AS value FROM "
                "(SELECT _row, recall_id AS named, unnest(campaign) AS v FROM _assign_rows) x "
                "JOIN recalls r ON x.named IS NULL AND list_contains([lower(m) FOR m IN r.match_campaigns], lower(x.v))"
            )
        sql = " UNION ALL ".join(parts)
        return con.sql(
            f"SELECT _row, recall_id, arg_min(kind, k) AS kind, arg_min(value, k) AS value FROM "
            "(SELECT *, CASE kind WHEN 'named' THEN 0 WHEN 'tag' THEN 1 WHEN 'queue' THEN 2 ELSE 3 END AS k "
            f"FROM ({sql})) "
            "GROUP BY _row, recall_id ORDER BY _row, recall_id"
        ).pl()
    finally:
        con.unregister("_assign_rows")


_WANTED = ("_row", "recall_id", "tags", "queue", "dialled_number", "campaign")


def tally(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, table: str) -> Counter[tuple[str | None, str]]:
    """``(recall_id, reason) → rows`` for the rows of ``frame`` (a canonical ``table``); reason
    as :func:`sentence` words it; ``(None, "")`` counts rows no recall holds."""
    out: Counter[tuple[str | None, str]] = Counter()
    if frame.height == 0:
        return out
    found = _matches(con, frame, table)
    for r in found.group_by("recall_id", "kind", "value").len().iter_rows(named=True):
        out[(r["recall_id"], _reason(r["kind"], r["value"]))] += r["len"]
    held = found["_row"].n_unique() if found.height else 0
    if frame.height - held:
        out[(None, "")] += frame.height - held
    return out


def _reason(kind: str, value: str | None) -> str:
    return NAMED if kind == "named" else f"by {kind} `{value}`"


def sentence(counts: Counter[tuple[str | None, str]], rows: int) -> str:
    """ "1,508 of 2,255 rows belong to CS-2026-014 by tag `recall_cs2026014`; 747 match no recall"
    (largest first; a recall's reasons joined)."""
    if rows == 0:
        return "No rows to assign to a recall."
    parts = [
        f"{n:,} of {rows:,} rows belong to {recall} {reason}"
        for (recall, reason), n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0][0]), kv[0][1]))
        if recall is not None
    ]
    unheld = counts.get((None, ""), 0)
    if unheld:
        parts.append(f"{unheld:,} match no recall" + ("" if parts else " (no recall names them or matches them)"))
    return "; ".join(parts) + "."


def assigned(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, table: str) -> pl.Series:
    """Each row's recall(s) as they will be assigned ("R1", "R1, R2", or null): for preview rows."""
    found = _matches(con, frame, table) if frame.height else pl.DataFrame({"_row": [], "recall_id": []})
    by_row: dict[int, list[str]] = {}
    for r in found.iter_rows(named=True):
        by_row.setdefault(r["_row"], []).append(r["recall_id"])
    return pl.Series(
        "recall_id", [", ".join(by_row[i]) if i in by_row else None for i in range(frame.height)], pl.String
    )
