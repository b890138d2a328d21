"""Value parsers shared by every connector: timestamps, durations, booleans, emails, phones (the E.164
rule itself is the store's: store/phones.py).

Phones: an invalid number (a length its country never uses, e.g. 13 digits after ``+1``) gets no
E.164; the raw text is kept and :func:`invalid_phone_rows` finds it for the load's warnings.

Each parser takes a polars Series of text and returns a typed Series of the same length, with
null where the text is empty *or* unparseable; callers compare nulls before and after to report
the rows that did not parse.
"""

from __future__ import annotations

import re

import polars as pl

from store.phones import e164, normalize_phones, possible_e164

__all__ = [
    "e164",
    "normalize_emails",
    "normalize_phones",
    "parse_bools",
    "parse_seconds",
    "parse_timestamps",
    "possible_e164",
]

# Formats that carry their own offset (converted to UTC).
_AWARE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822 (Twilio API)
    "%a, %d %b %Y %H:%M:%S GMT",
)
# Offset-less local times, read in the upload's zone (two-digit years first: %Y would read "24" as 0024).
_NAIVE_FORMATS = (
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y, %I:%M %p",  # Salesforce report, US locale
    "%m/%d/%Y %I:%M %p",
    "%a, %d %b %Y %H:%M:%S",  # Five9
    "%d %b %Y %H:%M:%S",
)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
# A numeric date written day and month first in some order: 03/04/2026, 3.4.26, 25/03/2026 14:00.
NUMERIC_DATE = r"^\s*(\d{1,2})([/.])(\d{1,2})[/.](\d{4}|\d{2})(?:\D|$)"


def _ordered(formats: tuple[str, ...], day_first: bool) -> tuple[str, ...]:
    """``formats`` with each numeric month/day/year date in the given order, with ``/`` and with
    ``.`` (``%m/%d/%Y`` → ``%d/%m/%Y`` and ``%d.%m.%Y`` for day first); other formats unchanged."""
    out: list[str] = []
    for f in formats:
        if "%m/%d/%" in f:
            g = f.replace("%m/%d/%", "%d/%m/%") if day_first else f
            out += [g, g.replace("/", ".")]
        else:
            out.append(f)
    return tuple(dict.fromkeys(out))


_EXTRA_NAIVE = ("%m/%d/%Y, %H:%M",)  # Salesforce reports in 24-hour locales
_MONTH_FIRST = (_ordered(_NAIVE_FORMATS + _EXTRA_NAIVE, False), _ordered(_DATE_FORMATS, False))
_DAY_FIRST = (_ordered(_NAIVE_FORMATS + _EXTRA_NAIVE, True), _ordered(_DATE_FORMATS, True))


def date_order(text: pl.Series) -> tuple[str | None, str | None]:
    """How the numeric dates of one column order day and month, decided by their values:
    ``("day_first", None)`` when some value's first field is above 12 and no second field is,
    ``("month_first", None)`` the other way round; ``("ambiguous", example)`` when no field is
    above 12 (``03/04/2026``: the values cannot tell), ``("conflicting", example)`` when both
    happen; ``(None, None)`` when the column holds no such date (ISO 8601, epoch…)."""
    text = text.cast(pl.String)
    numeric = text.str.contains(NUMERIC_DATE).fill_null(False)  # a match test is quicker than capturing
    if not numeric.any():
        return None, None
    text = text.filter(numeric)
    parts = text.str.extract_groups(NUMERIC_DATE)
    frame = pl.DataFrame(
        {
            "first": parts.struct.field("1").cast(pl.Int32),
            "second": parts.struct.field("3").cast(pl.Int32),
            "text": text,
        }
    ).filter(pl.col("first").is_not_null())
    if frame.height == 0:
        return None, None
    day_first = bool((frame["first"] > 12).any())
    month_first = bool((frame["second"] > 12).any())
    if day_first != month_first:
        return ("day_first" if day_first else "month_first"), None
    example = str(frame["text"][0]).strip()
    return ("conflicting" if day_first else "ambiguous"), example


def default_order(example: str | None) -> str:
    """The order of an ambiguous column nobody chose: day first for dotted dates (``03.04.2026``,
    a day-first convention), month first for slashes (US vendors' exports)."""
    match = re.match(NUMERIC_DATE, example or "")
    return "day_first" if match and match.group(2) == "." else "month_first"


