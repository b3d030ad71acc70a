"""django-tables2, tuned: it inspects a callable's signature for every cell it renders.

`inspect.signature` costs about as much as rendering the cell itself, and the answer never
changes for a given function, so it is remembered here (bounded, keyed by the underlying
function). Installed once from CrmConfig.ready().
"""

from __future__ import annotations

import django_tables2.utils

_MAX_ENTRIES = 4096
_uncached_signature = django_tables2.utils.signature
_signatures: dict[tuple[object, bool], tuple] = {}


def _cached_signature(fn):
    bound = hasattr(fn, "__func__")
    key = (fn.__func__ if bound else fn, bound)
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable: nothing to remember it by
        return _uncached_signature(fn)
    if len(_signatures) >= _MAX_ENTRIES:
        _signatures.clear()
    _signatures[key] = result = _uncached_signature(fn)
    return result


def install() -> None:
    django_tables2.utils.signature = _cached_signature
