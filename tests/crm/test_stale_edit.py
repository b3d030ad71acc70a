"""No lost edits: full edit forms carry the version they were made against.

Two people open the same deal. Whoever saves second is stopped only where both changed the
same field; anything else merges, and nothing the first saved is lost.
"""

import html
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from crm.models import StaleRecord
from deals.models import Deal


def form_data(deal, **changes):
    data = {
        "title": deal.title,
        "company": deal.company_id or "",
        "amount": str(deal.amount),
        "expected_close": deal.expected_close.isoformat(),
        "owner": deal.owner_id,
        "lost_reason": deal.lost_reason,
        "version": deal.version,
    }
    return data | changes


def test_the_second_save_of_the_same_field_is_stopped_and_the_first_is_kept(
    client_for, org, north_records
):
    deal = north_records["deal"]
    anas_view = form_data(deal)  # both opened the form at version 1
    marias_view = form_data(deal)

    first = client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), anas_view | {"amount": "12000"}
    )
    assert first.status_code == 302

    second = client_for("maria").post(
        reverse("deals:edit", args=[deal.pk]), marias_view | {"amount": "15000"}
    )

    body = second.content.decode()
    assert second.status_code == 200
    assert "changed this to “€12,000” while you were editing" in body
    assert 'name="version" value="2"' in body  # saving again now is a deliberate overwrite
    deal.refresh_from_db()
    assert (deal.amount, deal.version, deal.updated_by) == (Decimal("12000.00"), 2, org["ana"])


def test_saving_again_after_the_conflict_keeps_the_second_users_value(
    client_for, org, north_records
):
    deal = north_records["deal"]
    marias_view = form_data(deal)
    client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), form_data(deal) | {"amount": "12000"}
    )
    maria = client_for("maria")
    maria.post(reverse("deals:edit", args=[deal.pk]), marias_view | {"amount": "15000"})

    again = maria.post(
        reverse("deals:edit", args=[deal.pk]), marias_view | {"amount": "15000", "version": 2}
    )

    assert again.status_code == 302
    deal.refresh_from_db()
    assert (deal.amount, deal.version) == (Decimal("15000.00"), 3)


def test_edits_of_different_fields_merge_without_a_word(client_for, org, north_records):
    deal = north_records["deal"]
    anas_view, marias_view = form_data(deal), form_data(deal)
    client_for("ana").post(reverse("deals:edit", args=[deal.pk]), anas_view | {"amount": "12000"})

    response = client_for("maria").post(
        reverse("deals:edit", args=[deal.pk]), marias_view | {"title": "Nordwind rollout, phase 2"}
    )

    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.version) == (
        "Nordwind rollout, phase 2",
        Decimal("12000.00"),
        3,
    )


def test_an_edit_without_a_version_is_refused_and_changes_nothing(client_for, org, north_records):
    deal = north_records["deal"]
    data = form_data(deal, amount="99000")
    del data["version"]

    response = client_for("ana").post(reverse("deals:edit", args=[deal.pk]), data)

    assert (
        "This form carries no version. Reload the page and try again." in response.content.decode()
    )
    assert Deal.objects.get(pk=deal.pk).amount == deal.amount


def test_the_edit_page_carries_the_current_version(client_for, north_records):
    deal = north_records["deal"]
    Deal.objects.filter(pk=deal.pk).update(version=7)

    body = client_for("ana").get(reverse("deals:edit", args=[deal.pk])).content.decode()

    assert 'name="version" value="7"' in body


# ---- the base travels with the form: seeded and imported records merge too -----------------


def opened(client, url) -> dict:
    """The edit form as the browser holds it: every input's name and value, hidden ones too."""
    body = client.get(url).content.decode()
    form = next(f for f in re.findall(r"<form\b.*?</form>", body, re.S) if 'name="base"' in f)
    data = {}
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(text).removeprefix("\n")
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_a_record_without_history_merges_different_fields(client_for, org, north_records):
    """Records loaded in bulk (the demo seed, imports) have no history row for their version:
    the merge reads the base the form carried, not the history."""
    contact = north_records["contact"]
    contact.history.all().delete()
    url = reverse("contacts:edit", args=[contact.pk])
    ana, maria = client_for("ana"), None
    anas_page = opened(ana, url)
    maria = Client()
    maria.force_login(org["maria"])
    marias_page = opened(maria, url)

    first = ana.post(url, anas_page | {"phone": "+49 30 7654321"})
    second = maria.post(url, marias_page | {"last_name": "Renamed"})

    assert (first.status_code, second.status_code) == (302, 302)
    contact.refresh_from_db()
    assert (contact.phone, contact.last_name, contact.version) == ("+49 30 7654321", "Renamed", 3)


