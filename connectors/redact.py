"""Personal data hidden from anyone who is not an admin: in quarantine lines, error messages,
warnings, reason files and every text a page shows.

Rules (docs/data-model.md: quarantine; README: roles):

- **Patterns, anywhere in text** (:func:`mask_text`): an email address keeps its first character and
  its domain (``p***@example.com``); a phone number keeps its last four digits
  (``+*********0142``). A phone is ``+`` or ``00`` and 7–15 digits, digits grouped the way numbers
  are written (``(312) 555-0142``, ``312-555-0142``, ``030 1234 5678``), or a run of 10–15 digits;
  dates, times and ids (``48213``, ``CA5f…``, UUIDs) are not phones and stay readable. A field that
  is an id or a time and holds only digits (an epoch stamp, a numeric id) stays readable too.
- **Fields of a record** (:func:`mask_record`), by their key: email keys → email mask; phone and
  party keys (``phone``, ``mobile``, ``from``, ``to``, ``recipient_id``, ``wa_id``, ``ani``…) → phone
  mask (an address among them → email mask); names → first letter; free-text bodies (``body``,
  ``text``, ``subject``, ``description``, ``comment``…) → their length only. Ids (``id``, ``…_id``,
  ``…sid``) and times stay in clear; other text gets the patterns.
- **A quarantine line** (:func:`quarantine_line`, :func:`quarantine_view`) shows the input row, the
  record's own id (ticket id, ContactId, CallSid, sg_event_id, wamid, serial), the failing column,
  the reason and the failing field's value in clear — masked only when the value itself is personal
  — and, for tables and downloads, the raw record with its personal values masked.
"""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# A phone: "+"/"00" and digits with separators, or grouped digits; checked by _phone() after matching.
PHONE = re.compile(r"(?<![\w+.-])(?:\+|\b)\(?\d[\d\s().\-]{5,}\d(?![\w])")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\s")
_GROUPED = re.compile(r"^\(?\d{2,5}\)?[\s.\-]\d{2,4}(?:[\s.\-]\d{2,5})+$")
# A cheap superset of what mask_text changes (Rust regex: no look-around), to skip clean values.
_CANDIDATE = r"@|\+\s?\d|\d[\s.\-)]\d{2,4}[\s.\-]\d{2,5}|\b00\d{7}|\d{10}"

_EMAIL_KEY = re.compile(r"e-?mail|address", re.I)
_PHONE_KEY = re.compile(
    r"phone|mobile|\btel|msisdn|whatsapp|^from$|^to$|recipient|wa_?id|\bani\b|\bdnis\b|caller|callee|endpoint|sms", re.I
)
_NAME_KEY = re.compile(r"(^|_|\b)(name|requester|customer|first_?name|last_?name|full_?name)$", re.I)
_BODY_KEY = re.compile(r"body|text|subject|description|comment|message|content|note|transcript|response", re.I)
_ID_KEY = re.compile(r"(^id$|_id$|id$|sid$|^sid|Id$|number$|^serial|^unit)", re.I)
_TIME_KEY = re.compile(r"time|date|_at$|stamp|created|updated|start|end", re.I)


def mask_email(address: str) -> str:
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", address)


def mask_phone(number: str) -> str:
    """Every digit but the last four becomes ``*``."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    hide = set(digits[:-4]) if len(digits) > 4 else set(digits)
    return "".join("*" if i in hide else ch for i, ch in enumerate(number))


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if _DATE.match(text.strip()) or not 7 <= digits <= 15:
        return text
    international = text.startswith("+") or (text.startswith("00") and text[2:3].isdigit())
    if international or _GROUPED.match(text.strip()) or (text.isdigit() and digits >= 10):
        return mask_phone(text)
    return text


def mask_text(text: str) -> str:
    """Email addresses and phone numbers anywhere in ``text`` masked (module docstring)."""
    if not text:
        return text
    return PHONE.sub(_phone, mask_email(text))


def _kind(key: str | None) -> str:
    """What a field named ``key`` holds: id, time, email, phone, name, body, or other."""
    k = (key or "").strip()
    if not k:
        return "other"
    if _EMAIL_KEY.search(k):
        return "email"
    if _PHONE_KEY.search(k):
        return "phone"
    if _ID_KEY.search(k) and not _NAME_KEY.search(k):
        return "id"
    if _TIME_KEY.search(k):
        return "time"
    if _NAME_KEY.search(k):
        return "name"
    if _BODY_KEY.search(k):
        return "body"
    return "other"


def mask_value(key: str | None, value: str) -> str:
    """One field's text as a non-admin sees it, by what its key says it holds."""
    kind = _kind(key)
    if kind == "email":
        return mask_email(value) if "@" in value else mask_text(value)
    if kind == "phone":
        return mask_email(value) if "@" in value else mask_phone(value)
    if kind == "name":
        return (value[:1] + "***") if value.strip() else value
    if kind == "body":
        return f"[{len(value)} characters hidden]" if value.strip() else value
    if kind in ("id", "time") and value.strip().isdigit():
        return value  # a numeric id or an epoch stamp, in clear
    return mask_text(value)  # an id built from an address (Mailchimp) hides it


