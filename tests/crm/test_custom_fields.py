"""Custom fields (issue 14): an admin adds one in Settings and at once it is asked for in forms
and quick add, shown on detail pages, shown and filtered in lists, exported by its label —
through the same doors a user uses (HTTP client). Values are checked by type on every write."""

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from contacts.models import Contact
from crm.models import CustomField, SettingChange
from crm.records import record_update
from tests.factories import ContactFactory, DealFactory

HX = {"HX-Request": "true"}
REGION = {
    "model": "contact",
    "label": "Region",
    "key": "",
    "type": "choice",
    "add_choices": "North Sea\nBaltic\nAlps",
    "required": "on",
    "in_list": "on",
    "filterable": "on",
    "order": "0",
    "help_text": "",
}


@pytest.fixture
def region(client_for):
    """Region, added the way an admin adds it: through Settings → Fields."""
    response = client_for("admin").post(reverse("settings-field-create"), REGION)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CustomField.objects.get(label="Region")


def fact(html: str, label: str) -> str:
    """The text of a detail page's value for `label` (shown plain or as its in-place editor)."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html, re.S)
    assert match, f"no {label} on the page"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8"))))


# ---- adding a field -----------------------------------------------------------------------------


def test_an_admin_adds_a_choice_field_and_the_change_is_in_the_settings_history(region, org):
    assert region.key == "region" and region.model == "contact" and region.type == "choice"
    assert [c["label"] for c in region.choices] == ["North Sea", "Baltic", "Alps"]
    change = SettingChange.objects.get()
    assert (change.by, change.action, change.subject) == (org["admin"], "added", "Contacts: Region")
    assert change.after["label"] == "Region" and change.before == {}


def test_the_settings_history_page_lists_who_changed_what(region, client_for):
    body = client_for("admin").get(reverse("settings-history")).content.decode()
    assert "Added custom field" in body and "Contacts: Region" in body
    assert "North Sea, Baltic, Alps" in body


@pytest.mark.parametrize("username", ["maria", "ana"])
def test_only_an_admin_may_open_or_change_the_fields(org, client_for, username):
    client = client_for(username)
    assert client.get(reverse("settings-fields")).status_code == 403
    assert client.post(reverse("settings-field-create"), REGION).status_code == 403
    assert client.get(reverse("settings-history")).status_code == 403
    assert not CustomField.objects.exists()


def test_a_choice_field_without_choices_is_refused_with_a_message(client_for):
    response = client_for("admin").post(
        reverse("settings-field-create"), {**REGION, "add_choices": ""}
    )
    assert response.status_code == 200
    assert "A choice field needs at least one choice." in response.content.decode()
    assert not CustomField.objects.exists()


# ---- forms and quick add ------------------------------------------------------------------------


def test_at_once_the_contact_form_asks_for_it_required(region, client_for):
    client = client_for("ana")
    body = client.get(reverse("contacts:create")).content.decode()
    assert 'name="custom_region"' in body and "North Sea" in body

    refused = client.post(reverse("contacts:create"), {"first_name": "Ola", "owner": ""})
    assert refused.status_code == 200
    assert "This field is required." in refused.context["form"].errors["custom_region"]
    assert not Contact.objects.filter(first_name="Ola").exists()

    ana = client.session["_auth_user_id"]
    client.post(
        reverse("contacts:create"),
        {"first_name": "Ola", "last_name": "Nord", "owner": ana, "custom_region": "Baltic"},
    )
    assert Contact.objects.get(first_name="Ola").custom == {"region": "Baltic"}


def test_quick_add_asks_for_it_and_stores_it(region, client_for):
    client = client_for("ana")
    form = client.get(reverse("quick-add-form", args=["contact"]), headers=HX).content.decode()
    assert 'name="custom_region"' in form

    missing = client.post(
        reverse("quick-add-form", args=["contact"]), {"first_name": "Kai"}, headers=HX
    )
    assert "This field is required." in missing.content.decode()
    assert not Contact.objects.filter(first_name="Kai").exists()

    client.post(
        reverse("quick-add-form", args=["contact"]),
        {"first_name": "Kai", "last_name": "Alp", "custom_region": "Alps"},
        headers=HX,
    )
    assert Contact.objects.get(first_name="Kai").custom["region"] == "Alps"


def test_a_forged_choice_is_refused(region, client_for, org):
    client_for("ana").post(
        reverse("contacts:create"),
        {"first_name": "Eve", "owner": org["ana"].pk, "custom_region": "Atlantis"},
    )
    assert not Contact.objects.filter(first_name="Eve").exists()


def test_editing_keeps_the_values_of_fields_the_form_does_not_show(region, client_for, org):
    contact = ContactFactory(owner=org["ana"], custom={"region": "Alps", "legacy": "kept"})
    client = client_for("ana")
    form = client.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["custom_region"] = "Baltic"
    response = client.post(reverse("contacts:edit", args=[contact.pk]), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.custom == {"region": "Baltic", "legacy": "kept"}
    assert contact.version == 2


def test_a_stale_edit_of_a_custom_value_merges_like_a_column(region, client_for, org):
    contact = ContactFactory(owner=org["ana"], custom={"region": "Alps"}, city="Kiel")
    client = client_for("ana")
    form = client.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    # Meanwhile Maria moves the contact to the Baltic region.
    theirs = Contact.objects.get(pk=contact.pk)
    theirs.custom = {"region": "Baltic"}
    record_update(record=theirs, by=org["maria"], fields=["custom"])
    data["city"] = "Lübeck"  # ana changes only the city
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert (contact.city, contact.custom["region"]) == ("Lübeck", "Baltic")

    # Both change the region: ana's form comes back, naming Maria's value.
    form = client.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    theirs = Contact.objects.get(pk=contact.pk)
    theirs.custom = {"region": "Alps"}
    record_update(record=theirs, by=org["maria"], fields=["custom"])
    data["custom_region"] = "North Sea"
    refused = client.post(reverse("contacts:edit", args=[contact.pk]), data)
    assert refused.status_code == 200
    assert "changed this to “Alps”" in str(refused.context["form"].errors["custom_region"])
    contact.refresh_from_db()
    assert contact.custom["region"] == "Alps"


# ---- every write checks the type ----------------------------------------------------------------


@pytest.mark.parametrize(
    "field_type, good, bad",
    [
        ("number", 12.5, "twelve"),
        ("money", 1200, True),
        ("date", "2026-12-24", "24.12.2026"),
        ("yes_no", True, "yes"),
        ("email", "a@b.example", "not an address"),
        ("url", "https://huddle.example", "javascript:alert(1)"),
        ("phone", "+49 30 1234567", "call me"),
        ("text", "Hello", "x" * 501),
    ],
)
def test_the_record_service_checks_every_value_by_type(org, field_type, good, bad):
    CustomField.objects.create(model="contact", key="thing", label="Thing", type=field_type)
    contact = ContactFactory(owner=org["ana"])
    contact.custom = {"thing": good}
    record_update(record=contact, by=org["ana"], fields=["custom"])
    contact = Contact.objects.get(pk=contact.pk)
    contact.custom = {"thing": bad}
    with pytest.raises(ValidationError, match="Thing"), transaction.atomic():
        record_update(record=contact, by=org["ana"], fields=["custom"])
    assert Contact.objects.get(pk=contact.pk).custom == {"thing": good}


# ---- detail pages, lists, filters, export -------------------------------------------------------


@pytest.fixture
def regional(region, org):
    ana = org["ana"]
    return {
        "nora": ContactFactory(first_name="Nora", owner=ana, custom={"region": "North Sea"}),
        "bea": ContactFactory(first_name="Bea", owner=ana, custom={"region": "Baltic"}),
        "alf": ContactFactory(first_name="Alf", owner=ana, custom={"region": "Alps"}),
    }


def test_the_detail_page_shows_the_value_by_its_label(regional, client_for):
    body = client_for("ana").get(regional["nora"].get_absolute_url()).content.decode()
    assert fact(body, "Region") == "North Sea"


def test_the_list_shows_the_column_and_filters_by_it(regional, client_for):
    client = client_for("ana")
    body = client.get(reverse("contacts:list")).content.decode()
    assert ">Region<" in body and "Baltic" in body and 'name="custom_region"' in body

    filtered = client.get(reverse("contacts:list"), {"custom_region": "Baltic"}, headers=HX)
    names = [row.record.first_name for row in filtered.context["table"].paginated_rows]
    assert names == ["Bea"]


def test_the_list_sorts_by_the_column(regional, client_for):
    response = client_for("ana").get(reverse("contacts:list"), {"sort": "-custom_region"})
    names = [row.record.first_name for row in response.context["table"].paginated_rows]
    assert names == ["Nora", "Bea", "Alf"]  # North Sea, Baltic, Alps: by the stored value


def test_a_user_hides_the_column_and_the_list_remembers(regional, client_for):
    client = client_for("ana")
    hidden = client.get(reverse("contacts:list"), {"cols_set": "1"})
    assert "custom_region" not in [c.name for c in hidden.context["table"].columns]
    again = client.get(reverse("contacts:list"))
    assert "custom_region" not in [c.name for c in again.context["table"].columns]
    shown = client.get(reverse("contacts:list"), {"cols_set": "1", "cols": "region"})
    assert "custom_region" in [c.name for c in shown.context["table"].columns]


def test_the_csv_export_has_the_column_by_its_label(regional, client_for):
    response = client_for("ana").get(reverse("contacts:export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][-1] == "Region"
    by_name = {row[0].split()[0]: row[-1] for row in rows[1:]}  # the Name column: "Nora …"
    assert by_name == {"Nora": "North Sea", "Bea": "Baltic", "Alf": "Alps"}


def test_the_export_follows_the_filters_on_screen(regional, client_for):
    response = client_for("ana").get(
        reverse("contacts:export", args=["csv"]), {"custom_region": "Alps"}
    )
    assert [row[0].split()[0] for row in csv_rows(response)[1:]] == ["Alf"]


def test_the_xlsx_export_is_a_workbook(regional, client_for):
    response = client_for("ana").get(reverse("contacts:export", args=["xlsx"]))
    assert response.getvalue()[:2] == b"PK"


@pytest.mark.parametrize("fmt", ["pdf", "csv.exe"])
def test_an_unknown_export_format_is_not_found(org, client_for, fmt):
    assert client_for("ana").get(f"/contacts/export.{fmt}").status_code == 404


def test_an_export_names_no_company_the_user_may_not_see(org, client_for):
    from tests.factories import CompanyFactory

    hidden = CompanyFactory(name="Südwind Secret", owner=org["carla"])
    ContactFactory(first_name="Pia", owner=org["ana"], company=hidden)
    rows = csv_rows(client_for("ana").get(reverse("contacts:export", args=["csv"])))
    assert "Südwind Secret" not in str(rows)
    assert [r[0].split()[0] for r in rows[1:]] == ["Pia"]


# ---- ranges by type -----------------------------------------------------------------------------


def test_date_and_number_fields_filter_by_range(org, client_for):
    CustomField.objects.create(
        model="deal", key="signed", label="Signed", type="date", filterable=True
    )
    CustomField.objects.create(
        model="deal", key="seats", label="Seats", type="number", filterable=True, in_list=True
    )
    ana = org["ana"]
    DealFactory(title="Small", owner=ana, custom={"signed": "2026-01-10", "seats": 5})
    DealFactory(title="Big", owner=ana, custom={"signed": "2026-06-01", "seats": 120})
    DealFactory(title="Bigger", owner=ana, custom={"signed": "2026-11-30", "seats": 900})
    client = client_for("ana")

    def titles(**params):
        response = client.get(reverse("deals:list"), params)
        return sorted(row.record.title for row in response.context["table"].paginated_rows)

    assert titles(custom_signed_from="2026-05-01") == ["Big", "Bigger"]
    assert titles(custom_signed_from="2026-05-01", custom_signed_to="2026-07-01") == ["Big"]
    assert titles(custom_seats_min="100") == ["Big", "Bigger"]
    assert titles(custom_seats_min="100", custom_seats_max="500") == ["Big"]
    response = client.get(reverse("deals:list"), {"sort": "custom_seats"})
    assert [r.record.title for r in response.context["table"].paginated_rows] == [
        "Small",
        "Big",
        "Bigger",
    ]
    bad = client.get(reverse("deals:list"), {"custom_signed_from": "someday"})
    assert bad.status_code == 200 and "These filters are not valid" in bad.content.decode()


# ---- roles, archive, rename ---------------------------------------------------------------------


def test_a_field_only_managers_see_is_nowhere_for_a_rep(org, client_for):
    CustomField.objects.create(
        model="contact",
        key="margin",
        label="Margin note",
        type="text",
        see_roles=["manager", "admin"],
        in_list=True,
        filterable=True,
    )
    contact = ContactFactory(owner=org["ana"], custom={"margin": "thin"})
    rep = client_for("ana")
    assert (
        "Margin note" not in rep.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    )
    assert "Margin note" not in rep.get(contact.get_absolute_url()).content.decode()
    assert "Margin note" not in rep.get(reverse("contacts:list")).content.decode()
    assert "thin" not in rep.get(reverse("contacts:export", args=["csv"])).getvalue().decode()
    manager = client_for("maria")
    assert "Margin note" in manager.get(contact.get_absolute_url()).content.decode()


def test_a_field_only_managers_may_change_is_shown_to_a_rep_disabled(org, client_for):
    CustomField.objects.create(
        model="contact", key="tier", label="Tier", type="text", edit_roles=["manager", "admin"]
    )
    contact = ContactFactory(owner=org["ana"], custom={"tier": "Gold"})
    client = client_for("ana")
    form = client.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    assert form.fields["custom_tier"].disabled
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["custom_tier"] = "Platinum"  # a forged post of a disabled field changes nothing
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert contact.custom["tier"] == "Gold"


def test_archiving_hides_the_field_and_keeps_its_values_restoring_brings_them_back(
    regional, client_for
):
    field, nora = CustomField.objects.get(key="region"), regional["nora"]
    client_for("admin").post(reverse("settings-field-archive", args=[field.pk]), {"archived": "1"})
    rep = client_for("ana")
    assert "<dt>Region</dt>" not in rep.get(nora.get_absolute_url()).content.decode()
    assert 'name="custom_region"' not in rep.get(reverse("contacts:create")).content.decode()
    assert Contact.objects.get(pk=nora.pk).custom == {"region": "North Sea"}

    client_for("admin").post(reverse("settings-field-archive", args=[field.pk]), {"archived": "0"})
    body = client_for("ana").get(nora.get_absolute_url()).content.decode()
    assert fact(body, "Region") == "North Sea"
    actions = list(SettingChange.objects.values_list("action", flat=True))
    assert actions == ["restored", "archived", "added"]


def test_renaming_a_choice_keeps_the_values_and_the_key_is_fixed_once_data_exists(
    regional, client_for
):
    field = CustomField.objects.get(key="region")
    client = client_for("admin")
    form = client.get(reverse("settings-field-edit", args=[field.pk])).context["form"]
    assert form.fields["key"].disabled and form.fields["type"].disabled
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"choice_0": "Nordsee", "key": "renamed", "type": "text"})
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(reverse("settings-field-edit", args=[field.pk]), data)
    assert response.status_code == 302
    field.refresh_from_db()
    assert (field.key, field.type) == ("region", "choice")
    assert field.choices[0] == {"value": "North Sea", "label": "Nordsee"}
    client.force_login(regional["nora"].owner)
    body = client.get(regional["nora"].get_absolute_url()).content.decode()
    assert fact(body, "Region") == "Nordsee"
    assert Contact.objects.get(pk=regional["nora"].pk).custom == {"region": "North Sea"}


def test_a_user_field_stores_the_id_and_reads_as_the_name(org, client_for):
    CustomField.objects.create(model="contact", key="buddy", label="Buddy", type="user")
    contact = ContactFactory(owner=org["ana"])
    client = client_for("ana")
    form = client.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["custom_buddy"] = org["ben"].pk
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert contact.custom == {"buddy": org["ben"].pk}
    assert fact(client.get(contact.get_absolute_url()).content.decode(), "Buddy") == str(org["ben"])


def test_dates_read_with_the_year(org, client_for):
    CustomField.objects.create(model="contact", key="met", label="First met", type="date")
    contact = ContactFactory(owner=org["ana"], custom={"met": date(2026, 3, 4).isoformat()})
    body = client_for("ana").get(contact.get_absolute_url()).content.decode()
    assert fact(body, "First met") == "4 Mar 2026"


# ---- the settings history covers the other settings too ----------------------------------------


def test_switching_a_report_and_changing_the_policy_are_in_the_settings_history(org, client_for):
    from crm.models import VisibilityPolicy

    client = client_for("admin")
    client.post(reverse("report-switch", args=["forecast"]), {"enabled": "0"})
    client.post(reverse("report-switch", args=["forecast"]), {"enabled": "0"})  # no change
    policy = {f: "team" for f in ("company_see", "contact_see", "deal_see", "activity_see")}
    policy |= {f: "own" for f in ("company_edit", "contact_edit", "deal_edit", "activity_edit")}
    client.post(reverse("settings"), policy | {"contact_see": "everyone"})
    assert VisibilityPolicy.objects.get(pk=1).contact_see == "everyone"
    changes = list(SettingChange.objects.values_list("area", "action", "before", "after"))
    assert changes[0][:2] == ("visibility policy", "changed")
    assert (changes[0][2]["contact_see"], changes[0][3]["contact_see"]) == ("team", "everyone")
    assert changes[1] == ("report", "switched off", {"enabled": True}, {"enabled": False})
    assert len(changes) == 2
    body = client.get(reverse("settings-history")).content.decode()
    assert "Switched off report" in body and "contact see:</span> team → everyone" in body


# ---- speed: an index on the expression lists filter and sort by --------------------------------


def _indexes(table):
    from django.db import connection

    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_a_filterable_field_gets_an_index_that_archiving_drops_and_restoring_brings_back(
    client_for,
):
    client = client_for("admin")
    client.post(
        reverse("settings-field-create"),
        {"model": "deal", "label": "Seats", "type": "number", "filterable": "on"},
    )
    field = CustomField.objects.get(key="seats")
    assert "cf_deals_deal_seats" in _indexes("deals_deal")
    client.post(reverse("settings-field-archive", args=[field.pk]), {"archived": "1"})
    assert "cf_deals_deal_seats" not in _indexes("deals_deal")
    client.post(reverse("settings-field-archive", args=[field.pk]), {"archived": "0"})
    assert "cf_deals_deal_seats" in _indexes("deals_deal")


def test_sorting_by_a_custom_number_reads_its_index(org, client_for):
    from django.db import connection

    from crm import custom_fields
    from crm.fields import CustomColumn
    from deals.models import Deal

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans a seq scan over a test-sized table; the bench measures it")
    client_for("admin").post(
        reverse("settings-field-create"),
        {"model": "deal", "label": "Seats", "type": "number", "in_list": "on"},
    )
    spec = next(s for s in custom_fields.all_fields() if s.key == "seats")
    ordered, handled = CustomColumn(spec).order(Deal.objects.all(), True)
    sql, params = ordered[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert handled and "cf_deals_deal_seats" in plan, plan
