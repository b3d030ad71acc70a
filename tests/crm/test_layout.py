"""Settings → Layout (issue 14): the admin orders a kind of record's form fields and chooses which
are asked up front; the full form and quick add follow at once, required fields stay up front,
and bad input changes nothing. The same page says which columns each list shows by default:
people who have not chosen their own see those, a choice of their own wins, and a column of a
field their role may not see is never theirs. (Detail pages: tests/crm/test_layout_detail.py.)"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from crm import custom_fields, layouts, visibility
from crm.models import CustomField, Layout, SettingChange
from tests.factories import ContactFactory

URL = reverse("settings-layout", args=["contact"])


def names_in(html: str) -> list[str]:
    """The form's inputs in page order (no hidden or CSRF ones)."""
    found = re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', html)
    skip = ("csrfmiddlewaretoken", "version", "base", "next", "q")  # q: the top bar search
    return [n for n in found if n not in skip]


def more_part(html: str) -> str:
    at = html.find('<details class="more-fields">')
    return "" if at == -1 else html[at : html.index("</details>", at)]


def current(client) -> dict:
    """The layout form as the page shows it: each field's position and up-front box."""
    html = client.get(URL).content.decode()
    data = dict(re.findall(r'name="(pos_\w+)"[^>]*value="(\d+)"', html))
    for name in re.findall(r'name="(up_\w+)"[^>]*checked', html):
        data[name] = "on"
    return data


def test_the_admin_puts_city_first_and_up_front_and_the_forms_follow(client_for, org):
    CustomField.objects.create(model="contact", key="region", label="Region", type="text")
    admin = client_for("admin")
    page = admin.get(URL).content.decode()
    assert "Region" in page and "always (required)" in page
    data = current(admin)
    assert data["pos_first_name"] == "1" and "up_city" not in data
    data |= {"pos_city": "1", "up_city": "on", "pos_custom_region": "2", "up_custom_region": "on"}
    data.pop("up_phone")  # the phone waits under "More" from now on
    response = admin.post(URL, data)
    assert response.status_code == 302
    layout = Layout.objects.get(kind="contact")
    assert layout.order[:3] == ["city", "custom_region", "first_name"]
    assert "city" in layout.up_front and "phone" not in layout.up_front
    change = SettingChange.objects.get(area="layout")
    assert change.before == {"order": [], "up_front": [], "columns": []}
    assert change.after["order"][0] == "city" and change.after["columns"] == []

    form = client_for("ana").get(reverse("contacts:create")).content.decode()
    names = names_in(form)
    assert names[:3] == ["city", "custom_region", "first_name"]
    assert 'name="phone"' in more_part(form) and 'name="city"' not in more_part(form)
    quick = client_for("ana").get(reverse("quick-add-form", args=["contact"])).content.decode()
    assert 'name="city"' in quick and 'name="custom_region"' in quick
    assert 'name="phone"' not in quick


def test_required_fields_stay_up_front_whatever_is_posted(client_for, org):
    admin = client_for("admin")
    data = {k: v for k, v in current(admin).items() if not k.startswith("up_")}
    assert admin.post(URL, data).status_code == 302
    form = client_for("ana").get(reverse("contacts:create")).content.decode()
    assert 'name="last_name"' not in more_part(form)  # required by the model
    assert 'name="first_name"' in more_part(form)  # no longer chosen


def test_bad_positions_and_strangers_change_nothing(client_for, org):
    admin = client_for("admin")
    good = current(admin)
    for bad in ({"pos_city": "0"}, {"pos_city": "x"}, {"pos_city": "999"}):
        response = admin.post(URL, good | bad)
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    # A posted name that is no field of the form is ignored, never stored.
    assert admin.post(URL, good | {"pos_password": "1", "up_password": "on"}).status_code == 302
    layout = Layout.objects.get(kind="contact")
    assert "password" not in layout.order and "password" not in layout.up_front
    assert admin.get(reverse("settings-layout", args=["user"])).status_code == 404
    assert client_for("maria").get(URL).status_code == 403
    assert client_for("ben").post(URL, good).status_code == 403


# ---- the lists' default columns -----------------------------------------------------------------

CONTACTS = reverse("contacts:list")


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def columns_form(admin, kind: str = "contact") -> dict:
    """The whole layout form as the page shows it, the columns part included."""
    html = admin.get(reverse("settings-layout", args=[kind])).content.decode()
    data: dict = dict(re.findall(r'name="(pos_\w+)"[^>]*value="(\d+)"', html))
    for name in re.findall(r'name="((?:up|col)_\w+)"[^>]*checked', html):
        data[name] = "on"
    data["offered"] = re.findall(r'name="offered" value="([^"]+)"', html)
    return data


def shown(response) -> list[str]:
    return [column.name for column in response.context["table"].columns]


