"""gunicorn's settings for Huddle: `.venv/bin/gunicorn -c gunicorn.conf.py crm.wsgi`.

Everything that differs per machine comes from the environment, as in crm/settings.py:
GUNICORN_BIND (default 127.0.0.1:8000: the TLS proxy in front is the only client) and
WEB_CONCURRENCY (default: 2 × cores + 1, gunicorn's own advice for sync workers, which spend much
of a request waiting on the database). `gunicorn --print-config -c gunicorn.conf.py crm.wsgi`
shows what a machine resolves them to (tests/crm/test_gunicorn_config.py).
"""

import multiprocessing
import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# gunicorn itself refuses a WEB_CONCURRENCY that is not a whole number, before reading this file.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
proc_name = "huddle"

# Huddle answers in milliseconds; a request still running after 30 s is stuck (a calendar
# server that never answers is bounded by HUDDLE_CALENDAR_FETCH_SECONDS, 20), so its worker is
# replaced. A restart lets running requests finish for as long again.
timeout = 30
graceful_timeout = 30
# The proxy in front keeps connections open between requests; a little longer than none.
keepalive = 5

# Replace each worker after about a thousand requests (spread, so they do not all restart at
# once): memory a long-lived worker gathers is given back.
max_requests = 1000
max_requests_jitter = 100

# One line per request on stderr (journald keeps it): who asked — the address the proxy saw
# first (X-Forwarded-For) and the proxy's own — what, the answer, its size, and how long it
# took in milliseconds.
accesslog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(M)sms'
)
