"""Canonical forms of e-mails, phones and names, so search and duplicate checks ignore formatting."""

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def normalize_phone(value: str) -> str:
    """Digits only, with a leading 00 read as +: "+49 (30) 123-45" and "0049 30 12345" match."""
    value = (value or "").strip()
    digits = _NON_DIGITS.sub("", value)
    if value.startswith("00"):
        digits = digits[2:]
    return digits


def normalize_text(value: str) -> str:
    """Lower case, accents folded, spaces collapsed: "  Zoë  Müller" -> "zoe muller"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", ascii_only).strip().lower()


def email_domain(value: str) -> str:
    email = normalize_email(value)
    return email.rsplit("@", 1)[1] if "@" in email else ""
