"""Turn a connector's frame into a canonical one: cast, check, and quarantine what fails.

Rules applied to every table (store/schema.py declares the columns):
- text is parsed by type: ``ts`` by :func:`read_times` in the upload's zone (numeric dates day or
  month first as the column's values decide, else as the upload says), ``float`` by
  :func:`parse_seconds` (numbers or ``H:MM:SS``), ``bool`` by :func:`parse_bools`, ``str_list``
  split on the column's separators (``tags``: commas, semicolons, pipes or white space;
  ``campaign``: commas, semicolons or pipes, items trimmed, none → empty);
- a non-empty value that does not parse, a missing required value, a value outside a column's
  choices, or a negative or longer-than-a-day duration (``_s``) quarantines the row, one
  quarantine entry per failing column;
- a text value longer than 32,767 characters (Excel's cell limit; connectors/longlines.py)
  quarantines its row with that reason alone; a quarantined value is kept to its first 1,000
  characters;
- a row with an ``_extra_cells`` value (more cells than the header: connectors/textfile.py) is
  quarantined, "row has N more cells than the header", column ``_extra_cells``, raw = the surplus;
- emails are trimmed and lower-cased; phones keep their raw text in ``customer_phone_raw`` and
  get E.164 in ``customer_phone`` when the number is international or the country is known and
  the number is possible; an impossible one (``+1`` and 13 digits) keeps its raw text, no E.164,
  and its row is noted for the load's warnings (``ctx.findings``);
- contacts: ``handle_s`` of a call, when not given, is ``talk_s + hold_s + wrap_s`` (hold and
  wrap counted as 0 when unknown, unknown when talk is unknown); ``is_abandoned`` and
  ``is_transferred`` default to false; csat: ``is_satisfied`` is derived from score and scale;
  ``recall_id``, when a row names none, is the recall named at upload; or, for a file with no
  match-rule column (``tags``, ``queue``, ``dialled_number``, ``campaign``), the only recall
  defined (docs/data-model.md#recall-assignment). Otherwise match rules decide at query time.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from connectors.base import REJECT_SCHEMA, ReadContext
from connectors.batches import ReadWhole
from connectors.longlines import MAX_FIELD_CHARS
from connectors.textfile import EXTRA
from connectors.values import (
    date_order,
    default_order,
    invalid_phone_rows,
    normalize_emails,
    normalize_phones,
    parse_bools,
    parse_seconds,
    parse_timestamps,
)
from store.schema import POLARS_TYPES, TABLES, Column

MAX_DURATION_S = 86_400.0
SHOWN_RAW_CHARS = 1_000  # a quarantined value is kept up to this length (then "…")
PARALLEL_FROM_ROWS = 10_000  # measured: below it the columns parse faster on one thread (docs/benchmarks.md)
MATCH_COLUMNS = ("tags", "queue", "dialled_number", "campaign")


def _parse(c: Column, s: pl.Series, ctx: ReadContext) -> pl.Series:
    typ = c.type
    if s.dtype == POLARS_TYPES[typ]:
        return s
    if typ == "ts":
        if s.dtype.is_temporal():
            return s.cast(pl.Datetime("us"))
        return read_times(c.name, s.cast(pl.String), ctx)
    if typ == "float":
        return s.cast(pl.Float64) if s.dtype.is_numeric() else parse_seconds(s)
    if typ == "int":
        return s.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
    if typ == "bool":
        return parse_bools(s.cast(pl.String))
    if typ == "str_list":
        items = s.cast(pl.String).str.extract_all(f"[^{c.separators}]+")
        if "\\s" in c.separators:
            return items
        items = items.list.eval(pl.element().str.strip_chars()).list.eval(pl.element().filter(pl.element() != ""))
        return pl.select(pl.when(items.list.len() > 0).then(items)).to_series().alias(s.name)
    out = s.cast(pl.String).str.strip_chars()
    return out.replace("", None)


def read_times(name: str, text: pl.Series, ctx: ReadContext) -> pl.Series:
    """:func:`parse_timestamps` of column ``name`` with its day/month order decided once per file:
    by the column's values (:func:`date_order`), else the order named at upload
    (``ctx.date_format``), else :func:`default_order`; a column the values cannot decide is noted
    in ``ctx.findings.ambiguous_dates`` (the Upload page asks; the load warns when nobody chose).
    A part of a file read in batches whose values decide an order other than an earlier part's
    undecided one makes the file be read again whole (ReadWhole)."""
    order, example = date_order(text)
    found = ctx.findings
    earlier = found.date_orders.get(name)
    if order in ("day_first", "month_first"):
        if earlier and earlier[0] != order and not earlier[1]:
            raise ReadWhole(f"{name}: dates decide {order} only after an undecided part")
        chosen = earlier[0] if earlier and earlier[1] else order
        found.date_orders[name] = (chosen, True)
        found.ambiguous_dates.pop(name, None)
    elif order is not None:
        chosen = earlier[0] if earlier else (ctx.date_format or default_order(example))
        if not earlier:
            found.date_orders[name] = (chosen, False)
            if order == "ambiguous":
                found.ambiguous_dates[name] = example or ""
    else:
        chosen = earlier[0] if earlier else "month_first"
    return parse_timestamps(text, ctx.tz, day_first=chosen == "day_first")


def _blank(s: pl.Series) -> pl.Series:
    """Null, or text of white space only (no non-space character: found without copying the text)."""
    if s.dtype == pl.String:
        return s.is_null() | ~s.str.contains(r"\S")
    return s.is_null()


def conform(table: str, frame: pl.DataFrame, ctx: ReadContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(canonical rows that passed, rejects) for ``frame`` (canonical column names, any dtype,
    plus ``source_row``). Columns the frame lacks are null."""
    spec = TABLES[table]
    n = frame.height
    rows = frame["source_row"] if "source_row" in frame.columns else pl.Series(range(1, n + 1))
    columns = [c for c in spec.columns if c.name != "customer_phone"]
    own_id = spec.key[-1]  # the record's own id: source_id, unit_id, recall_id
    ids = frame[own_id].cast(pl.String) if own_id in frame.columns else pl.Series([None] * n, dtype=pl.String)

    def one(c: Column) -> tuple[pl.Series, list[pl.DataFrame]]:
        raw = frame[c.name] if c.name in frame.columns else pl.Series(c.name, [None] * n, pl.String)
        return _column(c, raw, rows, ids, ctx)

    # Columns are independent and polars releases the GIL: parse them on every core, unless the
    # frame is small enough that handing columns to threads costs more than parsing them.
    if n < PARALLEL_FROM_ROWS:
        done = [one(c) for c in columns]
    else:
        with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
            done = list(pool.map(one, columns))
    out = {c.name: value for c, (value, _) in zip(columns, done, strict=True)}
    bad = [frame for _, rejects in done for frame in rejects]
    if EXTRA in frame.columns and frame[EXTRA].is_not_null().any():
        bad.append(_extra_cell_rejects(frame[EXTRA], rows, ids))
    typed = pl.DataFrame(out).with_columns(rows.cast(pl.Int64).alias("source_row"))
    typed = _derive(table, typed, frame, ctx)
    rejects = pl.concat(bad) if bad else pl.DataFrame(schema=REJECT_SCHEMA)
    raw = pl.col("raw").fill_null("")
    rejects = rejects.with_columns(
        pl.when(raw.str.len_chars() > SHOWN_RAW_CHARS)
        .then(raw.str.head(SHOWN_RAW_CHARS) + "…")
        .otherwise(raw)
        .alias("raw")
    )
    if rejects.height:
        typed = typed.filter(~pl.col("source_row").is_in(rejects["source_row"].unique().implode()))
    if "customer_phone_raw" in typed.columns:
        invalid = invalid_phone_rows(typed["customer_phone_raw"], typed["customer_phone"], ctx.country)
        if invalid.any():
            ctx.findings.invalid_phone_rows.update(typed["source_row"].filter(invalid).to_list())
    return typed.select([*spec.names, "source_row"]), rejects


