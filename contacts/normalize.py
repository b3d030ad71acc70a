"""Canonical forms of e-mails, phones and names, so search and duplicate checks ignore formatting."""

import re
import unicodedata

from crm.phones import e164_digits

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def normalize_phone(value: str) -> str:
    """E.164 digits in the organisation's region (crm/phones.py): "0175-69827971" and
    "+49 175 69827971" are both "4917569827971" in Germany."""
    return e164_digits(value)


def normalize_text(value: str) -> str:
    """Lower case, accents folded, spaces collapsed: "  Zoë  Müller" -> "zoe muller"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", ascii_only).strip().lower()


def email_domain(value: str) -> str:
    email = normalize_email(value)
    return email.rsplit("@", 1)[1] if "@" in email else ""
