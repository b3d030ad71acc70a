"""crm/visibility.py, through the querysets every list starts from: `visible_to` / `editable_by`.

ana (rep, North) owns `north_records`; carla (rep, South) owns `south_records`. ben shares ana's
team, maria manages North, sam manages South, admin is the admin.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from contacts.models import Activity, Company, Contact
from crm import visibility
from crm.models import User, VisibilityPolicy
from deals.models import Deal, Pipeline
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    TeamFactory,
    UserFactory,
)

KINDS = {"company": Company, "contact": Contact, "deal": Deal, "activity": Activity}
kinds = pytest.mark.parametrize("kind", list(KINDS))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def south_records(org):
    """One record of each kind owned by carla (South)."""
    carla = org["carla"]
    company = CompanyFactory(name="Suedhafen AG", owner=carla)
    contact = ContactFactory(last_name="Southperson", company=company, owner=carla)
    deal = DealFactory(title="Suedhafen expansion", company=company, owner=carla)
    activity = ActivityFactory(subject="Visit Suedhafen", owner=carla, company=company)
    return {"company": company, "contact": contact, "deal": deal, "activity": activity}


@pytest.fixture
def ben_records(org):
    """One record of each kind owned by ben (North), so "own" has something to show."""
    ben = org["ben"]
    company = CompanyFactory(name="Bens Bakery", owner=ben)
    return {
        "company": company,
        "contact": ContactFactory(last_name="Benscontact", owner=ben),
        "deal": DealFactory(title="Bens deal", owner=ben),
        "activity": ActivityFactory(subject="Bens call", owner=ben),
    }


def set_policy(**levels):
    """Change the organisation's policy row (pk=1) the way the settings page does: via save()."""
    policy = VisibilityPolicy.objects.filter(pk=1).first() or VisibilityPolicy(pk=1)
    for name, level in levels.items():
        setattr(policy, name, level)
    policy.save()


def visible(kind, user):
    return set(KINDS[kind].objects.visible_to(user))


def editable(kind, user):
    return set(KINDS[kind].objects.editable_by(user))


# ---- admin ---------------------------------------------------------------------------------


@kinds
def test_an_admin_sees_and_edits_every_record(kind, org, north_records, south_records):
    everything = {north_records[kind], south_records[kind]}

    assert visible(kind, org["admin"]) == everything
    assert editable(kind, org["admin"]) == everything


def test_a_superuser_is_an_admin_whatever_their_role(org, north_records, south_records):
    root = UserFactory(username="root", role=User.Role.REP, is_superuser=True)

    assert visible("contact", root) == {north_records["contact"], south_records["contact"]}


# ---- reps, default policy (see team, edit own) ---------------------------------------------


@kinds
def test_a_rep_sees_the_records_of_their_team_but_not_of_other_teams(
    kind, org, north_records, south_records, ben_records
):
    assert visible(kind, org["ben"]) == {north_records[kind], ben_records[kind]}


@kinds
def test_a_rep_edits_only_their_own_records_by_default(kind, org, north_records, ben_records):
    assert editable(kind, org["ben"]) == {ben_records[kind]}


def test_a_rep_outside_the_team_cannot_see_a_contact(org, north_records, south_records):
    assert north_records["contact"] not in visible("contact", org["carla"])
    assert visible("contact", org["carla"]) == {south_records["contact"]}


def test_a_rep_without_a_team_sees_only_their_own_records(org, north_records):
    loner = UserFactory(username="loner")
    own = ContactFactory(last_name="Lonely", owner=loner)

    assert visible("contact", loner) == {own}


# ---- reps, other policies ------------------------------------------------------------------


@kinds
def test_with_policy_own_a_rep_sees_only_their_own_records(
    kind, org, north_records, south_records, ben_records
):
    set_policy(**{f"{kind}_see": "own"})

    assert visible(kind, org["ben"]) == {ben_records[kind]}