def test_a_conflict_shows_the_others_merged_changes_so_saving_again_keeps_them(
    client_for, org, north_records
):
    deal = north_records["deal"]
    deal.history.all().delete()
    url = reverse("deals:edit", args=[deal.pk])
    ana = client_for("ana")
    maria = Client()
    maria.force_login(org["maria"])
    anas_page, marias_page = opened(ana, url), opened(maria, url)
    ana.post(url, anas_page | {"amount": "12000", "title": "Nordwind rollout, phase 2"})

    conflict = maria.post(url, marias_page | {"amount": "15000"})

    assert "changed this to “€12,000” while you were editing" in conflict.content.decode()
    resubmitted = opened_from_body(conflict.content.decode())
    assert resubmitted["title"] == "Nordwind rollout, phase 2"  # ana's other change, kept
    assert resubmitted["amount"] == "15000"  # maria's own value, to keep on purpose
    again = maria.post(url, resubmitted)
    assert again.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.amount) == ("Nordwind rollout, phase 2", Decimal("15000"))


def opened_from_body(body: str) -> dict:
    class Page:
        def get(self, url):
            return type("R", (), {"content": body.encode()})()

    return opened(Page(), "")


# ---- Django admin goes through the same guard ------------------------------------------------


def admin_url(deal) -> str:
    return reverse("admin:deals_deal_change", args=[deal.pk])


def test_a_save_in_django_admin_is_stamped_and_versioned(client_for, org, north_records):
    deal = north_records["deal"]
    admin = client_for("admin")
    page = opened(admin, admin_url(deal))

    response = admin.post(admin_url(deal), page | {"title": "Renamed in admin"})

    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.version, deal.updated_by) == ("Renamed in admin", 2, org["admin"])


def test_a_stale_save_in_django_admin_stops_on_the_same_field(client_for, org, north_records):
    deal = north_records["deal"]
    admin = client_for("admin")
    page = opened(admin, admin_url(deal))
    maria = Client()
    maria.force_login(org["maria"])
    maria.post(
        reverse("deals:edit", args=[deal.pk]),
        opened(maria, reverse("deals:edit", args=[deal.pk])) | {"title": "Marias title"},
    )

    response = admin.post(admin_url(deal), page | {"title": "Admins title"})

    assert response.status_code == 200
    assert "while you were editing" in response.content.decode()
    deal.refresh_from_db()
    assert (deal.title, deal.version) == ("Marias title", 2)


def test_a_guarded_write_from_a_stale_instance_writes_nothing(org, north_records):
    """Any save of an owned record — a shell, a command, a library — is conditional on the
    version it was read at."""
    first = Deal.objects.get(pk=north_records["deal"].pk)
    second = Deal.objects.get(pk=north_records["deal"].pk)
    first.title = "First"
    first.save()

    second.title = "Second"
    with pytest.raises(StaleRecord), transaction.atomic():
        second.save(update_fields=["title"])

    assert Deal.objects.get(pk=first.pk).title == "First"


def test_a_time_stored_to_the_microsecond_merges_with_a_form_that_shows_minutes(
    client_for, org, north_records
):
    """Logged activities are stamped with now(); their form shows 10:00, not 10:00:41.5."""
    activity = north_records["activity"]
    Activity.objects.filter(pk=activity.pk).update(
        occurs_at=timezone.now().replace(second=41, microsecond=500_000)
    )
    url = reverse("contacts:activity-edit", args=[activity.pk])
    ana = client_for("ana")
    maria = Client()
    maria.force_login(org["maria"])
    anas_page, marias_page = opened(ana, url), opened(maria, url)

    first = ana.post(url, anas_page | {"occurs_at": "2030-01-07T10:00"})
    second = maria.post(url, marias_page | {"subject": "Call Nora about the rollout plan"})

    assert (first.status_code, second.status_code) == (302, 302)
    activity.refresh_from_db()
    assert activity.subject == "Call Nora about the rollout plan"
    assert timezone.localtime(activity.occurs_at).strftime("%Y-%m-%d %H:%M") == "2030-01-07 10:00"
