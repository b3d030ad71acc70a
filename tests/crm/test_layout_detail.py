"""Settings → Layout orders the detail pages too (issue 14, point 7): a record's page shows its
facts — built-in and custom together — in the order the admin gave the form's fields; facts the
layout does not name keep their place after, and facts no form has (a deal's people, its next
step) stay with the fact they follow. Inline edit keeps working, a field the role may not see
is never among them, and the page costs the same queries however many facts it has."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from crm import custom_fields, layouts, requirements, visibility
from crm.models import CustomField, Layout

HX = {"HX-Request": "true"}


def facts(html: str) -> list[str]:
    """The labels of the facts on a detail page, in page order."""
    dl = html.split('<section class="card facts">', 1)[1].split("</dl>", 1)[0]
    return re.findall(r"<dt>(.*?)</dt>", dl)


def fact(html: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html, re.S)
    assert match, f"no fact {label!r}"
    return match.group(1)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def layout_form(admin: Client, kind: str) -> dict:
    """The layout page's form as it stands: positions, ticked boxes and the offered columns."""
    html = admin.get(reverse("settings-layout", args=[kind])).content.decode()
    data: dict = dict(re.findall(r'name="(pos_\w+)"[^>]*value="(\d+)"', html))
    for name in re.findall(r'name="((?:up|col)_\w+)"[^>]*checked', html):
        data[name] = "on"
    data["offered"] = re.findall(r'name="offered" value="([^"]+)"', html)
    return data


def place(admin: Client, kind: str, **positions: int) -> None:
    """Move fields to new positions through the layout page, as the admin would."""
    data = layout_form(admin, kind) | {f"pos_{name}": str(p) for name, p in positions.items()}
    response = admin.post(reverse("settings-layout", args=[kind]), data)
    assert response.status_code == 302, response.content.decode()


@pytest.fixture
def region(db):
    return CustomField.objects.create(
        model="contact", key="region", label="Region", type="choice", choices=["North", "South"]
    )


@pytest.fixture
def admin(org):
    return client(org["admin"])


def test_a_contact_page_shows_a_custom_field_where_the_admin_placed_it(
    region, north_records, org, admin
):
    contact = north_records["contact"]
    contact.custom = {"region": "North"}
    contact.save()
    ana = client(org["ana"])
    before = facts(ana.get(contact.get_absolute_url()).content.decode())
    assert before == ["Title", "Company", "E-mail", "Phone", "Birthday", "City", "Owner", "Region"]

    # Region right after the company; the city first of all.
    place(admin, "contact", city=1, custom_region=5)
    order = Layout.objects.get(kind="contact").order
    assert order.index("city") < order.index("company") < order.index("custom_region")

    html = ana.get(contact.get_absolute_url()).content.decode()
    assert facts(html) == [
        "City", "Company", "Region", "Title", "E-mail", "Phone", "Birthday", "Owner"
    ]  # fmt: skip
    # Still edited in place, the built-in and the custom value alike, with the same markup.
    assert 'aria-label="Edit Region"' in fact(html, "Region") and "North" in fact(html, "Region")
    assert 'id="contact-emails"' in fact(html, "E-mail")
    assert 'aria-label="Edit city"' in fact(html, "City")


def test_someone_who_may_not_change_the_contact_reads_the_same_order_without_inputs(
    region, north_records, org, admin
):
    contact = north_records["contact"]
    contact.custom = {"region": "South"}
    contact.save()
    place(admin, "contact", custom_region=1)
    ben = client(org["ben"])  # same team: sees ana's contact, may not change it
    html = ben.get(contact.get_absolute_url()).content.decode()
    assert facts(html)[:3] == ["Region", "Company", "Title"]  # then the form's own order
    assert fact(html, "Region") == "South" and "inline-field" not in html


def test_a_company_page_follows_the_layout(north_records, org, admin):
    CustomField.objects.create(model="company", key="tier", label="Tier", type="text")
    company = north_records["company"]
    company.custom, company.website = {"tier": "Gold"}, "https://nordwind.example"
    company.save()
    ana = client(org["ana"])
    assert facts(ana.get(company.get_absolute_url()).content.decode()) == [
        "Domain", "Website", "Phone", "City", "Owner", "Tier"
    ]  # fmt: skip

    place(admin, "company", custom_tier=2, owner=1)

    html = ana.get(company.get_absolute_url()).content.decode()
    assert facts(html) == ["Owner", "Tier", "Domain", "Website", "Phone", "City"]
    assert 'aria-label="Edit Tier"' in fact(html, "Tier") and "Gold" in fact(html, "Tier")
    assert 'aria-label="Edit domain"' in fact(html, "Domain")


