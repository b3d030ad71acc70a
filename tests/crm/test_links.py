"""crm.links.record_url gives what reverse() gives, for every record page, under any script
prefix (Huddle served below a path), without walking the resolver each time."""

import pytest
from django.urls import reverse, set_script_prefix

from crm import links

NAMES = ["contacts:detail", "contacts:company-detail", "contacts:activity-detail", "deals:detail"]


@pytest.fixture(autouse=True)
def _prefix_restored():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 2147483646, 10**17])
@pytest.mark.parametrize("prefix", ["/", "/huddle/"])
def test_a_record_url_is_what_reverse_gives(name, pk, prefix):
    set_script_prefix(prefix)
    assert links.record_url(name, pk) == reverse(name, args=[pk])


def test_a_record_page_address_is_reversed_once(monkeypatch):
    links._templates.clear()
    calls = []
    real = links.reverse
    monkeypatch.setattr(links, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k))

    urls = [links.record_url("contacts:detail", pk) for pk in range(1, 51)]

    assert len(calls) == 1
    assert urls[9] == reverse("contacts:detail", args=[10])