@kinds
def test_with_policy_everyone_a_rep_sees_every_team_but_still_edits_only_their_own(
    kind, org, north_records, south_records, ben_records
):
    set_policy(**{f"{kind}_see": "everyone"})

    assert visible(kind, org["ben"]) == {
        north_records[kind],
        south_records[kind],
        ben_records[kind],
    }
    assert editable(kind, org["ben"]) == {ben_records[kind]}


@kinds
def test_with_team_edit_policy_a_rep_edits_their_teams_records(
    kind, org, north_records, south_records, ben_records
):
    set_policy(**{f"{kind}_edit": "team"})

    assert editable(kind, org["ben"]) == {north_records[kind], ben_records[kind]}


def test_the_policy_applies_to_one_kind_of_record_only(org, north_records, ben_records):
    set_policy(contact_see="own")

    assert visible("contact", org["ben"]) == {ben_records["contact"]}
    assert visible("deal", org["ben"]) == {north_records["deal"], ben_records["deal"]}


def test_a_policy_saved_through_the_model_takes_effect_at_once(org, north_records):
    assert north_records["deal"] in visible("deal", org["ben"])  # the policy is now cached

    set_policy(deal_see="own")

    assert north_records["deal"] not in visible("deal", org["ben"])


# ---- managers ------------------------------------------------------------------------------


@kinds
def test_a_manager_sees_and_edits_the_records_of_the_team_they_manage(
    kind, org, north_records, south_records, ben_records
):
    north = {north_records[kind], ben_records[kind]}

    assert visible(kind, org["maria"]) == north
    assert editable(kind, org["maria"]) == north


@kinds
def test_the_manager_of_south_does_not_see_north(kind, org, north_records, south_records):
    assert visible(kind, org["sam"]) == {south_records[kind]}
    assert editable(kind, org["sam"]) == {south_records[kind]}


def test_a_manager_sees_every_team_they_manage_beyond_their_own(org, north_records, south_records):
    east = TeamFactory(name="East")
    olga = UserFactory(username="olga", role=User.Role.MANAGER, team=east)
    east.managers.add(olga)
    olga.managed_teams.add(TeamFactory(name="North"))
    east_rep = UserFactory(username="erik", team=east)
    east_contact = ContactFactory(last_name="Eastern", owner=east_rep)

    assert visible("contact", olga) == {north_records["contact"], east_contact}
    assert editable("contact", olga) == {north_records["contact"], east_contact}


def test_a_manager_still_sees_their_managed_teams_under_policy_own(org, north_records, ben_records):
    set_policy(contact_see="own")

    assert visible("contact", org["maria"]) == {north_records["contact"], ben_records["contact"]}


# ---- nobody --------------------------------------------------------------------------------


@kinds
def test_an_anonymous_user_sees_nothing(kind, north_records):
    anonymous = AnonymousUser()

    assert visible(kind, anonymous) == set()
    assert editable(kind, anonymous) == set()


@kinds
def test_an_inactive_user_sees_nothing_not_even_their_own_records(kind, org, north_records):
    ana = org["ana"]
    ana.is_active = False
    ana.save()

    assert visible(kind, ana) == set()
    assert editable(kind, ana) == set()


def test_an_inactive_admin_sees_nothing(org, north_records):
    admin = org["admin"]
    admin.is_active = False
    admin.save()

    assert visible("contact", admin) == set()


def test_a_model_without_a_policy_key_is_refused_rather_than_shown_unscoped(org):
    # Pipeline is no OwnedModel at all: refused with an AttributeError, before the TypeError
    # an owned model without a policy_key gets. Either way it is never shown unscoped.
    with pytest.raises((TypeError, AttributeError), match="policy_key"):
        visibility.visible(Pipeline.objects.all(), org["ben"])


# ---- soft delete ---------------------------------------------------------------------------