def test_a_deal_page_follows_the_layout_and_keeps_people_and_next_step_with_their_neighbours(
    north_records, org, admin
):
    CustomField.objects.create(
        model="deal", key="won_by", label="Won by", type="user", see_roles=[], edit_roles=[]
    )
    deal = north_records["deal"]
    deal.custom = {"won_by": org["ben"].pk}
    deal.save()
    ana = client(org["ana"])
    assert facts(ana.get(deal.get_absolute_url()).content.decode()) == [
        "Stage", "Amount", "Expected close", "Company", "People", "Owner", "Next step", "Won by"
    ]  # fmt: skip

    # The title and pipeline are no facts of the page; the custom field goes between them.
    place(admin, "deal", owner=1, custom_won_by=2, company=3)

    html = ana.get(deal.get_absolute_url()).content.decode()
    assert facts(html) == [
        "Owner", "Next step", "Won by", "Company", "People", "Stage", "Amount", "Expected close"
    ]  # fmt: skip
    assert str(org["ben"]) in fact(html, "Won by")
    assert 'aria-label="Edit amount"' in fact(html, "Amount")


def test_an_activity_page_follows_the_layout(north_records, org, admin):
    CustomField.objects.create(model="activity", key="outcome", label="Outcome", type="text")
    activity = north_records["activity"]
    activity.custom = {"outcome": "Agreed a demo"}
    activity.save()
    ana = client(org["ana"])
    assert facts(ana.get(activity.get_absolute_url()).content.decode()) == [
        "When", "People", "Company", "Deal", "Owner", "Source", "Outcome"
    ]  # fmt: skip

    place(admin, "activity", custom_outcome=1, deal=2)

    html = ana.get(activity.get_absolute_url()).content.decode()
    assert facts(html) == ["Outcome", "Deal", "When", "People", "Company", "Owner", "Source"]
    assert "Agreed a demo" in fact(html, "Outcome")
    assert north_records["deal"].title in fact(html, "Deal")


def test_a_field_added_after_the_layout_was_saved_comes_after_the_ones_it_names(
    north_records, org, admin
):
    place(admin, "deal", expected_close=1)
    CustomField.objects.create(model="deal", key="segment", label="Segment", type="text")
    custom_fields.forget()
    html = client(org["ana"]).get(north_records["deal"].get_absolute_url()).content.decode()
    assert facts(html)[0] == "Expected close" and facts(html)[-1] == "Segment"


def test_a_field_only_managers_see_is_no_fact_for_a_rep_wherever_it_is_placed(
    north_records, org, admin
):
    CustomField.objects.create(
        model="deal",
        key="margin",
        label="Margin",
        type="number",
        see_roles=["manager", "admin"],
    )
    deal = north_records["deal"]
    deal.custom = {"margin": 42}
    deal.save()
    place(admin, "deal", custom_margin=1)
    rep = client(org["ana"]).get(deal.get_absolute_url()).content.decode()
    assert "Margin" not in facts(rep) and ">42<" not in rep
    manager = client(org["maria"]).get(deal.get_absolute_url()).content.decode()
    assert facts(manager)[0] == "Margin" and "42" in fact(manager, "Margin")


def test_a_value_edited_in_place_on_a_reordered_page_is_saved(region, north_records, org, admin):
    place(admin, "contact", custom_region=1)
    contact = north_records["contact"]
    ana = client(org["ana"])
    edit_url = reverse("inline-edit", args=["contacts.Contact", contact.pk, "custom_region"])
    assert edit_url in fact(ana.get(contact.get_absolute_url()).content.decode(), "Region")
    editor = ana.get(edit_url + "?edit=1", headers=HX).content.decode()
    version = re.search(r'name="version" value="(\d+)"', editor).group(1)
    response = ana.post(
        edit_url, {"custom_region": "South", "version": version, "original": ""}, headers=HX
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "recordChanged"
    contact.refresh_from_db()
    assert contact.custom == {"region": "South"}


@pytest.mark.parametrize("extra_fields", [1, 6])
@pytest.mark.parametrize(("kind", "expected"), [("contact", 5), ("company", 6), ("deal", 6)])
def test_a_detail_page_costs_the_same_queries_however_many_facts_it_shows(
    north_records, org, admin, kind, expected, extra_fields, django_assert_num_queries
):
    """The layout and the custom fields are cached, the values are the record's own: the
    facts cost no query, placed or not, many or few."""
    record = north_records[kind]
    for i in range(extra_fields):
        CustomField.objects.create(model=kind, key=f"f{i}", label=f"Fact {i}", type="text")
        record.custom[f"f{i}"] = f"value {i}"
    record.save()
    place(admin, kind, custom_f0=1)
    ana = client(org["ana"])
    visibility.current_policy()
    requirements.disabled_slugs()
    custom_fields.all_fields()
    custom_fields.users_by_id()
    layouts.for_kind(kind)

    with django_assert_num_queries(expected):
        html = ana.get(record.get_absolute_url()).content.decode()

    shown = facts(html)
    assert shown[0] == "Fact 0" and len([f for f in shown if f.startswith("Fact ")]) == extra_fields