def mask_record(value: Any, key: str | None = None) -> Any:
    """A JSON value with its personal fields masked (module docstring); structure kept."""
    if isinstance(value, dict):
        return {k: mask_record(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_record(v, key) for v in value]
    if isinstance(value, str):
        return mask_value(key, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _kind(key) in ("phone", "email"):
        return mask_phone(str(value))
    return value


def _json_object(raw: str | None) -> Any:
    if not raw or not raw.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def mask_raw(raw: str | None, column: str | None = None) -> str | None:
    """A quarantined ``raw`` (a record as JSON, or the failing value) masked for a non-admin."""
    if raw is None:
        return None
    record = _json_object(raw)
    if record is not None:
        return json.dumps(mask_record(record), ensure_ascii=False)
    return mask_value(column, raw)


def _norm(key: str) -> str:
    return re.sub(r"[\s_\-.]", "", key).lower()


def _find(record: Any, wanted: str, depth: int = 0) -> Any:
    """The first value (depth first) whose key matches ``wanted`` loosely; ``...`` when none."""
    if depth > 6:
        return ...
    if isinstance(record, dict):
        for k, v in record.items():
            if _norm(str(k)) == wanted:
                return v
        for v in record.values():
            found = _find(v, wanted, depth + 1)
            if found is not ...:
                return found
    elif isinstance(record, list):
        for v in record[:50]:
            found = _find(v, wanted, depth + 1)
            if found is not ...:
                return found
    return ...


def failing_value(raw: str | None, column: str | None) -> str | None:
    """The failing field's value: the raw text, or, when the raw is a whole record, its field
    named like ``column`` (``channel`` finds ``Channel``, ``via.channel``…); None when not found."""
    if raw is None:
        return None
    record = _json_object(raw)
    if record is None:
        return raw
    if not column:
        return None
    value = _find(record, _norm(column))
    if value is ... or value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def shown_value(raw: str | None, column: str | None, show_pii: bool = False) -> str | None:
    """:func:`failing_value` as a person sees it: in clear unless it is personal."""
    value = failing_value(raw, column)
    if value is None or show_pii:
        return value
    return mask_value(column, value)


def quarantine_line(reject: dict[str, Any], show_pii: bool = False, width: int = 120) -> str:
    """One quarantine entry as a line of text: row, the record's id, column, reason, the failing
    value (masked only when personal); for the command line and reason files."""
    parts = [f"row {reject.get('source_row')}"]
    if reject.get("record_id"):
        parts.append(f"id {reject['record_id']}")
    column = reject.get("column_name")
    head = ", ".join(parts) + (f", column {column}" if column else "")
    value = shown_value(reject.get("raw"), column, show_pii)
    reason = reject.get("reason") or ""
    if not show_pii:
        reason = mask_text(reason)
    text = f"{head}: {reason}"
    if value is not None:
        value = value if len(value) <= width else value[: width - 1] + "…"
        text += f" (value {value!r})"
    return text


def quarantine_view(rejects: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    """Quarantine rows for a table or a download: ``source_row``, ``record_id``, ``column_name``,
    ``reason``, ``value`` (the failing field's value) and ``raw`` (the input; personal values
    masked unless ``show_pii``)."""
    if rejects.height == 0:
        return rejects.with_columns(pl.lit(None, dtype=pl.String).alias("value")).select(_VIEW)
    if "record_id" not in rejects.columns:
        rejects = rejects.with_columns(pl.lit(None, dtype=pl.String).alias("record_id"))
    rows = rejects.select("raw", "column_name").rows()
    values = [shown_value(raw, column, show_pii) for raw, column in rows]
    raws = [raw if show_pii else mask_raw(raw, column) for raw, column in rows]
    reasons = rejects["reason"] if show_pii else rejects["reason"].map_elements(mask_text, return_dtype=pl.String)
    return rejects.with_columns(
        pl.Series("value", values, dtype=pl.String),
        pl.Series("raw", raws, dtype=pl.String),
        reasons.alias("reason"),
    ).select(_VIEW)


_VIEW = ["source_row", "record_id", "column_name", "reason", "value", "raw"]


def mask_text_column(values: pl.Series) -> pl.Series:
    """:func:`mask_text` over a text column; values without a candidate pattern are left alone
    (one vectorised test), each distinct candidate masked once."""
    text = values.cast(pl.String)
    hits = text.str.contains(_CANDIDATE).fill_null(False)
    if not hits.any():
        return text
    distinct = text.filter(hits).unique().to_list()
    masked = {v: mask_text(v) for v in distinct}
    return pl.select(pl.when(hits).then(text.replace_strict(masked, default=text)).otherwise(text)).to_series()


def report_lines(r: Any, shown: int = 5) -> list[str]:
    """One file's load as printed (and written to an inbox reason file): the counts, warnings and
    the first ``shown`` quarantine lines — row, the record's id, column, reason and failing value,
    personal data masked (connectors/redact.py), so terminal logs carry none."""
    lines = [
        f"{r.file_name}: {r.connector} read={r.read} inserted={r.inserted} updated={r.updated} "
        f"unchanged={r.unchanged} quarantined={r.quarantined}"
    ]
    lines += [f"  warning: {mask_text(w)}" for w in r.warnings]
    if r.rejects is not None:
        lines += [f"  {quarantine_line(q)}" for q in r.rejects.head(shown).iter_rows(named=True)]
        if r.rejects.height > shown:
            lines.append(
                f"  … {r.rejects.height - shown} more quarantine entries (see the Upload page or the quarantine table)"
            )
    return lines


def quarantine_reasons(view: pl.DataFrame) -> pl.DataFrame:
    """A quarantine view (:func:`quarantine_view`, already masked as shown) grouped by reason:
    ``reason``, ``column_name``, ``entries`` and up to three example ``rows`` ("2, 3, 9"), most
    entries first."""
    if view.height == 0:
        return pl.DataFrame(
            schema={"reason": pl.String, "column_name": pl.String, "entries": pl.UInt32, "rows": pl.String}
        )
    return (
        view.group_by("reason", "column_name")
        .agg(
            pl.len().alias("entries"), pl.col("source_row").sort().head(3).cast(pl.String).str.join(", ").alias("rows")
        )
        .sort(["entries", "reason"], descending=[True, False])
        .select("reason", "column_name", "entries", "rows")
    )
