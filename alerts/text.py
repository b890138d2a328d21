"""Personal data out of alert text: reason texts are free text typed by agents and customers, and
alerts reach screens and inboxes of people who may not see customers' emails or phones."""

from __future__ import annotations

import re

EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+\.)+[\w-]+")
PHONE = re.compile(r"(?<![\w(])[+(]?\d[\d\s().-]{5,}\d(?!\w)")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _phone(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    if len(digits) < 7 or DATE.fullmatch(m.group(0).strip()):
        return m.group(0)
    return "***" + digits[-2:]


def mask_pii(text: str | None) -> str:
    """Emails become ``a***@***``; runs of 7 or more digits (with spaces, dots, dashes or brackets
    between; ISO dates excepted) become ``***`` and their last two digits."""
    if not text:
        return text or ""
    return PHONE.sub(_phone, EMAIL.sub(lambda m: f"{m.group(1)}***@***", text))
