"""The README's production section, followed as written on this machine: PostgreSQL 15 on
127.0.0.1, gunicorn with the committed config, the crontab lines, a backup and the restore drill.

The commands are read from the README's blocks, not copied here, so the section cannot drift
from what is tested. Replaced, and only these (each must still be in the README):

- `/srv/huddle` is this checkout; `/etc/huddle` and `/var/backups/huddle` are temporary folders;
- the install line reuses this checkout's `.venv` (a fresh venv and `pip install .` take minutes);
- the role and database are not created by `createuser`/`createdb` (the test runs as `postgres`
  and makes the scratch database `huddle_ops_readme` itself); the README's DATABASE_URL points
  there, the drill's database is `huddle_ops_readme_drill`; `sudo` is left out;
- `createsuperuser` is interactive and left out;
- gunicorn listens on a free port (GUNICORN_BIND) with 2 workers (WEB_CONCURRENCY), both
  documented overrides, and runs in the background while the rest goes on.

The crontab lines run as cron runs them: `/bin/sh -c`, `\\%` read as `%`; the calendar sync twice
at the same moment (both must exit 0). The drill runs in the shell state the set-up left (the
environment file read, in the checkout).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECTION = "## Production: PostgreSQL and gunicorn"
DATABASE = "huddle_ops_readme"
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
GUNICORN_LINE = ".venv/bin/gunicorn -c gunicorn.conf.py crm.wsgi"


def section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    return readme[start : end if end != -1 else None]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def replace_all(
    text: str, replacements: list[tuple[str, str]], paths: list[tuple[str, str]]
) -> str:
    """Each replacement must be found (else the README changed under the test); the paths are
    replaced wherever they occur."""
    for old, new in replacements:
        assert old in text, f"The README's production section no longer has {old!r}"
        text = text.replace(old, new)
    for old, new in paths:
        text = text.replace(old, new)
    return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch_databases():
    try:
        server = psycopg.connect(**SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"needs PostgreSQL on 127.0.0.1:5432 as postgres: {error}")

    def drop():
        for name in (DATABASE, f"{DATABASE}_drill"):
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    server.execute(f'CREATE DATABASE "{DATABASE}"')
    yield
    drop()
    server.close()


def test_the_production_section_runs_as_written(scratch_databases, tmp_path):
    etc, backups, port = tmp_path / "etc", tmp_path / "backups", free_port()
    env_file = etc / "huddle.env"
    paths = [
        ("/srv/huddle", str(ROOT)),
        ("/etc/huddle", str(etc)),
        ("/var/backups/huddle", str(backups)),
    ]
    database = [
        (
            "postgres://huddle:THE-PASSWORD@127.0.0.1:5432/huddle",
            f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        )
    ]
    text = section()
    setup, drill = blocks(text, "sh")
    (crontab,) = blocks(text, "crontab")
    setup = replace_all(
        setup,
        [
            ("python3.11 -m venv .venv && .venv/bin/pip install .", ": reuse .venv"),
            ("sudo -u postgres createuser --pwprompt huddle", ": made by the test"),
            ("sudo -u postgres createdb --owner huddle huddle\n", ": made by the test\n"),
            ("sudo install", "install"),
            (".venv/bin/python manage.py createsuperuser", ": interactive"),
            (GUNICORN_LINE, ": started below"),
            *database,
        ],
        paths,
    )
    drill = replace_all(
        drill,
        [
            *database,
            ("sudo -u postgres createdb --owner huddle huddle_drill", f"createdb {DATABASE}_drill"),
            ("sudo -u postgres dropdb huddle_drill", f"dropdb {DATABASE}_drill"),
        ],
        paths,
    )
    cron_commands = [
        line.split(None, 5)[5].replace("\\%", "%")
        for line in replace_all(crontab, [], paths).splitlines()
        if line.strip() and not line.startswith("#")
    ]
    shell_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PGHOST": "127.0.0.1",  # createdb / dropdb reach the server as the test's role
        "PGUSER": "postgres",
    }

    def shell(script: str, program: str = "bash") -> subprocess.CompletedProcess:
        return subprocess.run(
            [program, "-c", script],
            cwd=ROOT,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # 1. Set up: the environment file, migrate, check --deploy.
    done = shell("set -e\n" + setup)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert env_file.stat().st_mode & 0o777 == 0o600

    # 2. gunicorn with the committed config, as the set-up's shell would start it.
    read_env = f"set -a && . {env_file} && set +a && cd {ROOT}"
    gunicorn = subprocess.Popen(
        ["bash", "-c", f"{read_env} && exec {GUNICORN_LINE}"],
        cwd=ROOT,
        env=shell_env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status, body = probe(port)
        assert (status, body) == (200, "ok")

        # 3. The crontab: the calendar sync twice at once, then the nightly backup.
        sync, nightly = cron_commands
        assert "sync_calendars" in sync and "manage.py backup" in nightly
        both = [
            subprocess.Popen(["/bin/sh", "-c", sync], cwd="/", env=shell_env, text=True)
            for _ in range(2)
        ]
        assert [run.wait(timeout=60) for run in both] == [0, 0]
        done = shell(nightly, program="/bin/sh")
        assert done.returncode == 0, done.stderr
        (backup,) = backups.glob("huddle-*.dump")
        assert backup.read_bytes()[:5] == b"PGDMP"
        assert f"to {backup}" in done.stdout

        # 4. The restore drill, in the shell the set-up left.
        done = shell(f"set -e\n{read_env}\n{drill}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Checked: system checks pass, no unapplied migration." in done.stdout
    finally:
        gunicorn.terminate()
        log = gunicorn.communicate(timeout=40)[0]
    assert gunicorn.returncode == 0, log
    assert re.search(r'"GET /healthz HTTP/1\.1" 200 2 .* \d+ms', log), log


def probe(port: int) -> tuple[int, str]:
    """GET /healthz as the proxy would (Host: the site's name), until gunicorn is up."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "crm.example.com"}
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
