"""A select's choices are read in one query on a plain cursor (crm/choice_lists.py): never through
the server-side cursor of `QuerySet.iterator()`, four round trips each on PostgreSQL. Exports
still stream through one."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@contextmanager
def chunked_cursors_opened():
    """Counts the cursors Django opens for `iterator()` (a server-side cursor on PostgreSQL)."""
    opened = []
    original = connection.chunked_cursor

    def counting():
        opened.append(1)
        return original()

    connection.chunked_cursor = counting
    try:
        yield opened
    finally:
        del connection.chunked_cursor


@pytest.mark.parametrize("url", ["deals:list", "deals:create", "contacts:list"])
def test_a_page_s_selects_read_their_choices_without_a_server_side_cursor(client_for, org, url):
    client = client_for("maria")
    DealFactory(owner=org["ana"])

    with chunked_cursors_opened() as opened:
        response = client.get(reverse(url))

    assert response.status_code == 200
    assert 'name="owner"' in response.content.decode()  # a select of people was rendered
    assert opened == []


def test_an_export_still_streams_its_rows_through_one(client_for, org):
    client = client_for("maria")
    DealFactory(owner=org["ana"])

    with chunked_cursors_opened() as opened:
        response = client.get(reverse("deals:export", args=["csv"]))
        body = b"".join(response.streaming_content)

    assert body.count(b"\n") >= 2  # the header and the deal
    assert opened == [1]
