"""Contacts, companies and activities through the HTTP client.

Each view: it works for its owner (ana), an outsider (carla, South) gets 404, a same-team rep
(ben, North) who may see but not change ana's records gets 403 on writes.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Company, Contact
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The org's six users are hashed per test; PBKDF2 would make each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def wanted(task, *, done: bool) -> dict:
    """What "Done" / "Reopen" posts: the state wanted and the version the user saw."""
    return {"done": "true" if done else "false", "version": task.version}


def assert_fragment(response):
    """An HTMX answer: no page chrome, and caches told that it differs from the full page."""
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'class="topbar"' not in body
    assert "HX-Request" in response["Vary"]
    return body


def contact_data(contact=None, **overrides):
    data = {
        "first_name": "Olaf",
        "last_name": "Ostwind",
        "company": "",
        "job_title": "Buyer",
        "email": "olaf@nordwind.example",
        "phone": "+49 30 7654321",
        "city": "Berlin",
        "owner": "",
        "notes": "",
    }
    if contact is not None:
        data |= {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company_id or "",
            "job_title": contact.job_title,
            "email": contact.email,
            "phone": contact.phone,
            "city": contact.city,
            "owner": contact.owner_id,
            "notes": contact.notes,
            "version": contact.version,
        }
    return data | overrides


def company_data(company=None, **overrides):
    data = {
        "name": "Ostwind AG",
        "domain": "Ostwind.EXAMPLE",
        "website": "https://ostwind.example",
        "phone": "",
        "city": "Leipzig",
        "country": "Germany",
        "owner": "",
        "notes": "",
    }
    if company is not None:
        data |= {
            "name": company.name,
            "domain": company.domain,
            "website": company.website,
            "phone": company.phone,
            "city": company.city,
            "country": company.country,
            "owner": company.owner_id,
            "notes": company.notes,
            "version": company.version,
        }
    return data | overrides


def activity_data(activity=None, **overrides):
    data = {
        "kind": "meeting",
        "subject": "Workshop with Nora",
        "occurs_at": "2030-01-15T10:00",
        "contacts": [],
        "company": "",
        "deal": "",
        "owner": "",
        "body": "",
    }
    if activity is not None:
        data |= {
            "kind": activity.kind,
            "subject": activity.subject,
            "occurs_at": timezone.localtime(activity.occurs_at).strftime("%Y-%m-%dT%H:%M"),
            "contacts": [c.pk for c in activity.contacts.all()],
            "company": activity.company_id or "",
            "deal": activity.deal_id or "",
            "owner": activity.owner_id,
            "body": activity.body,
            "version": activity.version,
        }
        if activity.done:
            data["done"] = "on"
    return data | overrides


# ---- contacts: create ----------------------------------------------------------------------


def test_a_rep_creates_a_contact_owned_and_stamped_by_them(client_for, org, north_records):
    client = client_for("ana")
    data = contact_data(company=north_records["company"].pk, owner=org["ana"].pk)

    response = client.post(reverse("contacts:create"), data, follow=True)

    contact = Contact.objects.get(last_name="Ostwind")
    assert response.redirect_chain == [(contact.get_absolute_url(), 302)]
    assert (contact.owner, contact.created_by, contact.updated_by) == (org["ana"],) * 3
    assert contact.version == 1
    assert contact.company == north_records["company"]
    assert contact.email_normalized == "olaf@nordwind.example"
    body = response.content.decode()
    assert "Added Olaf Ostwind." in body
    assert "<h1>Olaf Ostwind</h1>" in body


def test_the_new_contact_form_offers_only_companies_the_rep_may_see(client_for, org, north_records):
    CompanyFactory(name="Südwind KG", owner=org["carla"])

    response = client_for("ana").get(reverse("contacts:create"))

    body = response.content.decode()
    assert "Nordwind GmbH" in body
    assert "Südwind KG" not in body


def test_a_forged_company_id_fails_validation_and_creates_nothing(client_for, org):
    foreign = CompanyFactory(name="Südwind KG", owner=org["carla"])
    before = Contact.all_objects.count()

    response = client_for("ana").post(
        reverse("contacts:create"), contact_data(company=foreign.pk, owner=org["ana"].pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Contact.all_objects.count() == before


def test_a_forged_owner_outside_the_reps_reach_fails_validation(client_for, org):
    response = client_for("ana").post(
        reverse("contacts:create"), contact_data(owner=org["carla"].pk)
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Contact.all_objects.filter(last_name="Ostwind").exists()


def test_an_invalid_contact_posted_by_htmx_rerenders_the_form_with_its_errors(client_for, org):
    """STYLE 13: htmx 2 swaps no 4xx, so an invalid form answers 200 with the form partial."""
    response = client_for("ana").post(
        reverse("contacts:create"), contact_data(last_name="", owner=org["ana"].pk), headers=HX
    )

    body = assert_fragment(response)
    assert 'id="record-form"' in body
    assert "This field is required." in body
    assert not Contact.all_objects.filter(first_name="Olaf").exists()


def test_a_valid_contact_posted_by_htmx_redirects_the_browser_to_it(client_for, org):
    response = client_for("ana").post(
        reverse("contacts:create"), contact_data(owner=org["ana"].pk), headers=HX
    )

    contact = Contact.objects.get(last_name="Ostwind")
    assert response.status_code == 200
    assert response["HX-Redirect"] == contact.get_absolute_url()


# ---- contacts: read ------------------------------------------------------------------------


def test_the_owner_sees_a_contact_with_its_timeline_and_edit_links(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ana").get(contact.get_absolute_url())

    body = response.content.decode()
    assert "<h1>Nora Secretname</h1>" in body
    assert "Call Nora about rollout" in body
    assert "Nordwind rollout" in body
    assert reverse("contacts:edit", args=[contact.pk]) in body


def test_a_same_team_rep_sees_the_contact_without_edit_links(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ben").get(contact.get_absolute_url())

    body = response.content.decode()
    assert "<h1>Nora Secretname</h1>" in body
    assert reverse("contacts:edit", args=[contact.pk]) not in body
    assert reverse("contacts:delete", args=[contact.pk]) not in body


@pytest.mark.parametrize(
    "url_name", ["contacts:detail", "contacts:edit", "contacts:delete", "contacts:contact-log"]
)
def test_an_outsider_gets_404_for_every_contact_page(client_for, north_records, url_name):
    contact = north_records["contact"]
    client = client_for("carla")
    url = reverse(url_name, args=[contact.pk])

    response = client.post(url, contact_data(contact, email="stolen@example.com"))

    assert response.status_code == 404
    assert "not yours to see" in response.content.decode()
    assert "Nora" not in response.content.decode()
    contact.refresh_from_db()
    assert (contact.email, contact.version, contact.deleted_at) == (
        "nora@nordwind.example",
        1,
        None,
    )
    assert Activity.all_objects.count() == 1  # north_records' call only: nothing logged


def test_the_contact_list_shows_the_team_but_never_an_outsiders_contact(
    client_for, org, north_records
):
    ContactFactory(first_name="Sina", last_name="Süd", owner=org["carla"])

    body = client_for("ben").get(reverse("contacts:list")).content.decode()

    assert "Nora Secretname" in body
    assert "Sina Süd" not in body


def test_the_contact_list_filters_by_name_or_email_prefix(client_for, org, north_records):
    ContactFactory(first_name="Olaf", last_name="Ostwind", owner=org["ana"])
    client = client_for("ana")

    by_name = client.get(reverse("contacts:list"), {"q": "nora sec"}).content.decode()
    by_email = client.get(reverse("contacts:list"), {"q": "NORA@nord"}).content.decode()

    assert "Nora Secretname" in by_name
    assert "Olaf Ostwind" not in by_name
    assert "Nora Secretname" in by_email
    assert "Olaf Ostwind" not in by_email


def test_the_contact_list_as_htmx_returns_only_the_results_fragment(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:list"), {"q": "nora"}, headers=HX)

    body = assert_fragment(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "Nora Secretname" in body
    assert 'class="filters"' not in body


def test_the_full_contact_list_also_varies_on_hx_request(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:list"))

    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("owner=abc", "owner: Select a valid choice."),
        ("company=abc", "company: Select a valid choice."),
    ],
)
def test_a_malformed_contact_filter_says_so_and_lists_nothing(
    client_for, north_records, query, message
):
    response = client_for("ana").get(f"{reverse('contacts:list')}?{query}")

    body = response.content.decode()
    assert response.status_code == 200
    assert "These filters are not valid:" in body
    assert message in body
    assert "Nora Secretname" not in body


def test_a_company_filter_naming_an_outsiders_company_is_refused(client_for, org, north_records):
    foreign = CompanyFactory(owner=org["carla"])
    ContactFactory(last_name="Südlich", company=foreign, owner=org["carla"])

    body = client_for("ana").get(reverse("contacts:list"), {"company": foreign.pk}).content.decode()

    assert "company: Select a valid choice." in body
    assert "Südlich" not in body


@pytest.mark.parametrize("query", ["page=abc", "page=99999", "page=-1", "sort=nonsense", "sort="])
def test_a_malformed_page_or_sort_falls_back_to_a_page_that_exists(
    client_for, north_records, query
):
    response = client_for("ana").get(f"{reverse('contacts:list')}?{query}")

    assert response.status_code == 200
    assert "Nora Secretname" in response.content.decode()


def test_an_unknown_url_answers_404_with_the_friendly_page(client_for, org):
    response = client_for("ana").get("/contacts/not-a-number/")

    assert response.status_code == 404
    assert "This page does not exist, or it is not yours to see." in response.content.decode()


# ---- contacts: edit ------------------------------------------------------------------------


def test_the_owner_edits_a_contact_and_its_version_goes_up(client_for, org, north_records):
    contact = north_records["contact"]

    response = client_for("ana").post(
        reverse("contacts:edit", args=[contact.pk]),
        contact_data(contact, email="Nora.New@Nordwind.example", job_title="CTO"),
        follow=True,
    )

    contact.refresh_from_db()
    assert contact.email == "Nora.New@Nordwind.example"
    assert contact.email_normalized == "nora.new@nordwind.example"
    assert contact.job_title == "CTO"
    assert (contact.version, contact.updated_by, contact.created_by) == (2, org["ana"], org["ana"])
    body = response.content.decode()
    assert "Saved." in body
    assert "Nora.New@Nordwind.example" in body


def test_the_team_manager_may_edit_a_reps_contact(client_for, org, north_records):
    contact = north_records["contact"]

    client_for("maria").post(
        reverse("contacts:edit", args=[contact.pk]), contact_data(contact, city="Potsdam")
    )

    contact.refresh_from_db()
    assert (contact.city, contact.updated_by, contact.owner) == (
        "Potsdam",
        org["maria"],
        org["ana"],
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_same_team_rep_gets_403_on_editing_a_contact(client_for, north_records, method):
    contact = north_records["contact"]
    client = client_for("ben")
    url = reverse("contacts:edit", args=[contact.pk])

    response = getattr(client, method)(url, contact_data(contact, city="Hacked"))

    assert response.status_code == 403
    assert "You may see this contact but not change it." in response.content.decode()
    contact.refresh_from_db()
    assert (contact.city, contact.version) == ("", 1)


def test_a_same_team_rep_gets_403_on_deleting_a_contact(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ben").post(reverse("contacts:delete", args=[contact.pk]))

    assert response.status_code == 403
    assert "You may see this" in response.content.decode()
    contact.refresh_from_db()
    assert contact.deleted_at is None


# ---- contacts: delete and undo -------------------------------------------------------------


def test_the_delete_page_asks_before_deleting(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ana").get(reverse("contacts:delete", args=[contact.pk]))

    assert "Delete “Nora Secretname”?" in response.content.decode()
    contact.refresh_from_db()
    assert contact.deleted_at is None


def test_deleting_a_contact_is_soft_and_the_message_offers_an_undo(client_for, org, north_records):
    contact = north_records["contact"]
    client = client_for("ana")

    response = client.post(reverse("contacts:delete", args=[contact.pk]), follow=True)

    assert response.redirect_chain == [(reverse("contacts:list"), 302)]
    body = response.content.decode()
    assert "Deleted “Nora Secretname”." in body
    undo = reverse("restore", args=["contacts.contact", contact.pk])
    assert f'action="{undo}"' in body
    assert "Nora Secretname</a>" not in body.split('id="results"')[1]  # gone from the list
    assert not Contact.objects.filter(pk=contact.pk).exists()
    deleted = Contact.all_objects.get(pk=contact.pk)
    assert deleted.deleted_at is not None
    assert (deleted.updated_by, deleted.version) == (org["ana"], 2)
    assert client.get(contact.get_absolute_url()).status_code == 404


def test_undo_restores_a_deleted_contact_where_it_was(client_for, org, north_records):
    contact = north_records["contact"]
    client = client_for("ana")
    client.post(reverse("contacts:delete", args=[contact.pk]))

    response = client.post(reverse("restore", args=["contacts.contact", contact.pk]), follow=True)

    assert response.redirect_chain == [(contact.get_absolute_url(), 302)]
    body = response.content.decode()
    assert "Restored “Nora Secretname”." in body
    assert "<h1>Nora Secretname</h1>" in body
    contact.refresh_from_db()
    assert contact.deleted_at is None
    assert contact.version == 3
    assert "Nora Secretname" in client.get(reverse("contacts:list")).content.decode()


def test_only_someone_who_may_edit_can_undo_a_delete(client_for, north_records):
    contact = north_records["contact"]
    client_for("ana").post(reverse("contacts:delete", args=[contact.pk]))
    url = reverse("restore", args=["contacts.contact", contact.pk])

    assert client_for("ben").post(url).status_code == 403
    assert client_for("carla").post(url).status_code == 404
    contact.refresh_from_db()
    assert contact.deleted_at is not None


def test_undo_is_post_only(client_for, north_records):
    contact = north_records["contact"]
    client_for("ana").post(reverse("contacts:delete", args=[contact.pk]))

    response = client_for("ana").get(reverse("restore", args=["contacts.contact", contact.pk]))

    assert response.status_code == 405
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_contact_deleted_by_htmx_sends_the_browser_to_the_list(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ana").post(reverse("contacts:delete", args=[contact.pk]), headers=HX)

    assert response["HX-Redirect"] == reverse("contacts:list")
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None


# ---- logging on a contact ------------------------------------------------------------------


def test_logging_a_call_on_a_contact_by_htmx_returns_the_timeline_with_it(
    client_for, org, north_records
):
    contact = north_records["contact"]

    response = client_for("ana").post(
        reverse("contacts:contact-log", args=[contact.pk]),
        {"kind": "call", "subject": "Rang Nora back"},
        headers=HX,
    )

    body = assert_fragment(response)
    # Just the new entry, for the top of the timeline, and the form back empty (out of band);
    # the timeline is not read again.
    assert body.lstrip().startswith('<li class="activity kind-call done"')
    assert "Rang Nora back" in body
    assert "Call Nora about rollout" not in body
    form = body.split('id="log-form"')[1]
    assert 'hx-swap-oob="true"' in form.split(">")[0]
    assert 'value=""' in form.split('name="subject"')[1].split(">")[0]
    logged = Activity.objects.get(subject="Rang Nora back")
    assert (logged.owner, logged.created_by, logged.kind) == (org["ana"], org["ana"], "call")
    assert list(logged.contacts.all()) == [contact]
    assert logged.company == north_records["company"]
    assert logged.done and logged.done_at is not None


def test_a_task_logged_on_a_contact_is_still_to_do(client_for, north_records):
    contact = north_records["contact"]

    client_for("ana").post(
        reverse("contacts:contact-log", args=[contact.pk]),
        {"kind": "task", "subject": "Send Nora the offer"},
        headers=HX,
    )

    task = Activity.objects.get(subject="Send Nora the offer")
    assert (task.kind, task.done, task.done_at) == ("task", False, None)


def test_an_empty_log_by_htmx_rerenders_with_the_error_and_logs_nothing(client_for, north_records):
    contact = north_records["contact"]
    before = Activity.all_objects.count()

    response = client_for("ana").post(
        reverse("contacts:contact-log", args=[contact.pk]),
        {"kind": "call", "subject": ""},
        headers=HX,
    )

    body = assert_fragment(response)
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#log-form", "outerHTML")
    assert body.lstrip().startswith('<form class="log-form" id="log-form"')
    assert '<div class="field-errors" role="alert">This field is required.' in body
    assert Activity.all_objects.count() == before


def test_a_plain_log_post_goes_back_to_the_contact_with_a_message(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ana").post(
        reverse("contacts:contact-log", args=[contact.pk]),
        {"kind": "note", "subject": "Prefers e-mail"},
        follow=True,
    )

    assert response.redirect_chain == [(contact.get_absolute_url(), 302)]
    body = response.content.decode()
    assert "Logged note: Prefers e-mail" in body
    assert "Prefers e-mail</a>" in body


def test_a_plain_empty_log_post_goes_back_with_the_reason(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ana").post(
        reverse("contacts:contact-log", args=[contact.pk]), {"kind": "call"}, follow=True
    )

    assert "Not logged: This field is required." in response.content.decode()


def test_a_same_team_rep_may_log_on_a_contact_they_see_as_their_own_activity(
    client_for, org, north_records
):
    """Logging creates the logger's own activity; it changes nothing of ana's, so it is no 403."""
    contact = north_records["contact"]

    response = client_for("ben").post(
        reverse("contacts:contact-log", args=[contact.pk]),
        {"kind": "call", "subject": "Ben called Nora"},
        headers=HX,
    )

    assert "Ben called Nora" in assert_fragment(response)
    logged = Activity.objects.get(subject="Ben called Nora")
    assert logged.owner == org["ben"]
    contact.refresh_from_db()
    assert contact.version == 1


def test_logging_is_post_only(client_for, north_records):
    response = client_for("ana").get(
        reverse("contacts:contact-log", args=[north_records["contact"].pk])
    )

    assert response.status_code == 405


# ---- companies -----------------------------------------------------------------------------


def test_a_rep_creates_a_company_with_a_lower_cased_domain(client_for, org):
    response = client_for("ana").post(
        reverse("contacts:company-create"), company_data(owner=org["ana"].pk), follow=True
    )

    company = Company.objects.get(name="Ostwind AG")
    assert response.redirect_chain == [(company.get_absolute_url(), 302)]
    assert company.domain == "ostwind.example"
    assert (company.owner, company.created_by, company.updated_by, company.version) == (
        org["ana"],
        org["ana"],
        org["ana"],
        1,
    )
    assert "Added Ostwind AG." in response.content.decode()


def test_the_owner_edits_a_company(client_for, org, north_records):
    company = north_records["company"]

    response = client_for("ana").post(
        reverse("contacts:company-edit", args=[company.pk]),
        company_data(company, name="Nordwind SE", city="Kiel"),
        follow=True,
    )

    company.refresh_from_db()
    assert (company.name, company.name_normalized, company.city) == (
        "Nordwind SE",
        "nordwind se",
        "Kiel",
    )
    assert (company.version, company.updated_by) == (2, org["ana"])
    assert "<h1>Nordwind SE</h1>" in response.content.decode()


def test_the_company_page_lists_its_people_deals_and_timeline(client_for, north_records):
    body = client_for("ben").get(north_records["company"].get_absolute_url()).content.decode()

    assert "<h1>Nordwind GmbH</h1>" in body
    assert "Nora Secretname" in body
    assert "Nordwind rollout" in body
    assert "Call Nora about rollout" in body
    assert reverse("contacts:company-edit", args=[north_records["company"].pk]) not in body


@pytest.mark.parametrize(
    "url_name",
    [
        "contacts:company-detail",
        "contacts:company-edit",
        "contacts:company-delete",
        "contacts:company-log",
    ],
)
def test_an_outsider_gets_404_for_every_company_page(client_for, north_records, url_name):
    company = north_records["company"]

    response = client_for("carla").post(
        reverse(url_name, args=[company.pk]), company_data(company, name="Stolen")
    )

    assert response.status_code == 404
    company.refresh_from_db()
    assert (company.name, company.deleted_at, company.version) == ("Nordwind GmbH", None, 1)


@pytest.mark.parametrize("url_name", ["contacts:company-edit", "contacts:company-delete"])
def test_a_same_team_rep_gets_403_on_changing_a_company(client_for, north_records, url_name):
    company = north_records["company"]

    response = client_for("ben").post(
        reverse(url_name, args=[company.pk]), company_data(company, name="Benwind")
    )

    assert response.status_code == 403
    assert "You may see this company but not change it." in response.content.decode()
    company.refresh_from_db()
    assert (company.name, company.deleted_at, company.version) == ("Nordwind GmbH", None, 1)


def test_deleting_a_company_is_soft_and_undo_brings_it_back(client_for, north_records):
    company = north_records["company"]
    client = client_for("ana")

    deleted = client.post(reverse("contacts:company-delete", args=[company.pk]), follow=True)
    undo = reverse("restore", args=["contacts.company", company.pk])

    assert "Deleted “Nordwind GmbH”." in deleted.content.decode()
    assert f'action="{undo}"' in deleted.content.decode()
    assert not Company.objects.filter(pk=company.pk).exists()
    assert client.get(company.get_absolute_url()).status_code == 404

    restored = client.post(undo, follow=True)

    assert "Restored “Nordwind GmbH”." in restored.content.decode()
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_company_list_as_htmx_returns_only_the_results_fragment(client_for, org, north_records):
    CompanyFactory(name="Südwind KG", owner=org["carla"])

    response = client_for("ana").get(reverse("contacts:company-list"), headers=HX)

    body = assert_fragment(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "Nordwind GmbH" in body
    assert "Südwind KG" not in body


def test_a_malformed_company_filter_says_so(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:company-list"), {"owner": "abc"})

    assert response.status_code == 200
    assert "owner: Select a valid choice." in response.content.decode()


def test_logging_a_meeting_on_a_company_by_htmx_returns_its_timeline(
    client_for, org, north_records
):
    company = north_records["company"]

    response = client_for("ana").post(
        reverse("contacts:company-log", args=[company.pk]),
        {"kind": "meeting", "subject": "Site visit Nordwind"},
        headers=HX,
    )

    body = assert_fragment(response)
    assert 'id="log-form"' in body
    assert "Site visit Nordwind" in body
    logged = Activity.objects.get(subject="Site visit Nordwind")
    assert (logged.company, logged.owner, logged.done) == (company, org["ana"], False)


def test_an_empty_log_on_a_company_rerenders_with_the_error(client_for, north_records):
    before = Activity.all_objects.count()

    response = client_for("ana").post(
        reverse("contacts:company-log", args=[north_records["company"].pk]),
        {"kind": "meeting", "subject": "   "},
        headers=HX,
    )

    assert "This field is required." in assert_fragment(response)
    assert Activity.all_objects.count() == before


# ---- activities ----------------------------------------------------------------------------


def test_a_rep_creates_an_activity_linked_to_what_they_see(client_for, org, north_records):
    data = activity_data(
        contacts=[north_records["contact"].pk],
        company=north_records["company"].pk,
        deal=north_records["deal"].pk,
        owner=org["ana"].pk,
    )

    response = client_for("ana").post(reverse("contacts:activity-create"), data, follow=True)

    activity = Activity.objects.get(subject="Workshop with Nora")
    assert response.redirect_chain == [(activity.get_absolute_url(), 302)]
    assert list(activity.contacts.all()) == [north_records["contact"]]
    assert (activity.company, activity.deal) == (north_records["company"], north_records["deal"])
    assert (activity.created_by, activity.updated_by, activity.version) == (
        org["ana"],
        org["ana"],
        1,
    )
    body = response.content.decode()
    assert "Logged Workshop with Nora." in body
    assert "Meeting: Workshop with Nora" in body


def test_a_forged_contact_id_in_the_activity_form_creates_nothing(client_for, org):
    foreign = ContactFactory(owner=org["carla"])

    response = client_for("ana").post(
        reverse("contacts:activity-create"),
        activity_data(contacts=[foreign.pk], owner=org["ana"].pk),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Activity.all_objects.filter(subject="Workshop with Nora").exists()


def test_the_edit_page_of_an_activity_with_people_on_it_opens(client_for, north_records):
    activity = north_records["activity"]

    response = client_for("ana").get(reverse("contacts:activity-edit", args=[activity.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<option value="{north_records["contact"].pk}" selected>Nora Secretname</option>' in body
    )


def test_the_owner_edits_an_activity(client_for, org, north_records):
    activity = north_records["activity"]

    client_for("ana").post(
        reverse("contacts:activity-edit", args=[activity.pk]),
        activity_data(activity, subject="Called Nora about the rollout", body="Went well"),
    )

    activity.refresh_from_db()
    assert (activity.subject, activity.body) == ("Called Nora about the rollout", "Went well")
    assert (activity.version, activity.updated_by) == (2, org["ana"])
    assert list(activity.contacts.all()) == [north_records["contact"]]


def test_a_same_team_rep_gets_403_on_changing_an_activity(client_for, north_records):
    activity = north_records["activity"]
    client = client_for("ben")

    edit = client.post(
        reverse("contacts:activity-edit", args=[activity.pk]), activity_data(activity, subject="x")
    )
    delete = client.post(reverse("contacts:activity-delete", args=[activity.pk]))

    assert (edit.status_code, delete.status_code) == (403, 403)
    activity.refresh_from_db()
    assert (activity.subject, activity.deleted_at) == ("Call Nora about rollout", None)


@pytest.mark.parametrize(
    "url_name",
    [
        "contacts:activity-detail",
        "contacts:activity-edit",
        "contacts:activity-delete",
        "contacts:activity-done",
    ],
)
def test_an_outsider_gets_404_for_every_activity_page(client_for, north_records, url_name):
    activity = north_records["activity"]

    response = client_for("carla").post(reverse(url_name, args=[activity.pk]))

    assert response.status_code == 404
    activity.refresh_from_db()
    assert (activity.version, activity.deleted_at) == (1, None)


def test_deleting_an_activity_is_soft_and_undo_brings_it_back(client_for, north_records):
    activity = north_records["activity"]
    client = client_for("ana")

    deleted = client.post(reverse("contacts:activity-delete", args=[activity.pk]), follow=True)
    timeline = client.get(north_records["contact"].get_absolute_url()).content.decode()

    assert "Deleted “Call Nora about rollout”." in deleted.content.decode()
    assert "Call Nora about rollout" not in timeline
    client.post(reverse("restore", args=["contacts.activity", activity.pk]))
    activity.refresh_from_db()
    assert activity.deleted_at is None


def test_ticking_a_task_done_by_htmx_returns_its_row(client_for, org, north_records):
    task = ActivityFactory(kind="task", subject="Send offer", owner=org["ana"])

    response = client_for("ana").post(
        reverse("contacts:activity-done", args=[task.pk]), wanted(task, done=True), headers=HX
    )

    body = assert_fragment(response)
    assert body.lstrip().startswith(f'<li class="activity kind-task done" id="activity-{task.pk}">')
    assert "Reopen" in body
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    assert (task.version, task.updated_by) == (2, org["ana"])


def test_reopen_on_a_done_task_opens_it_again(client_for, org):
    task = ActivityFactory(kind="task", subject="Send offer", owner=org["ana"])
    client = client_for("ana")
    url = reverse("contacts:activity-done", args=[task.pk])
    client.post(url, wanted(task, done=True), headers=HX)

    response = client.post(url, {"done": "false", "version": 2}, headers=HX)

    body = assert_fragment(response)
    assert 'class="activity kind-task"' in body
    assert ">Done</button>" in body
    task.refresh_from_db()
    assert (task.done, task.done_at, task.version) == (False, None, 3)


def test_ticking_a_task_without_htmx_goes_back_to_the_page_it_came_from(client_for, org):
    task = ActivityFactory(kind="task", owner=org["ana"])

    response = client_for("ana").post(
        reverse("contacts:activity-done", args=[task.pk]),
        wanted(task, done=True) | {"next": "/contacts/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    task.refresh_from_db()
    assert task.done


def test_ticking_a_task_never_redirects_to_another_site(client_for, org):
    """`next` comes from the form: an attacker's link must not turn Huddle into a redirector."""
    task = ActivityFactory(kind="task", owner=org["ana"])

    response = client_for("ana").post(
        reverse("contacts:activity-done", args=[task.pk]),
        wanted(task, done=True) | {"next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//"))


