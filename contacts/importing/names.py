"""A full name in one cell, split into the first and last name a contact keeps.

"Anna Maria Schmidt" is Anna Maria / Schmidt, "Schmidt, Anna" is Anna / Schmidt, "Jan van der
Berg" is Jan / van der Berg, "Dr. Anna Schmidt" and "Anna Schmidt, PhD" are Anna / Schmidt, and
a single word is a last name (the one a contact cannot do without).
"""

from __future__ import annotations

_SALUTATIONS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "sir", "madam"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "msc", "esq"}
_PARTICLES = {
    "van", "von", "vom", "zu", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le",
    "ten", "ter", "dos", "das", "bin", "al",
}  # fmt: skip


def _bare(token: str) -> str:
    return token.strip(".").lower()


def split_full_name(name: str) -> tuple[str, str]:
    """(first, last); ("", "") for a blank name."""
    name = " ".join((name or "").split())
    if not name:
        return "", ""
    if "," in name:
        before, after = (part.strip() for part in name.split(",", 1))
        after_tokens = after.replace(",", " ").split()
        if after_tokens and not all(_bare(t) in _SUFFIXES for t in after_tokens):
            first = [t for t in after_tokens if _bare(t) not in _SALUTATIONS] or after_tokens
            return " ".join(first), before
        name = before
    tokens = name.split()
    while len(tokens) > 1 and _bare(tokens[0]) in _SALUTATIONS:
        tokens.pop(0)
    while len(tokens) > 1 and _bare(tokens[-1]) in _SUFFIXES:
        tokens.pop()
    if len(tokens) == 1:
        return "", tokens[0]
    start = next(
        (i for i in range(1, len(tokens) - 1) if tokens[i].lower() in _PARTICLES),
        len(tokens) - 1,
    )
    return " ".join(tokens[:start]), " ".join(tokens[start:])
