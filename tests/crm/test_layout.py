"""Settings → Layout (issue 14): the admin orders a kind of record's form fields and chooses which
are asked up front; the full form and quick add follow at once, required fields stay up front,
and bad input changes nothing."""

from __future__ import annotations

import re

from django.urls import reverse

from crm.models import CustomField, Layout, SettingChange

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
    assert change.before == {"order": [], "up_front": []} and change.after["order"][0] == "city"

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
