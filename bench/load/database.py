"""Which database the load test runs against, and what is in it.

The survey (machine, row counts, demo users present) runs in a child process,
`python -m bench.load.database URL`: the runner itself never imports Django, so it holds no
connection to the database while gunicorn serves it, and settings read at import time are the
bench database's, not whatever the runner's environment says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
ROOT = BENCH.parent
HOST = "127.0.0.1"
DEMO_USERS = ("admin", "maria", "ana", "ben", "carla", "sam")


def url(database: str, scale: str) -> str:
    """DATABASE_URL when it is set (it must be of the chosen kind), else the scale's bench
    database: bench/data/<scale>.sqlite3, or huddle_bench (huddle_bench_<scale> below the
    large scale) on the local PostgreSQL."""
    given = os.environ.get("DATABASE_URL", "")
    if given:
        if not given.startswith("sqlite" if database == "sqlite" else "postgres"):
            raise SystemExit(f"DATABASE_URL is not a {database} address: {given.split('@')[-1]}")
        return given
    if database == "sqlite":
        path = BENCH / "data" / f"{scale}.sqlite3"
        if not path.exists():
            raise SystemExit(
                f"{path} does not exist: seed it with `python -m bench --scale {scale}`"
            )
        return f"sqlite:///{path}"
    name = "huddle_bench" if scale == "large" else f"huddle_bench_{scale}"
    return f"postgres://postgres@{HOST}:5432/{name}"


def env(database_url: str) -> dict:
    """The app's environment: that database, production settings, plain HTTP on 127.0.0.1."""
    variables = dict(os.environ)
    variables.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="crm.settings",
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        TRUSTED_PROXY_COUNT="0",
    )
    variables.setdefault("SECRET_KEY", "bench-only-secret-key")
    return variables


def survey(database_url: str) -> tuple[dict, dict]:
    """(machine, row counts) as the bench reports them; stops on a database that is not seeded."""
    found = subprocess.run(
        [sys.executable, "-m", "bench.load.database", database_url],
        env=env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    where = database_url.split("@")[-1]
    if found.returncode:
        raise SystemExit(
            f"Cannot read {where}; is it seeded (python -m bench)?\n{found.stderr[-2000:]}"
        )
    answer = json.loads(found.stdout)
    if answer["unapplied"]:
        first = ", ".join(answer["unapplied"][:3])
        raise SystemExit(
            f"{where} lacks {len(answer['unapplied'])} migrations ({first}…): "
            "run `python manage.py migrate` with this DATABASE_URL"
        )
    if answer["missing"]:
        missing = ", ".join(answer["missing"])
        raise SystemExit(f"{where} lacks the demo users {missing}: seed it with python -m bench.")
    return answer["machine"], answer["row_counts"]


def _survey_here(database_url: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from bench import harness
    from crm.runtime import tune_gc

    tune_gc()  # as crm/wsgi.py does in the server's workers, so the machine says what they run
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    present = get_user_model().objects.filter(username__in=DEMO_USERS)
    return {
        "unapplied": [f"{migration.app_label}.{migration.name}" for migration, _ in plan],
        "missing": sorted(set(DEMO_USERS) - set(present.values_list("username", flat=True))),
        "machine": harness.machine(database_url),
        "row_counts": harness.row_counts(),
    }


if __name__ == "__main__":
    json.dump(_survey_here(sys.argv[1]), sys.stdout)
