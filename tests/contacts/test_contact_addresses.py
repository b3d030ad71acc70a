"""Several labelled e-mails and phones per contact, one of each primary (contacts/addresses.py).

Through the doors a user uses: the contact form (plain and HTMX), the detail page, the inline
edit of the primary, the duplicate check while typing and the global search.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts.addresses import handles_of
from contacts.models import Contact, ContactHandle
from crm import visibility
from tests.crm.test_stale_edit import opened, opened_from_body
from tests.factories import ContactFactory

HX = {"HX-Request": "true"}
MOBILE_TYPED = "0151 2345 6789"
MOBILE_OTHER_SPELLING = "+49 (151) 23456789"


def contact_form(**changes) -> dict:
    data = {
        "first_name": "Olaf",
        "last_name": "Ostwind",
        "company": "",
        "job_title": "",
        "email": "olaf@nordwind.example",
        "email_label": "work",
        "emails-rows": "2",
        "emails-0-label": "home",
        "emails-0-value": "Olaf.Private@Mail.example",
        "emails-1-label": "work",
        "emails-1-value": "",
        "phone": "+49 30 7654321",
        "phone_label": "work",
        "phones-rows": "1",
        "phones-0-label": "mobile",
        "phones-0-value": MOBILE_TYPED,
        "birthday": "",
        "city": "",
        "owner": "",
        "notes": "",
    }
    return data | changes


def handles(contact) -> set[tuple[str, str]]:
    return set(ContactHandle.objects.filter(contact=contact).values_list("kind", "normalized"))


# ---- create, edit, validation ---------------------------------------------------------------


def test_a_contact_is_created_with_several_labelled_addresses_and_found_by_each(client_for, org):
    response = client_for("ana").post(reverse("contacts:create"), contact_form(owner=org["ana"].pk))

    contact = Contact.objects.get(last_name="Ostwind")
    assert response.status_code == 302
    assert (contact.email, contact.email_label) == ("olaf@nordwind.example", "work")
    assert contact.emails == [{"label": "home", "value": "Olaf.Private@Mail.example"}]
    assert contact.phones == [{"label": "mobile", "value": MOBILE_TYPED}]
    assert handles(contact) == {
        ("email", "olaf@nordwind.example"),
        ("email", "olaf.private@mail.example"),
        ("phone", "49307654321"),
        ("phone", "4915123456789"),
    }


def test_the_edit_form_shows_each_address_with_its_label_and_a_blank_row(client_for, org):
    contact = ContactFactory(
        owner=org["ana"],
        email="p@work.example",
        emails=[{"label": "home", "value": "p@home.example"}],
    )

    body = client_for("ana").get(reverse("contacts:edit", args=[contact.pk])).content.decode()

    assert 'name="emails-0-value" value="p@home.example"' in body
    assert 'name="emails-1-value" value=""' in body  # one more to fill in
    assert 'name="emails-rows" value="2"' in body
    assert '<option value="home" selected>home</option>' in body
    assert 'aria-label="2nd e-mail"' in body
    assert "Add another e-mail" in body


def test_an_edit_replaces_the_other_addresses_and_their_handles(client_for, org):
    contact = ContactFactory(
        owner=org["ana"],
        last_name="Ostwind",
        email="olaf@nordwind.example",
        emails=[{"label": "home", "value": "old@mail.example"}],
    )
    page = opened(client_for("ana"), reverse("contacts:edit", args=[contact.pk]))

    response = client_for("ana").post(
        reverse("contacts:edit", args=[contact.pk]),
        page | {"emails-0-value": "new@mail.example", "emails-0-label": "other"},
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.emails == [{"label": "other", "value": "new@mail.example"}]
    assert ("email", "new@mail.example") in handles(contact)
    assert ("email", "old@mail.example") not in handles(contact)
    assert contact.version == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"emails-0-value": "bob@"}, "The 2nd e-mail, “bob@”, is not a valid e-mail address."),
        (
            {"emails-rows": "2", "emails-1-value": "b@x.example", "emails-1-label": "home"},
            None,  # a valid third one is fine (no error)
        ),
        (
            {"emails-0-value": "OLAF@nordwind.example "},
            "The 2nd e-mail, “OLAF@nordwind.example”, is already one of this contact's e-mails.",
        ),
        ({"emails-0-label": "pager"}, "has no known label (work, home, mobile or other)"),
        ({"phones-0-value": "call me"}, "The 2nd phone, “call me”, is not a phone number"),
        (
            {"phones-0-value": "030 7654321"},
            "The 2nd phone, “030 7654321”, is already one of this contact's phones.",
        ),
    ],
)
def test_a_bad_other_address_names_its_row_and_changes_nothing(client_for, org, changes, message):
    contact = ContactFactory(owner=org["ana"], last_name="Ostwind", city="Kiel")
    url = reverse("contacts:edit", args=[contact.pk])
    page = opened(client_for("ana"), url)
    data = contact_form(owner=org["ana"].pk, city="Hamburg", version=page["version"])
    data |= {"base": page["base"]} | changes

    response = client_for("ana").post(url, data)

    contact.refresh_from_db()
    if message is None:
        assert response.status_code == 302
        assert len(contact.emails) == 2
        return
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert (contact.city, contact.emails, contact.version) == ("Kiel", [], 1)


def test_an_invalid_form_posted_by_htmx_comes_back_with_the_rows_as_typed(client_for, org):
    response = client_for("ana").post(
        reverse("contacts:create"),
        contact_form(owner=org["ana"].pk, **{"emails-0-value": "bob@"}),
        headers=HX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'name="emails-0-value" value="bob@"' in body
    assert "The 2nd e-mail, “bob@”, is not a valid e-mail address." in body
    assert not Contact.objects.filter(last_name="Ostwind").exists()


def test_more_than_ten_addresses_are_refused(client_for, org):
    rows = {f"emails-{i}-value": f"x{i}@mail.example" for i in range(12)}
    rows |= {f"emails-{i}-label": "other" for i in range(12)}

    response = client_for("ana").post(
        reverse("contacts:create"),
        contact_form(owner=org["ana"].pk, **{"emails-rows": "12"}, **rows),
    )

    # At most ten rows are read at all; the tenth other one is one too many.
    assert "At most 10 e-mails per contact." in response.content.decode()
    assert not Contact.objects.filter(last_name="Ostwind").exists()


def test_without_a_primary_the_first_other_address_becomes_it(client_for, org):
    response = client_for("ana").post(
        reverse("contacts:create"), contact_form(owner=org["ana"].pk, email="", phone="")
    )

    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Ostwind")
    assert (contact.email, contact.email_label, contact.emails) == (
        "Olaf.Private@Mail.example",
        "home",
        [],
    )
    assert (contact.phone, contact.phone_label, contact.phones) == (MOBILE_TYPED, "mobile", [])


def test_add_another_shows_one_more_row_and_saves_nothing(client_for, org):
    contact = ContactFactory(owner=org["ana"], last_name="Ostwind")
    url = reverse("contacts:edit", args=[contact.pk])
    page = opened(client_for("ana"), url)

    response = client_for("ana").post(
        url,
        page | {"last_name": "", "emails-0-value": "typed@mail.example", "add_row": "emails"},
        headers=HX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="record-form"') and "<html" not in body
    assert 'name="emails-0-value" value="typed@mail.example"' in body
    assert 'name="emails-1-value" value=""' in body and "autofocus" in body
    assert 'name="emails-rows" value="2"' in body
    assert "This field is required" not in body  # the half-typed form is not judged yet
    assert f'name="version" value="{page["version"]}"' in body
    contact.refresh_from_db()
    assert (contact.last_name, contact.emails, contact.version) == ("Ostwind", [], 1)


def test_add_another_is_refused_to_a_rep_who_may_only_read(client_for, north_records):
    contact = north_records["contact"]

    response = client_for("ben").post(
        reverse("contacts:edit", args=[contact.pk]), {"add_row": "emails"}
    )

    assert response.status_code == 403


# ---- detail page, history, stale edits ------------------------------------------------------


def test_the_detail_page_lists_every_address_primary_first_with_links(client_for, org):
    contact = ContactFactory(
        owner=org["ana"],
        email="p@work.example",
        phone="+49 30 1111111",
        phone_label="work",
        emails=[{"label": "home", "value": "p@home.example"}],
        phones=[{"label": "mobile", "value": "+49 151 2222222"}],
    )

    body = client_for("ben").get(contact.get_absolute_url()).content.decode()  # read-only

    emails = body[body.index('id="contact-emails"') : body.index('id="contact-phones"')]
    assert emails.index("mailto:p@work.example") < emails.index("mailto:p@home.example")
    assert '<a href="mailto:p@home.example">p@home.example</a><span class="label">home</span>' in (
        emails
    )
    assert '<a href="tel:+49 151 2222222">+49 151 2222222</a><span class="label">mobile</span>' in (
        body
    )


def test_the_history_keeps_the_addresses_a_contact_had(client_for, org):
    contact = ContactFactory(
        owner=org["ana"], emails=[{"label": "home", "value": "old@mail.example"}]
    )
    url = reverse("contacts:edit", args=[contact.pk])
    page = opened(client_for("ana"), url)

    client_for("ana").post(url, page | {"emails-0-value": "new@mail.example"})

    rows = list(contact.history.order_by("history_id").values_list("version", "emails"))
    assert rows == [
        (1, [{"label": "home", "value": "old@mail.example"}]),
        (2, [{"label": "home", "value": "new@mail.example"}]),
    ]


def test_two_edits_of_the_other_addresses_conflict_and_the_first_is_kept(client_for, org):
    contact = ContactFactory(owner=org["ana"], last_name="Ostwind")
    contact.history.all().delete()  # the merge works from the form's base, not the history
    url = reverse("contacts:edit", args=[contact.pk])
    ana = client_for("ana")
    maria = Client()
    maria.force_login(org["maria"])
    anas_page, marias_page = opened(ana, url), opened(maria, url)
    ana.post(url, anas_page | {"emails-0-value": "ana@mail.example", "city": "Kiel"})

    conflict = maria.post(url, marias_page | {"emails-0-value": "maria@mail.example"})

    body = conflict.content.decode()
    assert conflict.status_code == 200
    assert "changed this to “work: ana@mail.example” while you were editing" in body
    resubmitted = opened_from_body(body)
    assert resubmitted["city"] == "Kiel"  # ana's other change is merged in
    contact.refresh_from_db()
    assert contact.emails == [{"label": "work", "value": "ana@mail.example"}]
    again = maria.post(url, resubmitted)
    assert again.status_code == 302
    contact.refresh_from_db()
    assert (contact.emails[0]["value"], contact.city) == ("maria@mail.example", "Kiel")


def test_a_stale_edit_of_other_fields_keeps_the_addresses_someone_added(client_for, org):
    contact = ContactFactory(
        owner=org["ana"], last_name="Ostwind", city="Kiel", phone="030 1234567"
    )
    url = reverse("contacts:edit", args=[contact.pk])
    ana = client_for("ana")
    maria = Client()
    maria.force_login(org["maria"])
    anas_page, marias_page = opened(ana, url), opened(maria, url)
    ana.post(url, anas_page | {"phones-0-value": MOBILE_TYPED, "phones-0-label": "mobile"})
    contact.refresh_from_db()
    assert contact.phones == [{"label": "mobile", "value": MOBILE_TYPED}]

    response = maria.post(url, marias_page | {"city": "Hamburg"})

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.city, contact.phones) == (
        "Hamburg",
        [{"label": "mobile", "value": MOBILE_TYPED}],
    )
    assert ("phone", "4915123456789") in handles(contact)


# ---- inline edit of the primary --------------------------------------------------------------


def inline_post(client, contact, field, value):
    return client.post(
        reverse("inline-edit", args=["contacts.Contact", contact.pk, field]),
        {field: value, "version": contact.version, "original": getattr(contact, field)},
        headers=HX,
    )


def test_the_primary_still_edits_in_place_and_its_handle_follows(client_for, org):
    contact = ContactFactory(
        owner=org["ana"],
        email="old@work.example",
        emails=[{"label": "home", "value": "p@home.example"}],
    )

    response = inline_post(client_for("ana"), contact, "email", "new@work.example")

    assert "new@work.example" in response.content.decode()
    assert handles(contact) == {("email", "new@work.example"), ("email", "p@home.example")}


def test_a_primary_that_repeats_another_address_is_refused_in_place(client_for, org):
    contact = ContactFactory(
        owner=org["ana"],
        email="old@work.example",
        emails=[{"label": "home", "value": "p@home.example"}],
    )

    response = inline_post(client_for("ana"), contact, "email", "P@home.example")

    assert response.status_code == 200
    assert "is already one of this contact&#x27;s other e-mails" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.email, contact.version) == ("old@work.example", 1)


def test_the_primary_cannot_be_emptied_in_place_while_there_are_others(client_for, org):
    contact = ContactFactory(
        owner=org["ana"], email="a@work.example", emails=[{"label": "home", "value": "b@x.example"}]
    )

    response = inline_post(client_for("ana"), contact, "email", "")

    assert "one of them must be the primary" in response.content.decode()
    contact.refresh_from_db()
    assert contact.email == "a@work.example"


def test_an_inline_edit_of_another_field_leaves_the_handles_alone(client_for, org):
    contact = ContactFactory(owner=org["ana"], city="Kiel")
    client = client_for("ana")
    visibility.current_policy()
    before = list(ContactHandle.objects.filter(contact=contact).values_list("pk", flat=True))

    inline_post(client, contact, "city", "Hamburg")

    after = list(ContactHandle.objects.filter(contact=contact).values_list("pk", flat=True))
    assert before == after and before


# ---- duplicate check and search ---------------------------------------------------------------


def hint(client, **params) -> str:
    response = client.get(reverse("contacts:duplicates"), params, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def dora(org):
    return ContactFactory(
        first_name="Dora",
        last_name="Doublet",
        email="dora@work.example",
        emails=[{"label": "home", "value": "Dora.Home@Mail.example"}],
        phones=[{"label": "mobile", "value": MOBILE_TYPED}],
        owner=org["ana"],
    )


@pytest.mark.parametrize(
    "typed",
    [
        {"email": "DORA.home@mail.example"},
        {"phone": MOBILE_OTHER_SPELLING},
        {"emails-0-value": "dora.home@mail.example"},  # typed in the form's second row
        {"phones-0-value": "+4915123456789"},
    ],
)
def test_a_second_address_of_a_contact_is_a_duplicate(
    client_for, dora, typed, django_assert_max_num_queries
):
    client = client_for("ana")
    visibility.current_policy()

    with django_assert_max_num_queries(3):
        body = hint(client, kind="contact", last_name="Newname", **typed)

    assert f'<a href="{dora.get_absolute_url()}">Dora Doublet</a>' in body
    kind = "e-mail" if "email" in next(iter(typed)) else "phone"
    assert f"same {kind}" in body


def test_a_second_address_the_user_may_not_see_names_only_the_owner(client_for, dora):
    body = hint(client_for("carla"), kind="contact", last_name="X", phone=MOBILE_OTHER_SPELLING)

    assert "Already in Huddle, owned by Ana" in body
    assert "Dora" not in body and dora.get_absolute_url() not in body


def test_a_contact_is_no_duplicate_of_itself_by_its_other_address(client_for, dora):
    body = hint(
        client_for("ana"),
        kind="contact",
        exclude=dora.pk,
        last_name="Zzz",
        email="dora.home@mail.example",
    )

    assert "Possible duplicate" not in body


def search(client, text: str) -> str:
    return client.get(reverse("search"), {"q": text}, headers=HX).content.decode()


@pytest.mark.parametrize(
    "typed", ["dora.home@mail", "Dora.Home@Mail.example", MOBILE_OTHER_SPELLING, "0151 23456"]
)
def test_global_search_finds_a_contact_by_a_second_address(
    client_for, dora, typed, django_assert_num_queries
):
    client = client_for("ana")
    visibility.current_policy()

    with django_assert_num_queries(2):
        body = search(client, typed)

    assert dora.get_absolute_url() in body


def test_search_forgets_an_address_once_it_is_removed(client_for, org, dora):
    page = opened(client_for("ana"), reverse("contacts:edit", args=[dora.pk]))

    client_for("ana").post(reverse("contacts:edit", args=[dora.pk]), page | {"emails-0-value": ""})

    assert dora.get_absolute_url() not in search(client_for("ana"), "dora.home@mail")
    assert ("email", "dora.home@mail.example") not in handles(dora)


# ---- the lookup table from migrations and the demo seed ---------------------------------------


def test_the_backfill_migration_fills_the_table_from_the_stored_addresses(org):
    a = ContactFactory(owner=org["ana"], email="A@x.example", phone="030 1234567")
    b = ContactFactory(owner=org["ana"], email="", phone="")
    ContactHandle.objects.all().delete()
    migration = importlib.import_module("contacts.migrations.0009_backfill_contact_handles")

    # The migration reads only the editor's connection (a real schema editor cannot open
    # inside the test's transaction on SQLite).
    migration.forward(django_apps, SimpleNamespace(connection=connection))

    assert handles(a) == {("email", "a@x.example"), ("phone", "49301234567")}
    assert handles(b) == set()


def test_the_demo_seed_gives_some_contacts_other_addresses_all_in_the_table(db):
    from datetime import date

    from reports import demo_data

    demo_data.seed(
        demo_data.Sizes(companies=5, contacts=40, deals=3, activities=10), date(2026, 11, 2)
    )

    contacts = list(Contact.objects.all())
    assert any(c.emails for c in contacts) and any(c.phones for c in contacts)
    assert any(c.birthday.startswith("--") for c in contacts)
    stored = set(ContactHandle.objects.values_list("contact_id", "kind", "normalized"))
    expected = {(c.pk, kind, value) for c in contacts for kind, value in handles_of(c)}
    assert stored == expected