def test_a_same_team_rep_gets_403_on_ticking_a_reps_task(client_for, org):
    task = ActivityFactory(kind="task", owner=org["ana"])

    response = client_for("ben").post(
        reverse("contacts:activity-done", args=[task.pk]), wanted(task, done=True), headers=HX
    )

    assert response.status_code == 403
    task.refresh_from_db()
    assert (task.done, task.version) == (False, 1)


def test_ticking_a_task_is_post_only(client_for, org):
    task = ActivityFactory(kind="task", owner=org["ana"])

    response = client_for("ana").get(reverse("contacts:activity-done", args=[task.pk]))

    assert response.status_code == 405
    task.refresh_from_db()
    assert not task.done


def test_the_activity_list_as_htmx_returns_only_the_results_fragment(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:activity-list"), headers=HX)

    body = assert_fragment(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "Call Nora about rollout" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("after=notadate", "after: Enter a valid date."),
        ("before=2026-02-31", "before: Enter a valid date."),
        ("kind=party", "kind: Select a valid choice."),
        ("owner=abc", "owner: Select a valid choice."),
    ],
)
def test_a_malformed_activity_filter_says_so(client_for, north_records, query, message):
    response = client_for("ana").get(f"{reverse('contacts:activity-list')}?{query}")

    body = response.content.decode()
    assert response.status_code == 200
    assert "These filters are not valid:" in body
    assert message in body
    assert "Call Nora about rollout" not in body


def test_a_follow_up_row_names_the_done_tasks_company_and_deal(client_for, org, north_records):
    task = ActivityFactory(
        kind="task",
        subject="Send offer",
        owner=org["ana"],
        company=north_records["company"],
        deal=north_records["deal"],
    )
    client = client_for("ana")
    client.post(
        reverse("contacts:activity-done", args=[task.pk]), wanted(task, done=True), headers=HX
    )

    response = client.post(
        reverse("contacts:activity-next", args=[task.pk]),
        {"subject": "Call about the offer", "due": "2030-01-15"},
        headers=HX,
    )

    row = assert_fragment(response)
    assert "Call about the offer" in row
    assert "Nordwind GmbH" in row and "Nordwind rollout" in row
