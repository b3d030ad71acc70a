"""Custom fields edited in place (issue 14: "a field an admin adds appears at once … in inline
edit"), through the same endpoint, versions and conflicts as the built-in fields; and a required
custom field never gets in the way of editing another field in place."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from crm.models import CustomField

HX = {"HX-Request": "true"}


@pytest.fixture
def region(db):
    return CustomField.objects.create(
        model="contact",
        key="region",
        label="Region",
        type="choice",
        choices=["North Sea", "Baltic", "Alps"],
        required=True,
    )


@pytest.fixture
def ana(org):
    client = Client()
    client.force_login(org["ana"])
    return client


def url(contact, field) -> str:
    return reverse("inline-edit", args=["contacts.Contact", contact.pk, field])


def hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(version|original)" value="([^"]*)"', html))


def test_a_required_custom_field_does_not_stop_an_edit_of_the_phone(region, north_records, ana):
    contact = north_records["contact"]
    editor = ana.get(url(contact, "phone") + "?edit=1", headers=HX).content.decode()
    assert 'name="phone"' in editor
    assert "custom_region" not in editor  # one field, not every custom field
    response = ana.post(
        url(contact, "phone"), {"phone": "+49 30 999999", **hidden(editor)}, headers=HX
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "recordChanged"
    contact.refresh_from_db()
    assert contact.phone == "+49 30 999999" and contact.custom == {}


def test_a_custom_choice_is_edited_in_place_and_kept_in_history(region, north_records, ana):
    contact = north_records["contact"]
    editor = ana.get(url(contact, "custom_region") + "?edit=1", headers=HX).content.decode()
    assert 'name="custom_region"' in editor and 'name="phone"' not in editor
    assert ">Alps</option>" in editor
    response = ana.post(
        url(contact, "custom_region"), {"custom_region": "Alps", **hidden(editor)}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Alps" in html and "saved" in html
    contact.refresh_from_db()
    assert contact.custom == {"region": "Alps"} and contact.version == 2
    assert contact.history.first().custom == {"region": "Alps"}

    # Not a choice: the error, and nothing saved.
    editor = ana.get(url(contact, "custom_region") + "?edit=1", headers=HX).content.decode()
    bad = ana.post(
        url(contact, "custom_region"), {"custom_region": "Atlantis", **hidden(editor)}, headers=HX
    )
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    contact.refresh_from_db()
    assert contact.custom == {"region": "Alps"} and contact.version == 2


def test_a_custom_number_keeps_its_type_and_a_stale_edit_of_it_shows_both_values(
    north_records, org
):
    CustomField.objects.create(model="contact", key="seats", label="Seats", type="number")
    contact = north_records["contact"]
    ana, maria = Client(), Client()
    ana.force_login(org["ana"])
    maria.force_login(org["maria"])
    field = "custom_seats"
    ana_editor = ana.get(url(contact, field) + "?edit=1", headers=HX).content.decode()
    maria_editor = maria.get(url(contact, field) + "?edit=1", headers=HX).content.decode()
    ana.post(url(contact, field), {field: "12", **hidden(ana_editor)}, headers=HX)
    contact.refresh_from_db()
    assert contact.custom == {"seats": 12}
    clash = maria.post(url(contact, field), {field: "15", **hidden(maria_editor)}, headers=HX)
    html = clash.content.decode()
    assert "changed Seats to <strong>12</strong>" in html and "Yours: <strong>15</strong>" in html
    contact.refresh_from_db()
    assert contact.custom == {"seats": 12}


def test_role_rules_hold_in_place(north_records, org, ana):
    CustomField.objects.create(
        model="contact", key="score", label="Score", type="number", see_roles=["manager", "admin"]
    )
    CustomField.objects.create(
        model="contact", key="tier", label="Tier", type="text", edit_roles=["manager", "admin"]
    )
    CustomField.objects.create(
        model="contact", key="tags", label="Tags", type="multiple_choice", choices=["A", "B"]
    )
    contact = north_records["contact"]
    # Hidden from reps: as if it did not exist.
    assert ana.get(url(contact, "custom_score") + "?edit=1", headers=HX).status_code == 404
    posted = ana.post(url(contact, "custom_score"), {"custom_score": "5", "version": "1"})
    assert posted.status_code == 404
    # Seen but not editable by reps: refused.
    assert ana.get(url(contact, "custom_tier") + "?edit=1", headers=HX).status_code == 403
    assert (
        ana.post(url(contact, "custom_tier"), {"custom_tier": "Gold", "version": "1"}).status_code
        == 403
    )
    # A list value is changed in the full form, not in place; unknown keys are not fields.
    assert ana.get(url(contact, "custom_tags") + "?edit=1", headers=HX).status_code == 404
    assert ana.get(url(contact, "custom_nothing") + "?edit=1", headers=HX).status_code == 404
    contact.refresh_from_db()
    assert contact.custom == {}
    # The manager may change the tier.
    maria = Client()
    maria.force_login(org["maria"])
    editor = maria.get(url(contact, "custom_tier") + "?edit=1", headers=HX).content.decode()
    maria.post(url(contact, "custom_tier"), {"custom_tier": "Gold", **hidden(editor)}, headers=HX)
    assert Contact.objects.get(pk=contact.pk).custom == {"tier": "Gold"}


def test_the_detail_page_offers_a_custom_value_in_place_to_whoever_may_change_it(
    region, north_records, org
):
    contact = north_records["contact"]
    contact.custom = {"region": "Baltic"}
    contact.save()
    page = reverse("contacts:detail", args=[contact.pk])
    editor = url(contact, "custom_region")
    ana = Client()
    ana.force_login(org["ana"])
    html = ana.get(page).content.decode()
    assert "<dt>Region</dt>" in html and editor in html and 'aria-label="Edit Region"' in html
    ben = Client()  # sees North's contacts, edits only his own (the default policy)
    ben.force_login(org["ben"])
    html = ben.get(page).content.decode()
    assert "<dt>Region</dt><dd>Baltic</dd>" in html and editor not in html
