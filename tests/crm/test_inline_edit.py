"""The one inline-edit mechanism (crm/inline.py): a value, its input, a save with a version.

ana's deal (North) closes on 31 January 2030. maria (North's manager) and admin may change it,
ben (North) may only see it, carla (South) may not see it at all. Every edit carries the version
and the value the user started from, as the edit form sends them.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from deals.models import Deal

HX = {"HX-Request": "true"}
CLOSE = date(2030, 1, 31)


@pytest.fixture
def login(org):
    """A client of its own per user, so two people can hold the same input open at once."""

    def make(username):
        client = Client()
        client.force_login(org[username])
        return client

    return make


@pytest.fixture
def deal(north_records):
    deal = north_records["deal"]
    deal.expected_close = CLOSE
    deal.save(update_fields=["expected_close"])
    return deal


def url(deal, field="expected_close") -> str:
    return reverse("inline-edit", args=[deal._meta.label, deal.pk, field])


def opened(client, deal, field="expected_close") -> dict:
    """Open the input as the page does (HTMX) and keep what its form would send back."""
    response = client.get(url(deal, field) + "?edit=1", headers=HX)
    assert response.status_code == 200
    return dict(
        re.findall(
            r'<input type="hidden" name="(version|original)" value="([^"]*)"',
            response.content.decode(),
        )
    )


def hidden_inputs(html: str) -> dict:
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }


def reloaded(deal) -> Deal:
    return Deal.all_objects.get(pk=deal.pk)


def assert_fragment(response):
    html = response.content.decode()
    assert "<html" not in html and 'class="topbar"' not in html
    assert "HX-Request" in response["Vary"]
    return html


# ---- showing and opening -------------------------------------------------------------------


def test_the_value_shows_as_a_button_that_opens_its_input(deal, client_for):
    response = client_for("maria").get(url(deal), headers=HX)

    assert response.status_code == 200
    html = assert_fragment(response)
    assert html.strip().startswith('<span class="inline-field" id="inline-deals-Deal-')
    assert f'hx-get="{url(deal)}?edit=1"' in html
    assert 'role="button"' in html and ">31 Jan 2030</span>" in html


def test_an_empty_value_invites_to_add_it(deal, client_for):
    Deal.objects.filter(pk=deal.pk).update(expected_close=None)

    html = client_for("maria").get(url(deal), headers=HX).content.decode()

    assert '<span class="muted">add expected close date</span>' in html


def test_the_input_carries_the_version_and_the_value_started_from(deal, client_for):
    response = client_for("maria").get(url(deal) + "?edit=1", headers=HX)

    html = assert_fragment(response)
    assert html.strip().startswith('<form class="inline-field editing"')
    assert hidden_inputs(html) == {
        "version": str(deal.version),
        "original": "2030-01-31",
        "next": "",
    }
    assert re.search(
        r'<input type="date" name="expected_close" value="2030-01-31"[^>]* required', html
    )
    assert "Needed by: Forecast" in html


# ---- saving --------------------------------------------------------------------------------


def test_saving_answers_with_the_new_value_and_tells_the_page(deal, client_for, org):
    client = client_for("maria")
    sent = opened(client, deal)

    response = client.post(url(deal), {**sent, "expected_close": "2030-02-28"}, headers=HX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "recordChanged"
    html = assert_fragment(response)
    assert html.strip().startswith('<span class="inline-field saved"')
    assert ">28 Feb 2030</span>" in html
    saved = reloaded(deal)
    assert saved.expected_close == date(2030, 2, 28)
    assert saved.version == deal.version + 1
    assert saved.updated_by == org["maria"]
    assert saved.history.first().expected_close == date(2030, 2, 28)


def test_saving_the_same_value_changes_nothing(deal, client_for):
    client = client_for("maria")
    sent = opened(client, deal)

    response = client.post(url(deal), {**sent, "expected_close": "2030-01-31"}, headers=HX)

    assert response.status_code == 200
    assert ">31 Jan 2030</span>" in response.content.decode()
    assert reloaded(deal).version == deal.version


def test_escape_puts_the_value_back_unchanged(deal, client_for):
    client = client_for("maria")
    opened(client, deal)

    response = client.get(url(deal), headers=HX)  # what Esc (and "Keep theirs") request

    html = assert_fragment(response)
    assert html.strip().startswith('<span class="inline-field"') and ">31 Jan 2030</span>" in html
    assert 'class="inline-field saved"' not in html
    assert reloaded(deal).version == deal.version


@pytest.mark.parametrize("value", ["notadate", "2030-02-30", "31/01/2030x"])
def test_an_invalid_value_answers_200_with_the_error_and_saves_nothing(value, deal, client_for):
    client = client_for("maria")
    sent = opened(client, deal)

    response = client.post(url(deal), {**sent, "expected_close": value}, headers=HX)

    assert response.status_code == 200
    html = assert_fragment(response)
    assert html.strip().startswith('<form class="inline-field editing"')
    assert '<span class="field-errors" role="alert">Enter a valid date.</span>' in html
    assert "HX-Trigger" not in response
    assert reloaded(deal).expected_close == CLOSE
    assert reloaded(deal).version == deal.version


def test_a_plain_post_goes_back_where_it_came_from(deal, client_for):
    client = client_for("maria")
    sent = opened(client, deal)
    fix_list = reverse("reports:fix", args=["forecast"])

    response = client.post(url(deal), {**sent, "expected_close": "2030-02-28", "next": fix_list})

    assert response.status_code == 302
    assert response.url == fix_list
    assert reloaded(deal).expected_close == date(2030, 2, 28)


def test_a_plain_post_never_goes_back_to_another_site(deal, client_for):
    client = client_for("maria")
    sent = opened(client, deal)

    response = client.post(
        url(deal), {**sent, "expected_close": "2030-02-28", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response.url == deal.get_absolute_url()


def test_a_post_without_a_version_saves_nothing(deal, client_for):
    response = client_for("maria").post(url(deal), {"expected_close": "2030-02-28"}, headers=HX)

    assert response.status_code == 403
    assert reloaded(deal).expected_close == CLOSE


# ---- stale edits ---------------------------------------------------------------------------


def test_a_stale_edit_of_the_same_field_shows_both_values_and_overwrites_nothing(deal, login):
    maria, admin = login("maria"), login("admin")
    maria_sent, admin_sent = opened(maria, deal), opened(admin, deal)
    maria.post(url(deal), {**maria_sent, "expected_close": "2030-02-28"}, headers=HX)

    response = admin.post(url(deal), {**admin_sent, "expected_close": "2030-03-15"}, headers=HX)

    assert response.status_code == 200
    html = assert_fragment(response)
    assert html.strip().startswith('<form class="inline-field conflict"')
    assert (
        "Maria changed expected close date to <strong>2030-02-28</strong> after you started."
        in html
    )
    assert "Yours: <strong>2030-03-15</strong>" in html
    assert "Use mine" in html and "Keep theirs" in html
    assert "HX-Trigger" not in response
    assert reloaded(deal).expected_close == date(2030, 2, 28)
    assert reloaded(deal).version == deal.version + 1


def stale_conflict(login, deal):
    """maria saves 28 Feb while admin has the input open; admin then saves 15 March."""
    maria, admin = login("maria"), login("admin")
    admin_sent = opened(admin, deal)
    maria.post(url(deal), {**opened(maria, deal), "expected_close": "2030-02-28"}, headers=HX)
    response = admin.post(url(deal), {**admin_sent, "expected_close": "2030-03-15"}, headers=HX)
    assert 'class="inline-field conflict"' in response.content.decode()
    return admin, response.content.decode()


def test_use_mine_after_a_conflict_saves_mine(deal, login, org):
    admin, conflict = stale_conflict(login, deal)
    assert hidden_inputs(conflict) == {
        "version": str(deal.version + 1),
        "original": "2030-02-28",
        "expected_close": "2030-03-15",
        "overwrite": "1",
    }

    response = admin.post(url(deal), hidden_inputs(conflict), headers=HX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "recordChanged"
    assert ">15 Mar 2030</span>" in response.content.decode()
    saved = reloaded(deal)
    assert saved.expected_close == date(2030, 3, 15)
    assert saved.version == deal.version + 2
    assert saved.updated_by == org["admin"]


def test_keep_theirs_after_a_conflict_shows_theirs_and_saves_nothing(deal, login):
    admin, conflict = stale_conflict(login, deal)
    keep = re.search(r'<button type="button"[^>]*hx-get="([^"]+)"[^>]*>Keep theirs', conflict)

    response = admin.get(unescape(keep[1]), headers=HX)

    assert ">28 Feb 2030</span>" in response.content.decode()
    assert reloaded(deal).expected_close == date(2030, 2, 28)
    assert reloaded(deal).version == deal.version + 1


def test_a_stale_edit_of_another_field_merges_silently(deal, login):
    maria, admin = login("maria"), login("admin")
    admin_sent = opened(admin, deal, "expected_close")
    maria.post(
        url(deal, "title"),
        {**opened(maria, deal, "title"), "title": "Renamed by Maria"},
        headers=HX,
    )

    response = admin.post(url(deal), {**admin_sent, "expected_close": "2030-03-15"}, headers=HX)

    assert response.status_code == 200
    assert 'class="inline-field saved"' in response.content.decode()
    assert response["HX-Trigger"] == "recordChanged"
    saved = reloaded(deal)
    assert (saved.title, saved.expected_close) == ("Renamed by Maria", date(2030, 3, 15))
    assert saved.version == deal.version + 2


def test_a_stale_edit_that_leaves_the_field_as_it_was_keeps_the_newer_value(deal, login):
    """DECISIONS: a conflict is raised only when a field this user changed was changed since
    their version. Saving an input untouched (Enter on it) must not offer to write the old
    value back over the newer one."""
    maria, admin = login("maria"), login("admin")
    admin_sent = opened(admin, deal)
    maria.post(url(deal), {**opened(maria, deal), "expected_close": "2030-02-28"}, headers=HX)

    response = admin.post(url(deal), {**admin_sent, "expected_close": "2030-01-31"}, headers=HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="inline-field conflict"' not in html, "a conflict the user did not make"
    assert ">28 Feb 2030</span>" in html
    assert reloaded(deal).expected_close == date(2030, 2, 28)


# ---- who may, and what may be edited in place -----------------------------------------------


def test_a_read_only_user_sees_the_value_but_may_not_open_or_save_it(deal, client_for):
    ben = client_for("ben")

    assert ">31 Jan 2030</span>" in ben.get(url(deal), headers=HX).content.decode()
    assert ben.get(url(deal) + "?edit=1", headers=HX).status_code == 403
    response = ben.post(
        url(deal),
        {"version": deal.version, "original": "2030-01-31", "expected_close": "2030-02-28"},
        headers=HX,
    )
    assert response.status_code == 403
    assert reloaded(deal).expected_close == CLOSE


@pytest.mark.parametrize("username", ["carla", "sam"])
def test_an_outsider_gets_404_for_the_value_the_input_and_the_save(username, deal, client_for):
    client = client_for(username)

    assert client.get(url(deal), headers=HX).status_code == 404
    assert client.get(url(deal) + "?edit=1", headers=HX).status_code == 404
    response = client.post(
        url(deal),
        {"version": deal.version, "original": "2030-01-31", "expected_close": "2030-02-28"},
        headers=HX,
    )
    assert response.status_code == 404
    assert "31 Jan 2030" not in response.content.decode()
    assert reloaded(deal).expected_close == CLOSE


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("deals.Deal", "owner"),
        ("deals.Deal", "stage"),
        ("deals.Deal", "currency"),
        ("deals.Deal", "version"),
        ("deals.Deal", "nonsense"),
        ("contacts.Contact", "owner"),
        ("crm.User", "username"),
        ("nothing.Here", "title"),
    ],
)
def test_a_field_not_open_to_inline_editing_is_not_found(label, field, deal, client_for):
    admin = client_for("admin")
    target = reverse("inline-edit", args=[label, deal.pk, field])

    assert admin.get(target + "?edit=1", headers=HX).status_code == 404
    response = admin.post(target, {"version": deal.version, "original": "", field: "1"}, headers=HX)
    assert response.status_code == 404
    saved = reloaded(deal)
    assert (saved.version, saved.owner_id, saved.stage_id) == (
        deal.version,
        deal.owner_id,
        deal.stage_id,
    )


def test_a_registered_field_of_another_model_edits_that_models_record(north_records, client_for):
    company = north_records["company"]
    target = reverse("inline-edit", args=["contacts.Company", company.pk, "city"])
    maria = client_for("maria")
    sent = opened_any(maria, target)

    response = maria.post(target, {**sent, "city": "Hamburg"}, headers=HX)

    assert ">Hamburg</span>" in response.content.decode()
    company.refresh_from_db()
    assert company.city == "Hamburg"


def opened_any(client, target: str) -> dict:
    html = client.get(target + "?edit=1", headers=HX).content.decode()
    return dict(re.findall(r'<input type="hidden" name="(version|original)" value="([^"]*)"', html))


# ---- in a list -----------------------------------------------------------------------------


def test_in_a_list_the_value_and_its_input_replace_only_themselves(deal, client_for):
    """The list's results wrapper sets hx-target and hx-select for its pages and sort links;
    a cell that inherited them would put the whole table in place of one value."""
    html = client_for("maria").get(reverse("deals:list")).content.decode()
    assert re.search(r'<div id="results"[^>]* hx-target="#results" hx-select="#results"', html)
    cell = re.search(
        rf'<span class="inline-field" id="inline-deals-Deal-{deal.pk}-amount"[^>]*>', html
    )
    assert cell and 'hx-target="this"' in cell[0] and 'hx-select="unset"' in cell[0]

    editor = client_for("maria").get(url(deal) + "?edit=1", headers=HX).content.decode()
    form = re.search(r"<form [^>]*>", editor)[0]
    assert 'hx-target="this"' in form and 'hx-select="unset"' in form