def _column(
    c: Column, raw: pl.Series, rows: pl.Series, ids: pl.Series, ctx: ReadContext
) -> tuple[pl.Series, list[pl.DataFrame]]:
    """One column parsed, and a rejects frame per failed check (``ids``: each row's own id)."""
    parsed = _parse(c, raw, ctx)
    value = parsed.alias(c.name)
    if c.choices:
        value = value.str.to_lowercase()
    checks: list[tuple[pl.Series, str]] = []
    # Text kept as it is always "reads"; a parsed value is unread where it is null and the text
    # is not blank (blanks are looked for only when some written text gave null).
    if parsed is not raw and (unread := value.is_null() & raw.is_not_null()).any():
        checks.append((unread & ~_blank(raw), f"cannot read {c.name} value as {c.type}"))
    if c.required:
        checks.append((_blank(raw), f"{c.name} is required"))
    if c.choices:
        checks.append(
            (value.is_not_null() & ~value.is_in(list(c.choices)), f"{c.name} must be one of {', '.join(c.choices)}")
        )
    if c.name.endswith("_s"):
        checks.append((value.is_not_null() & ((value < 0) | (value > MAX_DURATION_S)), f"{c.name} must be 0–86400 s"))
    if raw.dtype == pl.String:
        # Characters never outnumber bytes: count characters only when some value has more bytes.
        too_long = (raw.str.len_bytes() > MAX_FIELD_CHARS).fill_null(False)
        if too_long.any():
            too_long = (raw.str.len_chars() > MAX_FIELD_CHARS).fill_null(False)
        checks = [(m & ~too_long, r) for m, r in checks]  # one reason for an over-long value: its length
        checks.append((too_long, f"{c.name} is longer than {MAX_FIELD_CHARS:,} characters"))
    bad = []
    for mask, reason in checks:
        mask = mask.fill_null(False)
        if mask.any():
            bad.append(
                pl.DataFrame(
                    {
                        "source_row": rows.filter(mask).cast(pl.Int64),
                        "column_name": c.name,
                        "reason": reason,
                        "raw": raw.filter(mask).cast(pl.String),
                        "record_id": ids.filter(mask).str.strip_chars(),
                    }
                )
            )
    return value, bad


