"""The visibility policy's preview (issue 14): before saving, the admin reads what the change
would do to each person's reach, in words; nothing is saved until Save."""

import pytest
from django.urls import reverse

from crm.models import VisibilityPolicy
from tests.factories import ContactFactory, DealFactory

DEFAULT = {f"{k}_see": "team" for k in ("company", "contact", "deal", "activity")} | {
    f"{k}_edit": "own" for k in ("company", "contact", "deal", "activity")
}


@pytest.fixture
def records(org):
    for name, n in (("ana", 3), ("ben", 2), ("carla", 4), ("sam", 1)):
        for _ in range(n):
            ContactFactory(owner=org[name])
    DealFactory(owner=org["ana"])
    DealFactory(owner=org["carla"])


def preview(client, **changes):
    return client.post(reverse("settings"), DEFAULT | changes | {"preview": "1"})


def test_the_preview_says_who_will_see_and_edit_what_and_saves_nothing(records, client_for):
    response = preview(client_for("admin"), contact_see="everyone")
    assert response.status_code == 200
    # North (ana 3, ben 2) and South (carla 4, sam 1) each hold 5 of the 10 contacts; with
    # "everyone" every rep and manager sees all 10. The admin sees everything either way.
    assert response.context["preview"] == [
        "Ana will see 10 contacts instead of 5.",
        "Ben will see 10 contacts instead of 5.",
        "Carla will see 10 contacts instead of 5.",
        # Managers edit what they see.
        "Maria will see 10 contacts instead of 5; edit 10 contacts instead of 5.",
        "Sam will see 10 contacts instead of 5; edit 10 contacts instead of 5.",
    ]
    assert "If you save this:" in response.content.decode()
    assert not VisibilityPolicy.objects.filter(pk=1, contact_see="everyone").exists()


def test_seeing_less_and_editing_more_are_said_per_kind(records, client_for):
    sentences = preview(client_for("admin"), contact_see="own", deal_edit="team").context["preview"]
    assert "Ana will see 3 contacts instead of 5." in sentences
    # A rep edits no more than they see: deals seen by team, now edited by team too.
    assert not any(s.startswith("Carla") and "deal" in s for s in sentences)  # unchanged: not said
    ben = next(s for s in sentences if s.startswith("Ben"))
    assert ben == "Ben will see 2 contacts instead of 5; edit 1 deal instead of 0."
    # Managers already edit what they see: only their contacts change.
    assert "Maria will see 0 contacts instead of 5." not in sentences  # she manages North
    assert not any(s.startswith("Maria") and "deals" in s for s in sentences)


def test_no_change_says_so(records, client_for):
    assert preview(client_for("admin")).context["preview"] == ["Nobody's reach would change."]


def test_the_preview_costs_the_same_queries_however_many_people(
    records, client_for, django_assert_max_num_queries
):
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        preview(client, contact_see="own", deal_see="everyone")