@kinds
def test_soft_deleted_records_vanish_from_objects_but_stay_in_all_objects(kind, org, north_records):
    model, record = KINDS[kind], north_records[kind]
    record.deleted_at = timezone.now()
    record.save(update_fields=["deleted_at"])

    assert not model.objects.filter(pk=record.pk).exists()
    assert record not in visible(kind, org["admin"])
    assert model.all_objects.filter(pk=record.pk).exists()
    assert record in set(model.all_objects.visible_to(org["maria"]))
    assert record not in set(model.all_objects.visible_to(org["carla"]))


# ---- lookups for views ---------------------------------------------------------------------


def test_get_visible_or_404_returns_a_record_the_user_may_see(org, north_records):
    contact = visibility.get_visible_or_404(
        Contact.objects, org["ben"], pk=north_records["contact"].pk
    )

    assert contact == north_records["contact"]


def test_get_visible_or_404_answers_404_to_an_outsider(org, north_records):
    with pytest.raises(Http404):
        visibility.get_visible_or_404(Contact.objects, org["carla"], pk=north_records["contact"].pk)


def test_get_visible_or_404_answers_404_for_a_malformed_pk(org, north_records):
    with pytest.raises(Http404):
        visibility.get_visible_or_404(Contact.objects, org["admin"], pk="not-a-number")


def test_get_editable_or_403_refuses_a_rep_of_the_same_team(org, north_records):
    with pytest.raises(PermissionDenied, match="may see this deal but not change it"):
        visibility.get_editable_or_403(Deal.objects, org["ben"], pk=north_records["deal"].pk)


def test_get_editable_or_403_answers_404_to_an_outsider(org, north_records):
    with pytest.raises(Http404):
        visibility.get_editable_or_403(Deal.objects, org["sam"], pk=north_records["deal"].pk)


def test_get_editable_or_403_returns_the_record_to_its_manager(org, north_records):
    deal = visibility.get_editable_or_403(Deal.objects, org["maria"], pk=north_records["deal"].pk)

    assert deal == north_records["deal"]


def test_a_manager_may_edit_a_soft_deleted_record_of_their_team(org, north_records):
    """Restoring a deleted record needs this: `restore` looks it up through all_objects."""
    contact = north_records["contact"]
    contact.deleted_at = timezone.now()
    contact.save(update_fields=["deleted_at"])

    found = visibility.get_editable_or_403(Contact.all_objects, org["maria"], pk=contact.pk)

    assert found == contact
    assert visibility.can_edit(org["maria"], contact)


# ---- assignable owners ---------------------------------------------------------------------


def usernames(users):
    return {u.username for u in users}


def test_an_admin_may_assign_records_to_any_active_user(org):
    UserFactory(username="gone", is_active=False)

    assert usernames(visibility.assignable_owners(org["admin"])) == set(org)


def test_a_manager_may_assign_records_to_themselves_and_the_members_of_their_teams(org):
    assert usernames(visibility.assignable_owners(org["maria"])) == {"maria", "ana", "ben"}
    assert usernames(visibility.assignable_owners(org["sam"])) == {"sam", "carla"}


def test_a_manager_may_not_assign_records_to_an_inactive_member(org):
    org["ben"].is_active = False
    org["ben"].save()

    assert usernames(visibility.assignable_owners(org["maria"])) == {"maria", "ana"}


def test_a_rep_may_assign_records_only_to_themselves(org):
    assert usernames(visibility.assignable_owners(org["ben"])) == {"ben"}


def test_nobody_is_assignable_for_an_anonymous_or_inactive_user(org):
    org["ben"].is_active = False
    org["ben"].save()

    assert not visibility.assignable_owners(AnonymousUser()).exists()
    assert not visibility.assignable_owners(org["ben"]).exists()


# ---- cost ----------------------------------------------------------------------------------


