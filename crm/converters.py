"""`<id:pk>`: the path converter for record ids in every urls.py.

Django's `<int:…>` takes any number of digits, so `/contacts/99999999999999999999999/` reached
the view and the database, which holds 64-bit ids at most: SQLite raised OverflowError and
PostgreSQL "out of range", a 500 instead of a 404. An id is 1 to 18 digits (below 2**63 always),
so a longer one matches no URL at all and answers 404 before any view runs.

Importing this module registers the converter (once: Python imports a module once); each urls.py
that uses `<id:…>` imports it.
"""

from __future__ import annotations

from django.urls import register_converter

ID_DIGITS = 18
ID_PATTERN = rf"[0-9]{{1,{ID_DIGITS}}}"


def is_id(value) -> bool:
    """Whether a value from outside (a query string, a POST body) can name a record: 1 to 18
    ASCII digits. `str.isdigit()` is not enough: it takes any length, and "²" or "٣"."""
    text = str(value)
    return 0 < len(text) <= ID_DIGITS and text.isascii() and text.isdigit()


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