def headers(html: str) -> list[str]:
    thead = html.split("<thead", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th.*?</th>", thead, re.S)]


@pytest.fixture
def region(db):
    return CustomField.objects.create(
        model="contact", key="region", label="Region", type="choice", choices=["North", "South"]
    )


def test_the_page_offers_every_column_with_the_name_always_shown(client_for, org, region):
    html = client_for("admin").get(URL).content.decode()
    columns = html.split('id="layout-columns"', 1)[1].split("</table>", 1)[0]
    labels = re.findall(r"<td>([^<]+)</td>", columns)
    assert labels == ["Name", "Company", "E-mail", "Phone", "Owner", "Added", "Region"]
    name_box = re.search(r'<input[^>]*name="col_name"[^>]*>', columns).group(0)
    assert "checked" in name_box and "disabled" in name_box
    assert re.search(r'name="col_phone"[^>]*checked', columns)
    assert not re.search(r'name="col_custom_region"[^>]*checked', columns)  # not in_list


def test_the_admins_default_columns_are_what_someone_who_has_not_chosen_sees(org, region):
    ContactFactory(first_name="Nora", owner=org["ana"], custom={"region": "North"})
    ben = client(org["ben"])  # chose his own columns before the admin changed the default
    ben.get(CONTACTS, {"cols_set": "1", "cols": ["email", "phone"]})
    admin = client(org["admin"])
    data = columns_form(admin)
    del data["col_phone"], data["col_owner"]
    data["col_custom_region"] = "on"
    assert admin.post(URL, data).status_code == 302

    assert Layout.objects.get(kind="contact").columns == ["name", "company", "email", "created_at"]
    assert CustomField.objects.get(key="region").in_list  # the same switch as Settings → Fields
    layout_change = SettingChange.objects.get(area="layout")
    assert layout_change.before["columns"] == []
    assert layout_change.after["columns"] == ["name", "company", "email", "created_at"]
    field_change = SettingChange.objects.get(area="custom field")
    assert field_change.subject == "Contacts: Region" and field_change.by == org["admin"]
    assert (field_change.before, field_change.after) == ({"in_list": False}, {"in_list": True})

    ana = client(org["ana"])
    response = ana.get(CONTACTS)
    assert shown(response) == ["name", "company", "email", "created_at", "custom_region"]
    html = response.content.decode()
    assert headers(html) == ["Name", "Company", "E-mail", "Added", "Region"] and "North" in html
    # The chooser offers them all, ticked as shown; the name is no choice: it is always there.
    chooser = html.split('class="column-chooser"', 1)[1].split("</details>", 1)[0]
    assert re.findall(r'name="cols" value="(\w+)"', chooser) == [
        "company", "email", "phone", "owner", "created_at", "custom_region"
    ]  # fmt: skip
    assert re.findall(r'name="cols" value="(\w+)" checked', chooser) == [
        "company", "email", "created_at", "custom_region"
    ]  # fmt: skip
    # ben's own choice wins, now and later.
    assert shown(ben.get(CONTACTS)) == ["name", "email", "phone"]


def test_a_person_hides_built_in_columns_and_the_name_stays(client_for, org, region):
    ana = client(org["ana"])
    assert shown(ana.get(CONTACTS, {"cols_set": "1"})) == ["name"]
    assert shown(ana.get(CONTACTS)) == ["name"]  # remembered
    again = ana.get(CONTACTS, {"cols_set": "1", "cols": ["owner", "region", "name", "nonsense"]})
    assert shown(again) == ["name", "owner", "custom_region"]  # a bare key still names a field
    # Sorting by a column that is hidden is no error: the list keeps its own order.
    response = ana.get(CONTACTS, {"sort": "email"})
    assert response.status_code == 200 and shown(response) == ["name", "owner", "custom_region"]


def test_a_choice_kept_from_before_built_in_columns_could_be_hidden_still_counts(org, region):
    ana = client(org["ana"])
    session = ana.session
    session["list-columns:contact"] = ["region"]  # as the chooser kept it: custom keys only
    session.save()
    ana.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = ana.get(CONTACTS)
    assert "custom_region" in shown(response) and "email" in shown(response)


def test_a_column_of_a_field_the_role_may_not_see_is_never_a_reps(org):
    CustomField.objects.create(
        model="contact",
        key="margin",
        label="Margin",
        type="number",
        in_list=True,
        see_roles=["manager", "admin"],
    )
    ContactFactory(first_name="Nora", owner=org["ana"], custom={"margin": 4242})
    ana = client(org["ana"])
    for query in ({}, {"cols_set": "1", "cols": ["custom_margin", "margin", "email"]}):
        response = ana.get(CONTACTS, query)
        html = response.content.decode()
        assert "custom_margin" not in shown(response)
        assert "Margin" not in html and "4242" not in html and 'value="custom_margin"' not in html
    maria = client(org["maria"]).get(CONTACTS)
    assert "custom_margin" in shown(maria) and "4242" in maria.content.decode()


def test_a_stale_layout_form_changes_no_column(org, region):
    admin = client(org["admin"])
    data = {k: v for k, v in columns_form(admin).items() if not k.startswith("col_")}
    del data["offered"]  # a page opened before the columns were on it
    assert admin.post(URL, data).status_code == 302
    assert Layout.objects.get(kind="contact").columns == []
    assert not SettingChange.objects.filter(area="custom field").exists()
    # A page opened before a field was added leaves that field's column alone.
    data = columns_form(admin)
    CustomField.objects.create(model="contact", key="vip", label="VIP", type="yes_no", in_list=True)
    data["offered"] = [name for name in data["offered"] if name != "custom_vip"]
    assert admin.post(URL, data).status_code == 302
    assert CustomField.objects.get(key="vip").in_list
    # A forged column name is ignored, never stored.
    data = columns_form(admin) | {"col_password": "on"}
    data["offered"] = [*data["offered"], "password"]
    assert admin.post(URL, data).status_code == 302
    assert "password" not in Layout.objects.get(kind="contact").columns


@pytest.mark.parametrize("size", [1, 20])
def test_a_list_with_hidden_columns_costs_the_same_queries(
    org, region, size, django_assert_num_queries
):
    Layout.objects.create(kind="contact", columns=["name", "email"])
    for i in range(size):
        ContactFactory(first_name=f"Zed{i:02}", owner=org["ana"], custom={"region": "North"})
    ana = client(org["ana"])
    visibility.current_policy()
    custom_fields.all_fields()
    layouts.for_kind("contact")

    with django_assert_num_queries(3):
        response = ana.get(CONTACTS)

    assert shown(response) == ["name", "email"]
    assert response.content.decode().split("<tbody", 1)[1].count("<tr") == size