def _extra_cell_rejects(extra: pl.Series, rows: pl.Series, ids: pl.Series) -> pl.DataFrame:
    """One quarantine entry per row with surplus cells (a JSON array; other text counts as one cell)."""
    extra = extra.cast(pl.String)
    mask = extra.is_not_null()
    raws = extra.filter(mask).to_list()
    reasons = []
    for raw in raws:
        try:
            cells = json.loads(raw)
            n = len(cells) if isinstance(cells, list) else 1
        except json.JSONDecodeError:
            n = 1
        reasons.append(f"row has {n} more {'cell' if n == 1 else 'cells'} than the header")
    return pl.DataFrame(
        {
            "source_row": rows.filter(mask).cast(pl.Int64),
            "column_name": EXTRA,
            "reason": reasons,
            "raw": raws,
            "record_id": ids.filter(mask).str.strip_chars(),
        },
        schema=REJECT_SCHEMA,
    )


def _derive(table: str, typed: pl.DataFrame, frame: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    cols = typed.columns
    if "customer_email" in cols:
        typed = typed.with_columns(normalize_emails(typed["customer_email"]).alias("customer_email"))
    if "customer_phone_raw" in cols:
        raw = typed["customer_phone_raw"]
        if "customer_phone" in frame.columns:  # a file with only a phone column
            raw = raw.fill_null(frame["customer_phone"].cast(pl.String).str.strip_chars().replace("", None))
        typed = typed.with_columns(
            raw.alias("customer_phone_raw"),
            normalize_phones(raw, ctx.country).alias("customer_phone"),
        )
    has_rules = any(c in frame.columns for c in MATCH_COLUMNS)
    if "recall_id" in cols and ctx.recall_id and table != "recalls" and (ctx.recall_explicit or not has_rules):
        typed = typed.with_columns(pl.col("recall_id").fill_null(ctx.recall_id))
    if table == "contacts":
        call_handle = pl.col("talk_s") + pl.col("hold_s").fill_null(0) + pl.col("wrap_s").fill_null(0)
        typed = typed.with_columns(
            pl.coalesce(
                pl.col("handle_s"),
                pl.when(pl.col("channel") == "phone").then(call_handle),
            ).alias("handle_s"),
            pl.col("is_abandoned").fill_null(False),
            pl.col("is_transferred").fill_null(False),
            pl.col("tags").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    if table == "csat":
        satisfied = (
            pl.when(pl.col("scale") == "1-5")
            .then(pl.col("score") >= 4)
            .when(pl.col("scale") == "good_bad")
            .then(pl.col("score") >= 1)
            .otherwise(None)
        )
        typed = typed.with_columns(
            pl.coalesce(pl.col("is_satisfied"), satisfied).alias("is_satisfied"),
            pl.col("contact_source").fill_null(pl.col("source")),
        )
    return typed