def test_a_scoped_list_costs_one_query(org, north_records, django_assert_num_queries):
    visibility.current_policy()  # cached per process, as in a running server

    with django_assert_num_queries(1):
        rows = list(Contact.objects.visible_to(org["maria"]))

    assert rows == [north_records["contact"]]


# ---- rules under each policy (issue 12: every policy, one module) ---------------------------


def test_a_rep_never_edits_beyond_what_they_see(org, north_records, ben_records):
    set_policy(contact_see="own", contact_edit="team")

    assert visibility.level(org["ben"], "contact", "edit") == "own"
    assert editable("contact", org["ben"]) == {ben_records["contact"]}


def test_a_manager_edits_at_the_level_they_see(org):
    set_policy(deal_see="everyone", deal_edit="own")

    assert visibility.level(org["sam"], "deal", "edit") == "everyone"
    assert visibility.level(org["ben"], "deal", "edit") == "own"


POLICY_OWNERS = [
    # (policy, user, whose records of a contact they may be given to)
    ({}, "ben", {"ben"}),
    ({"contact_edit": "team"}, "ben", {"ana", "ben", "maria"}),
    ({"contact_edit": "team"}, "carla", {"carla", "sam"}),
    ({}, "maria", {"ana", "ben", "maria"}),
    ({"contact_see": "own"}, "maria", {"ana", "ben", "maria"}),  # her managed team still
    ({"contact_see": "everyone"}, "sam", {"admin", "ana", "ben", "carla", "maria", "sam"}),
    ({"contact_see": "everyone"}, "carla", {"carla"}),  # sees everyone's, edits her own
    ({}, "admin", {"admin", "ana", "ben", "carla", "maria", "sam"}),
]


@pytest.mark.parametrize(("levels", "username", "expected"), POLICY_OWNERS)
def test_a_record_may_be_given_to_whoever_may_own_it_under_the_policy(
    org, levels, username, expected
):
    set_policy(**levels)

    assert usernames(visibility.assignable_owners(org[username], Contact)) == expected


def test_the_current_owner_is_always_a_choice(org):
    """ana's contact, edited by whoever may: she stays a choice, even once she has left."""
    org["ana"].is_active = False
    org["ana"].save()

    owners = visibility.assignable_owners(org["maria"], Contact, current=org["ana"].pk)
    own = visibility.assignable_owners(org["carla"], Contact, current=org["ana"])

    assert usernames(owners) == {"ana", "ben", "maria"}
    assert usernames(own) == {"ana", "carla"}


def test_nobody_is_assignable_by_an_anonymous_user_even_with_a_current_owner(org):
    assert not visibility.assignable_owners(AnonymousUser(), Contact, current=org["ana"]).exists()


@pytest.mark.parametrize(
    ("level", "username", "expected"),
    [
        ("own", "ben", {"ben"}),
        ("team", "ben", {"ana", "ben", "maria"}),
        ("everyone", "ben", {"admin", "ana", "ben", "carla", "maria", "sam"}),
        ("own", "sam", {"carla", "sam"}),
        ("team", "maria", {"ana", "ben", "maria"}),
        ("own", "admin", {"admin", "ana", "ben", "carla", "maria", "sam"}),
    ],
)
@kinds
def test_an_owner_filter_offers_the_people_whose_records_the_user_may_see(
    kind, org, level, username, expected
):
    set_policy(**{f"{kind}_see": level})

    assert usernames(visibility.visible_owners(org[username], KINDS[kind])) == expected


def test_an_owner_filter_offers_no_inactive_user_and_nobody_to_an_anonymous_one(org):
    org["ana"].is_active = False
    org["ana"].save()

    assert usernames(visibility.visible_owners(org["ben"], Deal)) == {"ben", "maria"}
    assert not visibility.visible_owners(AnonymousUser(), Deal).exists()


