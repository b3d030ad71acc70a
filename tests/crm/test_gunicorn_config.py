"""gunicorn.conf.py as gunicorn itself resolves it (`gunicorn --print-config`): workers from the
cores unless WEB_CONCURRENCY says otherwise, the bind address from GUNICORN_BIND, timeouts,
worker recycling, and an access log with the forwarded client address and the response time."""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")


def resolved(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "GUNICORN_BIND")}
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py", "crm.wsgi"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    settings_ = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        settings_[name.strip()] = value.strip()
    return settings_


def test_the_committed_config_as_gunicorn_reads_it():
    config = resolved()

    assert config["workers"] == str(multiprocessing.cpu_count() * 2 + 1)
    assert config["bind"] == "['127.0.0.1:8000']"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == ("30", "30", "5")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("1000", "100")
    assert config["accesslog"] == "-"
    assert "%({x-forwarded-for}i)s" in config["access_log_format"]  # the client behind the proxy
    assert "%(M)sms" in config["access_log_format"]  # the response time, in milliseconds
    assert config["proc_name"] == "huddle"


def test_workers_and_address_come_from_the_environment():
    config = resolved(WEB_CONCURRENCY="3", GUNICORN_BIND="127.0.0.1:8123")

    assert config["workers"] == "3"
    assert config["bind"] == "['127.0.0.1:8123']"


def test_a_config_that_does_not_load_fails_the_check():
    result = subprocess.run(
        [str(GUNICORN), "--check-config", "-c", "gunicorn.conf.py", "crm.wsgi"],
        cwd=ROOT,
        env=os.environ | {"WEB_CONCURRENCY": "many"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "'many'" in result.stderr
