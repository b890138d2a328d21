"""Registry of affected units (warranty registrations, orders, distributor lists), CSV or XLSX.

Headers match case-insensitively, spaces/underscores/hyphens alike (docs/vendor-formats.md#registries);
a unit column and at least one customer column (ref, email or phone) are needed; other
columns are ignored (a row with more cells than the header is quarantined). The words registries
use for supply-chain level, remedy and disposition (``Retail``, ``Replacement``, ``Theft``…) are
read as the canonical values (``VALUE_ALIASES``, docs/regulator-reports.md#registry-columns);
anything else is left for the schema's check, which quarantines it. XLSX: the first
sheet, header in row 1 (connectors.textfile.read_xlsx); a large CSV is read in batches
(connectors/batches.py). This is also the canonical ``affected`` layout. The file
belongs to the recall named at upload, or to the only recall defined; a file that names no
recall when neither exists is refused (load the recall's TOML first, or pass ``--recall``).
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from connectors.base import Parsed, ReadContext, SourceFile, Unreadable, norm_header
from connectors.batches import batched, delimited_batches
from connectors.conform import conform
from connectors.textfile import EXTRA, read_table
from store.schema import AFFECTED

NAME = "registry"
ALIASES: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "serial", "serial_number", "vin", "unit"),
    "lot": ("lot", "lot_number", "batch", "batch_number"),
    "customer_ref": ("customer_ref", "customer_id", "registration_id", "account_id"),
    "customer_email": ("email", "e_mail", "email_address", "customer_email"),
    "customer_phone_raw": ("phone", "phone_number", "mobile", "telephone", "customer_phone"),
    "region": ("region", "state", "country"),
    "remedy": ("remedy", "remedy_type"),
    "remedy_completed_at": ("remedy_completed_at", "remedied_at", "completed_at"),
    "supply_chain_level": (
        "supply_chain_level",
        "chain_level",
        "distribution_level",
        "supply_chain",
        "held_by",
        "product_location",
    ),
    "disposition": ("disposition", "unit_disposition", "unreachable_reason", "removal_reason"),
    "disposition_at": ("disposition_at", "disposition_date", "disposed_at", "removed_at"),
    "recall_id": ("recall_id",),
}
# Words used in registries → the canonical value (compared lower-case, spaces/hyphens as underscores).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "supply_chain_level": {
        "mfr": "manufacturer",
        "manufacturing": "manufacturer",
        "factory": "manufacturer",
        "wholesaler": "distributor",
        "wholesale": "distributor",
        "importer": "distributor",
        "retail": "retailer",
        "retailers": "retailer",
        "store": "retailer",
        "dealer": "retailer",
        "consumers": "consumer",
        "customer": "consumer",
        "owner": "consumer",
        "end_user": "consumer",
        "user": "consumer",
    },
    "remedy": {
        "refunded": "refund",
        "replacement": "replace",
        "replaced": "replace",
        "repaired": "repair",
        "repair_kit": "repair",
        "destroyed": "destroy",
        "dispose": "destroy",
        "disposal": "destroy",
        "disposed": "destroy",
    },
    "disposition": {
        "export": "exported",
        "theft": "stolen",
        "stolen_unit": "stolen",
        "scrap": "scrapped",
        "destroyed": "scrapped",
        "destroyed_by_owner": "scrapped",
        "not_notified": "not_notified",
        "no_address": "not_notified",
        "undeliverable": "not_notified",
        "failed_to_receive_notification": "not_notified",
        "inspected_no_remedy_needed": "no_remedy_needed",
        "no_remedy_required": "no_remedy_needed",
        "not_affected": "no_remedy_needed",
    },
}
_CUSTOMER = ("customer_ref", "customer_email", "customer_phone_raw")


def _mapping(headers: list[str]) -> dict[str, str]:
    """header as written → canonical column (first matching header wins)."""
    out: dict[str, str] = {}
    for h in headers:
        key = norm_header(h)
        for canonical, names in ALIASES.items():
            if key in names and canonical not in out.values():
                out[h] = canonical
                break
    return out


def _canonical_words(values: pl.Series) -> pl.Series:
    """A choice column's registry words as canonical values; other text unchanged (conform checks it)."""
    words = VALUE_ALIASES[values.name] | {v: v for v in AFFECTED.column(values.name).choices}
    text = values.cast(pl.String)
    key = text.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-/]+", "_")
    return key.replace_strict(words, default=None, return_dtype=pl.String).fill_null(text).alias(values.name)


def detect(f: SourceFile) -> str | None:
    mapped = _mapping(f.header())
    cols = set(mapped.values())
    has_unit = "unit_id" in cols or "lot" in cols
    if has_unit and cols & set(_CUSTOMER):
        return f"registry header ({', '.join(sorted(mapped))})"
    return None


def read(f: SourceFile, ctx: ReadContext) -> Parsed | Iterator[Parsed]:
    if batched(f):
        return (_parsed(f, frame, ctx, []) for frame in delimited_batches(f))
    frame, warnings = read_table(f)
    return _parsed(f, frame, ctx, warnings)


def _parsed(f: SourceFile, frame: pl.DataFrame, ctx: ReadContext, warnings: list[str]) -> Parsed:
    mapping = _mapping([c for c in frame.columns if c not in ("source_row", EXTRA)])
    kept = ["source_row", *([EXTRA] if EXTRA in frame.columns else [])]
    frame = frame.select([pl.col(h).alias(c) for h, c in mapping.items()] + kept)
    if "unit_id" not in frame.columns:  # lot-only registry: a lot is the unit
        frame = frame.with_columns(pl.col("lot").alias("unit_id"))
    if "recall_id" not in frame.columns:
        if not ctx.recall_id:
            raise Unreadable(
                f"{f.name}: this registry names no recall and no single recall is defined — "
                "load the recall's TOML first or name the recall at upload (--recall)"
            )
        frame = frame.with_columns(pl.lit(ctx.recall_id, dtype=pl.String).alias("recall_id"))
    frame = frame.with_columns(_canonical_words(frame[c]) for c in VALUE_ALIASES if c in frame.columns)
    typed, rejects = conform("affected", frame, ctx)
    return Parsed("affected", {"affected": typed}, rows_read=frame.height, rejects=rejects, warnings=warnings)
