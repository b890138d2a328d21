"""Recall definition in TOML (docs/cli.md#recall-toml). Loading it again updates the recall.

``[recall]``: ``id``, ``name``, ``timezone`` and ``announced_at`` are required; ``product``,
``country``, ``ongoing_from`` (default ``announced_at`` + 168 h) and ``closed_at`` are optional.
Times are ISO 8601; without an offset they are read in the recall's ``timezone``.
``[match]``: lists ``tags``, ``queues``, ``numbers`` and ``campaigns``.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, Unreadable
from connectors.conform import conform
from connectors.values import e164

NAME = "recall_toml"
ONGOING_AFTER = timedelta(hours=168)


def detect(f: SourceFile) -> str | None:
    if f.suffix != ".toml":
        return None
    return "TOML file with a [recall] table" if "[recall]" in f.head_text() else None


def read(f: SourceFile, ctx: ReadContext) -> Parsed:
    try:
        doc = tomllib.loads(f.path.read_bytes().decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise Unreadable(f"{f.name}: not valid TOML ({e})") from e
    recall, match = doc.get("recall", {}), doc.get("match", {})
    missing = [k for k in ("id", "name", "timezone", "announced_at") if not recall.get(k)]
    if missing:
        raise Unreadable(f"{f.name}: [recall] lacks {', '.join(missing)}")
    try:
        ZoneInfo(recall["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise Unreadable(f"{f.name}: unknown time zone {recall['timezone']!r}") from e
    country = recall.get("country")
    row = {
        "recall_id": str(recall["id"]),
        "name": recall["name"],
        "product": recall.get("product"),
        "timezone": recall["timezone"],
        "country": country.upper() if country else None,
        "announced_at": str(recall["announced_at"]),
        "ongoing_from": str(recall["ongoing_from"]) if recall.get("ongoing_from") else None,
        "closed_at": str(recall["closed_at"]) if recall.get("closed_at") else None,
        "match_tags": [str(t).strip() for t in match.get("tags", [])],
        "match_queues": [str(q).strip().lower() for q in match.get("queues", [])],
        "match_numbers": [e164(str(n), country) or str(n) for n in match.get("numbers", [])],
        "match_campaigns": [str(c).strip().lower() for c in match.get("campaigns", [])],
        "source_row": 1,
    }
    frame = pl.DataFrame([row], schema_overrides={k: pl.List(pl.String) for k in row if k.startswith("match_")})
    typed, rejects = conform("recalls", frame, ReadContext(tz=recall["timezone"]))
    if rejects.height:
        problems = "; ".join(f"{r['column_name']}: {r['reason']} ({r['raw']!r})" for r in rejects.iter_rows(named=True))
        raise Unreadable(f"{f.name}: {problems}")
    typed = typed.with_columns(
        pl.coalesce(pl.col("ongoing_from"), pl.col("announced_at") + ONGOING_AFTER).alias("ongoing_from")
    )
    return Parsed("recalls", {"recalls": typed}, rows_read=1)