def flags(username, org, *paths):
    rows = visibility.with_related_flags(
        Activity.objects.filter(subject="Call Nora about rollout"), org[username], *paths
    )
    row = rows.get()
    return {path: getattr(row, visibility.visible_flag_name(path)) for path in paths}


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, {"ben": True, "carla": False, "maria": True, "sam": False, "admin": True}),
        ({"deal_see": "own"}, {"ben": False, "carla": False, "maria": True, "sam": False}),
        ({"deal_see": "everyone"}, {"ben": True, "carla": True, "sam": True}),
    ],
)
def test_a_related_record_is_flagged_visible_as_the_policy_says(
    org, north_records, levels, expected
):
    set_policy(activity_see="everyone", **levels)

    assert {name: flags(name, org, "deal")["deal"] for name in expected} == expected


def test_a_related_record_of_another_kind_follows_its_own_policy(org, north_records):
    set_policy(activity_see="everyone", deal_see="everyone", company_see="own")

    assert flags("carla", org, "deal", "company", "deal__company") == {
        "deal": True,
        "company": False,
        "deal__company": False,
    }


def test_no_related_record_or_a_deleted_one_is_not_visible(org, north_records):
    deal = north_records["deal"]
    deal.deleted_at = timezone.now()
    deal.save(update_fields=["deleted_at"])
    Activity.objects.filter(pk=north_records["activity"].pk).update(company=None)

    assert flags("admin", org, "deal", "company") == {"deal": False, "company": False}


def test_an_anonymous_user_sees_no_related_record(north_records):
    row = visibility.with_related_flags(Activity.objects.all(), AnonymousUser(), "deal").get()

    assert row.deal_visible is False
    assert visibility.related_label(row, "deal") == ""


def test_a_related_label_is_the_name_only_where_the_flag_allows(org, north_records):
    set_policy(activity_see="everyone")
    row = visibility.with_related_flags(
        Activity.objects.select_related("deal", "company"), org["ben"], "deal", "company"
    ).get()
    hidden = visibility.with_related_flags(
        Activity.objects.select_related("deal"), org["carla"], "deal"
    ).get()
    unflagged = Activity.objects.select_related("deal").get()

    assert visibility.related_label(row, "deal", "title") == "Nordwind rollout"
    assert visibility.related_label(row, "company") == "Nordwind GmbH"
    assert visibility.related_label(hidden, "deal", "title") == ""
    assert visibility.related_label(unflagged, "deal", "title") == ""  # unknown means hidden


def test_the_flags_cost_no_query_of_their_own(org, north_records, django_assert_num_queries):
    visibility.current_policy()
    queryset = visibility.with_related_flags(
        Activity.objects.visible_to(org["ben"]).select_related("deal", "company"),
        org["ben"],
        "deal",
        "company",
    )

    with django_assert_num_queries(1):
        assert [row.deal_visible for row in queryset] == [True]


def test_a_picker_offers_what_the_user_sees_plus_the_current_link_marked_hidden(
    org, north_records, south_records
):
    current = visibility.linked_now(north_records["contact"], "company")

    choices = visibility.visible_or_current(Company.objects.all(), org["carla"], current)

    assert {(c.name, c.is_visible) for c in choices} == {
        ("Suedhafen AG", True),
        ("Nordwind GmbH", False),
    }
    assert set(visibility.visible_or_current(Company.objects.all(), org["carla"])) == {
        south_records["company"]
    }


def test_what_a_record_links_to_now_costs_no_query(org, north_records, django_assert_num_queries):
    activity, new = north_records["activity"], Activity(subject="New")

    with django_assert_num_queries(0):
        deal = visibility.linked_now(activity, "deal")
        people = visibility.linked_now(activity, "contacts")
        nothing = [
            visibility.linked_now(new, "deal"),
            visibility.linked_now(activity, "subject"),
            visibility.linked_now(activity, "no_such_field"),
        ]

    assert set(Deal.objects.filter(deal)) == {north_records["deal"]}
    assert set(Contact.objects.filter(people)) == {north_records["contact"]}
    assert nothing == [None, None, None]
