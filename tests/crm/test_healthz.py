"""/healthz, the load balancer's probe: "ok" only when the database answers, 503 with a short
reason when it does not; anonymous, one query, never a 500."""

import pytest
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper


def test_the_probe_asks_the_database_once_and_answers_ok(client, db, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert captured.captured_queries[0]["sql"].endswith("SELECT 1")


def test_an_unreachable_database_answers_503_with_a_short_reason(client, db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: refused')

    with monkeypatch.context() as patched:
        patched.setattr(CursorWrapper, "execute", unreachable)
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable: OperationalError"
    assert response["Content-Type"].startswith("text/plain")
    assert b"10.0.0.5" not in response.content  # the probe is public: no addresses, no details


@pytest.mark.django_db(transaction=True)
def test_the_probes_time_limit_ends_with_the_probe(client):
    """On PostgreSQL the 2 s limit is SET LOCAL: the pooled connection keeps its own (none)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no statement timeout to leak")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()

    assert client.get("/healthz").content == b"ok"

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (before,)
