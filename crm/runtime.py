"""How a Huddle web process runs Python: the garbage collector, tuned for short requests.

A list page allocates some hundred thousand objects (querysets, model rows, template nodes) that
die with the request. CPython's default threshold (700) runs a young-generation collection every
few hundred of them, and every so often a full one over everything the process ever loaded
(Django, the URL conf, compiled templates). Collected ten times less often, and with what was
loaded at start frozen out of the collector's sight, the contacts list took 8–15 % less time at
the median and its p95 fell by more (bench data, large; interleaved in one process). Reference
cycles are still collected, only in larger batches.

crm/wsgi.py applies this once the application has loaded (so gunicorn's workers run with it),
and the bench does the same before it measures, so its figures are those of a served process.
"""

from __future__ import annotations

import gc
import os

THRESHOLDS = (50_000, 20, 100)  # young, middle, old; CPython 3.11's defaults are (700, 10, 10)


def tune_gc() -> tuple[int, int, int]:
    """Freeze what is loaded so far and collect less often; HUDDLE_GC=default leaves CPython's
    collector as it is. Returns the thresholds in force."""
    if os.environ.get("HUDDLE_GC", "").lower() != "default":
        gc.collect()
        gc.freeze()  # loaded modules and settings: never garbage, never scanned again
        gc.set_threshold(*THRESHOLDS)
    return gc.get_threshold()
