"""`manage.py seed_demo`: the deterministic demo organisation every demo and bench starts from."""

import hashlib
from datetime import date, datetime, time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Company, Contact
from crm.models import Team
from deals.models import Deal

TODAY = date(2026, 11, 2)
SMALL = [
    "--today",
    TODAY.isoformat(),
    "--companies",
    "10",
    "--contacts",
    "50",
    "--deals",
    "20",
    "--activities",
    "200",
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *(args or SMALL), stdout=out)
    return out.getvalue()


def fingerprint() -> dict[str, str]:
    """A digest per table of what a user would see, by names rather than ids.

    Users, teams and stages get their ids from the database sequence, which PostgreSQL does
    not roll back; everything is compared through usernames and names instead.
    """
    User = get_user_model()
    rows = {
        "users": User.objects.order_by("username").values_list(
            "username", "first_name", "last_name", "email", "role", "team__name"
        ),
        "companies": Company.objects.order_by("pk").values_list(
            "pk", "name", "domain", "phone", "city", "owner__username", "created_at"
        ),
        "contacts": Contact.objects.order_by("pk").values_list(
            "pk", "first_name", "last_name", "email", "phone", "company_id", "owner__username"
        ),
        "deals": Deal.objects.order_by("pk").values_list(
            "pk",
            "title",
            "stage__pipeline__name",
            "stage__name",
            "amount",
            "expected_close",
            "closed_at",
            "lost_reason",
            "owner__username",
            "updated_at",
        ),
        "activities": Activity.objects.order_by("pk").values_list(
            "pk", "kind", "subject", "occurs_at", "done", "deal_id", "owner__username"
        ),
    }
    return {
        name: hashlib.sha256(repr(list(values)).encode()).hexdigest()
        for name, values in rows.items()
    }


def test_the_seed_creates_the_six_demo_users_with_their_roles_and_teams(db):
    seed()

    User = get_user_model()
    users = {u.username: u for u in User.objects.select_related("team")}
    assert {name: (u.role, u.team.name if u.team else None) for name, u in users.items()} == {
        "admin": ("admin", None),
        "maria": ("manager", "North"),
        "ana": ("rep", "North"),
        "ben": ("rep", "North"),
        "carla": ("rep", "South"),
        "sam": ("manager", "South"),
    }
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not any(users[name].is_staff for name in ("maria", "ana", "ben", "carla", "sam"))
    assert list(Team.objects.get(name="North").managers.all()) == [users["maria"]]
    assert list(Team.objects.get(name="South").managers.all()) == [users["sam"]]


def test_every_demo_user_logs_in_with_the_demo_password(client, db):
    seed()

    for username in ("admin", "maria", "ana", "ben", "carla", "sam"):
        response = client.post(
            reverse("login"), {"username": username, "password": "huddle-demo"}, follow=True
        )
        assert response.redirect_chain == [(reverse("home"), 302)], username
        assert "<h1>My day" in response.content.decode()
        client.post(reverse("logout"))


def test_the_seed_creates_as_many_records_as_its_flags_say(db):
    out = seed()

    assert Company.objects.count() == 10
    assert Contact.objects.count() == 50
    assert Deal.objects.count() == 20
    assert Activity.objects.count() == 200
    assert Deal.contacts.through.objects.count() == 20
    assert Activity.contacts.through.objects.count() == 200
    assert "Log in as admin, maria, ana, ben, carla or sam" in out


def test_a_small_activity_count_is_honoured_too(db):
    """Before the random spread, the seed lays down each user's day; it must stop at N."""
    seed(*SMALL[:-1], "5")

    assert Activity.objects.count() == 5


def test_the_same_today_gives_identical_data_on_a_fresh_database(db):
    def seeded_fingerprint():
        with transaction.atomic():
            seed()
            result = fingerprint()
            transaction.set_rollback(True)  # back to an empty database
        assert not get_user_model().objects.exists()
        return result

    first, second = seeded_fingerprint(), seeded_fingerprint()

    assert first == second


def test_the_data_is_built_around_the_given_today(db):
    seed()

    noon = timezone.make_aware(datetime.combine(TODAY, time(12)))
    assert Company.objects.filter(created_at__gt=noon).count() == 0
    assert Contact.objects.filter(created_at__gt=noon).count() == 0
    ana_today = Activity.objects.filter(
        owner__username="ana", kind__in=("meeting", "call"), occurs_at__date=TODAY
    )
    ana_overdue = Activity.objects.filter(
        owner__username="ana", kind="task", done=False, occurs_at__date__lt=TODAY
    )
    assert ana_today.exists()
    assert ana_overdue.exists()
    # After today only plans lie ahead: calls, e-mails and notes are logged after the fact.
    future = Activity.objects.filter(occurs_at__date__gt=TODAY)
    assert set(future.values_list("kind", flat=True)) <= {"task", "meeting"}


def test_the_seeded_data_satisfies_the_models_rules(db):
    seed()

    for deal in Deal.objects.select_related("stage", "pipeline"):
        deal.full_clean()
        assert deal.stage.pipeline_id == deal.pipeline_id
        assert (deal.closed_at is None) == deal.stage.is_open
        assert bool(deal.lost_reason) == deal.stage.is_lost
    for model in (Company, Contact, Deal, Activity):
        assert not model.objects.exclude(created_by_id=F("owner_id")).exists(), model.__name__
        assert not model.objects.exclude(updated_by_id=F("owner_id")).exists(), model.__name__
    assert not Activity.objects.filter(done=True, done_at__isnull=True).exists()
    assert not Contact.objects.filter(email_normalized="").exists()


def test_the_seeded_records_are_found_by_global_search(client, db):
    seed()
    contact = Contact.objects.order_by("pk").first()
    client.force_login(get_user_model().objects.get(username="admin"))

    body = client.get(reverse("search"), {"q": contact.email}).content.decode()

    assert contact.full_name in body


def test_if_empty_leaves_an_already_seeded_database_alone(db):
    seed()
    before = fingerprint()

    out = seed(*SMALL, "--if-empty")

    assert out.strip() == "Demo data already loaded."
    assert fingerprint() == before
    assert Contact.objects.count() == 50


def test_seeding_twice_without_if_empty_is_refused(db):
    seed()

    with pytest.raises(CommandError, match="already loaded"):
        seed()

    assert Contact.objects.count() == 50


@pytest.mark.parametrize("today", ["2026-13-45", "02.11.2026", "tomorrow"])
def test_a_bad_today_is_refused_before_anything_is_created(db, today):
    with pytest.raises(CommandError, match=r"--today must be YYYY-MM-DD"):
        seed("--today", today)

    assert not get_user_model().objects.exists()


def test_a_size_below_one_is_refused(db):
    with pytest.raises(CommandError, match="at least 1"):
        seed("--today", TODAY.isoformat(), "--contacts", "0")

    assert not get_user_model().objects.exists()
