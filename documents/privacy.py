"""Personal data masked by pattern (README.md#sign-in-roles-and-privacy): emails become
``a***@example.com`` and phones ``+1******0142`` (every digit but the last four hidden). The one
declaration of the rule: the pages (ui/export.py) and the documents use it."""

from __future__ import annotations

import polars as pl

PII_COLUMNS = ("customer_email", "customer_phone", "customer_phone_raw", "email", "phone")


def mask_email(col: pl.Expr) -> pl.Expr:
    return col.str.replace(r"^(.)[^@]*@", "${1}***@")


def mask_phone(col: pl.Expr) -> pl.Expr:
    """Every digit but the last four becomes ``*``."""
    return pl.concat_str([col.str.head(-4).str.replace_all(r"\d", "*"), col.str.tail(4)])


def masked(frame: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Mask the personal-data columns of ``frame`` unless ``show_pii``."""
    if show_pii:
        return frame
    out = []
    for name in frame.columns:
        if name in PII_COLUMNS and frame.schema[name] == pl.String:
            expr = mask_email(pl.col(name)) if "email" in name else mask_phone(pl.col(name))
            out.append(expr.alias(name))
    return frame.with_columns(out) if out else frame
