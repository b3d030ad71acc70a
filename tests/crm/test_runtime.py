"""crm/runtime.py: a served process (crm/wsgi.py, which gunicorn loads) collects garbage less
often, with what it loaded frozen; HUDDLE_GC=default keeps CPython's collector as it is."""

import json
import os
import subprocess
import sys

from django.conf import settings

from crm.runtime import THRESHOLDS

PROBE = (
    "import gc, json, crm.wsgi; "
    "print(json.dumps([gc.get_threshold(), gc.get_freeze_count(), callable(crm.wsgi.application)]))"
)


def served_process(**env: str) -> tuple[list[int], int, bool]:
    clean = {k: v for k, v in os.environ.items() if k != "HUDDLE_GC"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=clean | {"DJANGO_SETTINGS_MODULE": "crm.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    thresholds, frozen, app = json.loads(result.stdout)
    return thresholds, frozen, app


def test_the_wsgi_application_runs_with_the_tuned_collector():
    thresholds, frozen, app = served_process()

    assert app
    assert tuple(thresholds) == THRESHOLDS
    assert THRESHOLDS[0] > 700  # less often than CPython's default, the point of it all
    assert frozen > 10_000  # Django and Huddle's modules, loaded before the freeze


def test_huddle_gc_default_leaves_the_collector_alone():
    thresholds, frozen, app = served_process(HUDDLE_GC="default")

    assert app
    assert tuple(thresholds) == (700, 10, 10)
    assert frozen == 0
