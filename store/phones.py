"""Phone numbers: the E.164 rule every reader and the store use, and the phones written without a
country code, which wait in the store until a recall gives the country.

E.164: a number written with ``+`` or ``00`` is international; any other needs the recall's country
(ISO 3166 alpha-2) and is left empty without one; a number that is not a possible number is left
empty (the raw text stays in ``customer_phone_raw``).

Waiting phones: a row whose ``customer_phone`` is empty and ``customer_phone_raw`` is not is normalized
with the country of the row's own recall (``recall_id``), else with the country shared by every
defined recall when there is exactly one. So a contacts file loaded before its recall's TOML
gets the same E.164 numbers as one loaded after it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import duckdb
import phonenumbers
import polars as pl

from store.derived.touched import TOUCH_COLUMNS, touch_rows
from store.versions import current_rows

PHONE_TABLES = ("contacts", "notifications", "affected")


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _possible_lengths() -> dict[str, set[int]]:
    """Country calling code → the possible lengths of its national numbers (libphonenumber's
    metadata, local-only lengths included: what ``is_possible_number`` accepts)."""
    out: dict[str, set[int]] = {}
    metadata = [phonenumbers.PhoneMetadata.metadata_for_region(r) for r in phonenumbers.SUPPORTED_REGIONS]
    metadata += [
        phonenumbers.PhoneMetadata.metadata_for_nongeo_region(c) for c in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ]
    for md in metadata:
        lengths = out.setdefault(str(md.country_code), set())
        lengths.update(md.general_desc.possible_length or ())
        lengths.update(md.general_desc.possible_length_local_only or ())
    return out


_LENGTHS = _possible_lengths()
_CODES = {n: sorted(c for c in _LENGTHS if len(c) == n) for n in (1, 2, 3)}  # calling codes are prefix-free
_PAIRS = sorted(f"{c}:{n}" for c, lengths in _LENGTHS.items() for n in lengths)


def possible_e164(compact: str) -> bool:
    """``compact`` (``+`` and 7–15 digits) has a known country calling code followed by a national
    number of a length possible for it (``+1`` and 13 digits is not)."""
    digits = compact[1:]
    for n in (1, 2, 3):
        if digits[:n] in _LENGTHS:
            return len(digits) - n in _LENGTHS[digits[:n]]
    return False


def _possible_e164(compact: pl.Expr) -> pl.Expr:
    """Vectorised :func:`possible_e164` for strings already shaped like E.164."""
    digits = compact.str.slice(1)
    rest = digits.str.len_chars()
    key = pl.lit(None, dtype=pl.String)
    for n in (3, 2, 1):
        code = digits.str.slice(0, n)
        key = pl.when(code.is_in(_CODES[n])).then(code + ":" + (rest - n).cast(pl.String)).otherwise(key)
    return key.is_in(_PAIRS).fill_null(False)


@lru_cache(maxsize=200_000)
def e164(raw: str, country: str | None) -> str | None:
    """One phone number → E.164, or None when it is not a possible number.

    A number written with ``+`` or ``00`` is read as international; any other needs
    ``country`` (ISO 3166 alpha-2, e.g. "US") and is None without it. A number shaped like E.164
    whose national part has a length its country never uses (``+1`` and 13 digits) is not
    possible: libphonenumber then decides (it drops a national prefix written after the country
    code, ``+44 0…``) and it is None when still impossible.
    """
    raw = raw.strip()
    if not raw:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    compact = re.sub(r"[\s().\-/]", "", raw)
    if _E164.match(compact) and possible_e164(compact):
        return compact
    if not raw.startswith("+") and not country:
        return None
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(text: pl.Series, country: str | None) -> pl.Series:
    """Series version of :func:`e164`: numbers already in E.164 (with a possible length) once
    spaces, dots, dashes, slashes and brackets are removed are kept vectorised; each other distinct
    value is parsed once."""
    s = text.cast(pl.String).str.strip_chars()
    compact = s.str.replace(r"^00", "+").str.replace_all(r"[\s().\-/]", "")
    shaped = compact.str.contains(_E164.pattern).fill_null(False)
    ready = pl.select(shaped & _possible_e164(pl.lit(compact))).to_series()
    others = s.filter(~ready & s.is_not_null()).unique()
    parsed = {v: e164(v, country) for v in others}
    slow = (
        s.replace_strict(parsed, default=None, return_dtype=pl.String)
        if parsed
        else pl.repeat(None, s.len(), dtype=pl.String, eager=True)
    )
    return pl.select(pl.when(ready).then(compact).otherwise(slow)).to_series().alias(text.name)


def normalize_pending_phones(con: duckdb.DuckDBPyConnection, ingest_id: int | None = None) -> int:
    """Fill ``customer_phone`` where it can now be known; returns the rows updated. With
    ``ingest_id``, only the rows that ingest wrote are looked at: enough after a load that changed
    no recall (no other row's country can have become known), and no scan of the whole store."""
    countries = [r[0] for r in con.execute("SELECT DISTINCT country FROM recalls WHERE country IS NOT NULL").fetchall()]
    only_country = countries[0] if len(countries) == 1 else None
    updated = 0
    for table in PHONE_TABLES:
        pending = con.sql(
            f"SELECT DISTINCT t.customer_phone_raw AS raw, coalesce(r.country, ?) AS country "
            f"FROM {table} t LEFT JOIN recalls r USING (recall_id) "
            f"WHERE t.customer_phone IS NULL AND t.customer_phone_raw IS NOT NULL"
            + ("" if ingest_id is None else f" AND t.ingest_id = {int(ingest_id)}"),
            params=[only_country],
        ).pl()
        pending = pending.filter(pl.col("country").is_not_null())
        if pending.height == 0:
            continue
        pending = pending.with_columns(
            pl.struct("raw", "country")
            .map_elements(lambda r: e164(r["raw"], r["country"]), return_dtype=pl.String)
            .alias("e164")
        ).filter(pl.col("e164").is_not_null())
        if pending.height == 0:
            continue
        con.register("_pending", pending)
        target, current = current_rows(con, table)
        changed = con.execute(
            f"UPDATE {target} a SET customer_phone = p.e164 FROM _pending p "
            f"WHERE {current} AND a.customer_phone IS NULL AND a.customer_phone_raw = p.raw "
            + ("" if ingest_id is None else f"AND a.ingest_id = {int(ingest_id)} ")
            + f"AND p.country = coalesce((SELECT country FROM recalls WHERE recall_id = a.recall_id), ?) "
            f"RETURNING {TOUCH_COLUMNS[table]}",
            [only_country],
        ).fetchall()
        if isinstance(con, duckdb.DuckDBPyConnection):  # PostgreSQL recomputes its facts whole
            touch_rows(con, table, changed)
        updated += len(changed)
        con.unregister("_pending")
    return updated
