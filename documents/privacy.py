"""Personal data masked by pattern (README.md#sign-in-roles-and-privacy): emails become
``a***@example.com`` and phones ``+1******0142`` (every digit but the last four hidden). The one
declaration of the rule for tables: the pages (ui/export.py) and the documents use it; patterns in
free text follow connectors/redact.py."""

from __future__ import annotations

import polars as pl

from connectors.redact import mask_text_column

PII_COLUMNS = ("customer_email", "customer_phone", "customer_phone_raw", "email", "phone")


def mask_email(col: pl.Expr) -> pl.Expr:
    return col.str.replace(r"^(.)[^@]*@", "${1}***@")


def mask_phone(col: pl.Expr) -> pl.Expr:
    """Every digit but the last four becomes ``*``."""
    return pl.concat_str([col.str.head(-4).str.replace_all(r"\d", "*"), col.str.tail(4)])


def masked(frame: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Mask the personal-data columns of ``frame``, and email and phone patterns in its other text
    columns, unless ``show_pii``."""
    if show_pii:
        return frame
    out = []
    for name in frame.columns:
        if frame.schema[name] != pl.String:
            continue
        if name in PII_COLUMNS:
            expr = mask_email(pl.col(name)) if "email" in name else mask_phone(pl.col(name))
            out.append(expr.alias(name))
        else:
            out.append(mask_text_column(frame[name]).alias(name))
    return frame.with_columns(out) if out else frame
