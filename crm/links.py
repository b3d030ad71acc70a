"""A record's page address, reversed once per URL name.

`reverse()` walks the URL resolver on every call; a list of 25 contacts with their companies
asked it about 50 times per page, and a bulk refresh of search entries 10,000 times. An address
made of the record's id differs only in that id, so it is reversed once with a probe id and
the id put in its place afterwards (per script prefix, which can differ per request).
"""

from __future__ import annotations

from django.urls import get_script_prefix, reverse

_PROBE = 2147483646  # an id no address would contain but for the record's own
_templates: dict[tuple[str, str], tuple[str, str] | None] = {}


def record_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])`, for a URL whose only argument is the record's id."""
    key = (name, get_script_prefix())
    template = _templates.get(key, False)
    if template is False:
        parts = reverse(name, args=[_PROBE]).split(str(_PROBE))
        template = _templates[key] = (parts[0], parts[1]) if len(parts) == 2 else None
    if template is None:
        return reverse(name, args=[pk])
    return f"{template[0]}{int(pk)}{template[1]}"
