"""No lost edits: full edit forms carry the version they were made against.

Two people open the same deal. Whoever saves second is stopped only where both changed the
same field; anything else merges, and nothing the first saved is lost.
"""

from decimal import Decimal

from django.urls import reverse

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
    assert "changed this to “12000.00” while you were editing" in body
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