def parse_timestamps(text: pl.Series, tz: str, day_first: bool = False) -> pl.Series:
    """Text → naive UTC ``Datetime('us')``.

    Accepts ISO 8601 with ``Z`` or an offset, RFC 2822, epoch seconds (9–10 digits, optionally
    fractional) or milliseconds (12–13 digits), and offset-less local date-times or dates, which
    are read in ``tz`` (a nonexistent local time in a DST gap gives null; an ambiguous one takes
    the earlier instant). Numeric dates (``03/04/2026``, ``03.04.2026``) are read month first, or
    day first with ``day_first`` (decide per column with :func:`date_order`). Years before 1900
    are treated as unreadable.
    """
    s = text.cast(pl.String).str.strip_chars()
    s = pl.Series(text.name, s).replace("", None)
    epoch = pl.col("s").str.contains(_EPOCH.pattern)
    num = pl.col("s").cast(pl.Float64, strict=False)
    epoch_us = (
        pl.when(epoch & (num >= 1e11))
        .then(num * 1_000)
        .when(epoch)
        .then(num * 1_000_000)
        .cast(pl.Int64)
        .cast(pl.Datetime("us"))
    )
    aware = [
        pl.col("s").str.to_datetime(f, strict=False, time_zone="UTC", time_unit="us").dt.replace_time_zone(None)
        for f in _AWARE_FORMATS
    ]
    naive_formats, date_formats = _DAY_FIRST if day_first else _MONTH_FIRST
    naive_parts = [pl.col("s").str.to_datetime(f, strict=False, time_unit="us") for f in naive_formats]
    naive_parts += [pl.col("s").str.to_date(f, strict=False).cast(pl.Datetime("us")) for f in date_formats]
    local = (
        pl.coalesce(naive_parts)
        .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
    )

    # Fast paths: two literal formats whose values no other format reads (so their order is free),
    # ISO 8601 ``...Z`` whole seconds (UTC; ten times quicker than an offset pattern) and
    # ``YYYY-MM-DD HH:MM:SS`` (local), the one that reads the column's first value tried first;
    # then the offset pattern; only the rows they cannot read try the rest.
    def utc(v: pl.Series) -> pl.Series:
        return v.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False, time_unit="us", cache=False)

    def local_literal(v: pl.Series) -> pl.Series:
        return (
            v.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us", cache=False)
            .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.replace_time_zone(None)
        )

    def offset(v: pl.Series) -> pl.Series:
        return pl.DataFrame({"s": v}).select(aware[0]).to_series()

    sample = s.drop_nulls().head(1)
    steps = (local_literal, utc) if sample.len() and local_literal(sample).is_not_null().all() else (utc, local_literal)
    first = steps[0](s)
    for step in (*steps[1:], offset):
        rest = s.is_not_null() & first.is_null()
        if not rest.any():
            break
        first = first.scatter(rest.arg_true(), step(s.filter(rest)))
    rest = s.is_not_null() & first.is_null()
    if rest.any():
        others = pl.DataFrame({"s": s.filter(rest)}).select(pl.coalesce([epoch_us, *aware[1:], local]))
        first = first.scatter(rest.arg_true(), others.to_series())
    return pl.select(pl.when(first.dt.year() >= 1900).then(first)).to_series().alias(text.name)


_HMS = r"^(\d+):([0-5]?\d)(?::([0-5]?\d(?:\.\d+)?))?$"


def parse_seconds(text: pl.Series, unit_s: float = 1.0) -> pl.Series:
    """Text → seconds as Float64: a number (multiplied by ``unit_s``, e.g. 0.001 for ms) or
    ``[H]H:MM[:SS]`` (hours may exceed 24)."""
    s = text.cast(pl.String).str.strip_chars()
    number = (s.cast(pl.Float64, strict=False) * unit_s).round(6).alias(text.name)
    clock = number.is_null() & s.is_not_null()  # only those can be H:MM:SS: the pattern runs on them alone
    if not clock.any():
        return number
    parts = pl.DataFrame({"s": s.filter(clock)}).select(pl.col("s").str.extract_groups(_HMS)).to_series()
    hms = (
        parts.struct.field("1").cast(pl.Float64) * 3600
        + parts.struct.field("2").cast(pl.Float64) * 60
        + parts.struct.field("3").cast(pl.Float64).fill_null(0)
    )
    return number.scatter(clock.arg_true(), hms)


_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def parse_bools(text: pl.Series) -> pl.Series:
    """true/t/yes/y/1 → True, false/f/no/n/0 → False (case-insensitive), else null."""
    s = text.cast(pl.String).str.strip_chars().str.to_lowercase()
    frame = pl.DataFrame({"s": s})
    expr = (
        pl.when(pl.col("s").is_in(list(_TRUE)))
        .then(True)
        .when(pl.col("s").is_in(list(_FALSE)))
        .then(False)
        .otherwise(None)
    )
    return frame.select(expr.alias(text.name)).to_series()


def normalize_emails(text: pl.Series) -> pl.Series:
    """Trim and lower-case; empty → null."""
    s = text.cast(pl.String).str.strip_chars().str.to_lowercase()
    return s.replace("", None)


def invalid_phone_rows(raw: pl.Series, e164_values: pl.Series, country: str | None) -> pl.Series:
    """Mask of the numbers that cannot be valid: written, with no E.164, although they are
    international (``+``/``00``) or a country is known. (A national number waiting for its
    recall's country is not invalid: store/phones.py normalizes it later.)"""
    s = raw.cast(pl.String).str.strip_chars()
    international = s.str.contains(r"^(\+|00)").fill_null(False)
    written = s.is_not_null() & (s != "")
    return (written & e164_values.is_null() & (international | (country is not None))).fill_null(False)
