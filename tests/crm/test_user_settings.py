"""Settings → Users and teams, through the HTTP doors an admin, a manager and a new user use."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts.models import Activity, ActivityDay, Company, Contact
from crm.models import SearchEntry, SettingChange, Team, User
from deals.models import Deal
from tests.factories import ActivityFactory, ContactFactory, UserFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(org):
    return client_for(org["admin"])


def logs_in(username: str, password: str) -> bool:
    """Through the login form, as a person does (a redirect means a session was given)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def link_in(response) -> str:
    match = re.search(r'value="(https?://[^"]+/set-password/[^"]+)"', response.content.decode())
    assert match, "the page shows no set-password link"
    return match.group(1).split("testserver", 1)[1]


# ---- adding people ------------------------------------------------------------------------------


def test_an_admin_adds_a_user_who_chooses_a_password_once_with_the_link(org, admin):
    north = Team.objects.get(name="North")
    response = admin.post(
        reverse("settings-user-create"),
        {
            "username": "dora",
            "first_name": "Dora",
            "last_name": "Diaz",
            "email": "Dora@Example.com",
            "role": "rep",
            "team": north.pk,
        },
    )
    assert response.status_code == 200
    dora = User.objects.get(username="dora")
    assert (dora.email, dora.role, dora.team, dora.has_usable_password()) == (
        "dora@example.com",
        "rep",
        north,
        False,
    )
    assert mail.outbox == []  # no mail configured: the admin passes the link on
    link = link_in(response)
    change = SettingChange.objects.get(area="user", action="added")
    assert change.after["username"] == "dora" and change.by == org["admin"]

    newcomer = Client()
    form = newcomer.get(link, follow=True)
    assert "Choose your password" in form.content.decode()
    done = newcomer.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "a long pass phrase 7", "new_password2": "a long pass phrase 7"},
    )
    assert done.status_code == 302 and done.url == reverse("home")
    assert newcomer.get(reverse("home")).status_code == 200  # logged in
    assert logs_in("dora", "a long pass phrase 7")

    again = Client().get(link, follow=True)
    assert "used already or has expired" in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_with_mail_configured_the_link_is_also_e_mailed(org, admin, settings):
    settings.HUDDLE_MAIL = True
    response = admin.post(
        reverse("settings-user-create"),
        {"username": "eli", "first_name": "Eli", "email": "eli@example.com", "role": "rep"},
    )
    assert "has been e-mailed to eli@example.com" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eli@example.com"]
    assert link_in(response) in mail.outbox[0].body


def test_a_taken_username_or_e_mail_is_refused_and_nothing_is_added(org, admin):
    org["ben"].email = "ben@example.com"
    org["ben"].save()
    count = User.objects.count()
    for data, message in [
        ({"username": "ben", "role": "rep"}, "A user with that username already exists."),
        ({"username": "new", "email": "BEN@example.com", "role": "rep"}, "Another user has"),
        ({"username": "new", "role": "emperor"}, "Select a valid choice"),
    ]:
        response = admin.post(reverse("settings-user-create"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert User.objects.count() == count
    assert not SettingChange.objects.exists()


def test_a_new_link_replaces_a_lost_one(org, admin):
    response = admin.post(reverse("settings-user-link", args=[org["ben"].pk]))
    assert response.status_code == 200
    assert Client().get(link_in(response), follow=True).status_code == 200
    assert SettingChange.objects.filter(action="set-password link").count() == 1


# ---- roles and teams -----------------------------------------------------------------------------


def test_an_admin_changes_role_and_team_and_the_history_keeps_before_and_after(org, admin):
    south = Team.objects.get(name="South")
    ben = org["ben"]
    response = admin.post(
        reverse("settings-user-edit", args=[ben.pk]),
        {"username": "ben", "first_name": "Ben", "role": "manager", "team": south.pk},
    )
    assert response.status_code == 302
    ben.refresh_from_db()
    assert (ben.role, ben.team) == ("manager", south)
    change = SettingChange.objects.get(area="user")
    assert (change.before["role"], change.after["role"]) == ("rep", "manager")
    assert (change.before["team"], change.after["team"]) == ("North", "South")
    history = admin.get(reverse("settings-history")).content.decode()
    assert "Ben" in history and "manager" in history


def test_the_last_admin_cannot_stop_being_one(org, admin):
    me = org["admin"]
    response = admin.post(
        reverse("settings-user-edit", args=[me.pk]),
        {"username": "admin", "first_name": "Admin", "role": "rep"},
    )
    assert "Huddle needs at least one active admin." in response.content.decode()
    me.refresh_from_db()
    assert me.role == "admin"


def test_an_admin_names_a_teams_managers(org, admin):
    north = Team.objects.get(name="North")
    response = admin.post(
        reverse("settings-team-edit", args=[north.pk]),
        {"name": "North", "managers": [org["maria"].pk, org["sam"].pk]},
    )
    assert response.status_code == 302
    assert set(north.managers.values_list("username", flat=True)) == {"maria", "sam"}
    change = SettingChange.objects.get(area="team")
    assert change.before["managers"] == ["Maria"] and change.after["managers"] == ["Maria", "Sam"]
    # A forged manager (a rep is not offered) changes nothing.
    response = admin.post(
        reverse("settings-team-edit", args=[north.pk]),
        {"name": "North", "managers": [org["ben"].pk]},
    )
    assert "Select a valid choice" in response.content.decode()
    assert set(north.managers.values_list("username", flat=True)) == {"maria", "sam"}


def test_a_manager_sees_the_members_of_their_teams_read_only_and_a_rep_nothing(org):
    maria = client_for(org["maria"])
    page = maria.get(reverse("settings-users")).content.decode()
    assert "Ana" in page and "Ben" in page
    assert "Carla" not in page
    assert reverse("settings-user-edit", args=[org["ana"].pk]) not in page
    assert "Deactivate" not in page and "New user" not in page
    assert maria.get(reverse("settings-user-edit", args=[org["ana"].pk])).status_code == 403
    assert client_for(org["ben"]).get(reverse("settings-users")).status_code == 403


def test_the_users_page_costs_the_same_few_queries_for_many_people(
    org, admin, django_assert_max_num_queries
):
    for i in range(30):
        UserFactory(username=f"extra{i}", team=Team.objects.get(name="South"))
    with django_assert_max_num_queries(8):
        response = admin.get(reverse("settings-users"))
    assert response.status_code == 200 and "Extra29" in response.content.decode()


# ---- deactivation ----------------------------------------------------------------------------


def test_deactivating_a_rep_moves_every_record_keeps_history_and_ends_the_session(
    org, north_records, admin
):
    ana, ben = org["ana"], org["ben"]
    gone = ContactFactory(first_name="Old", last_name="Deleted", owner=ana)
    gone.deleted_at = gone.created_at
    gone.save()
    ActivityFactory(
        subject="Another call", owner=ana, occurs_at=north_records["activity"].occurs_at
    )
    ana_browser = client_for(ana)
    assert ana_browser.get(reverse("home")).status_code == 200
    days_before = sorted(ActivityDay.objects.filter(owner=ana).values_list("day", "kind", "count"))
    assert days_before

    page = admin.get(reverse("settings-user-deactivate", args=[ana.pk])).content.decode()
    assert "They own 1 company, 2 contacts, 2 activities and 1 deal (deleted ones included)" in page
    response = admin.post(
        reverse("settings-user-deactivate", args=[ana.pk]), {"reassign_to": ben.pk}
    )
    assert response.status_code == 302

    for model in (Company, Contact, Deal, Activity):
        assert not model.all_objects.filter(owner=ana).exists(), model
        for record in model.all_objects.filter(owner=ben):
            newest, previous = list(record.history.order_by("-history_id")[:2])
            assert (newest.owner_id, previous.owner_id) == (ben.pk, ana.pk)
            assert newest.history_user == org["admin"]
            assert newest.history_change_reason == "Reassigned from Ana to Ben"
            assert newest.version == previous.version + 1
    assert Contact.all_objects.get(pk=gone.pk).owner == ben
    assert not SearchEntry.objects.filter(owner_id=ana.pk).exists()
    assert SearchEntry.objects.filter(owner_id=ben.pk, kind="contact").count() == 1
    assert not ActivityDay.objects.filter(owner=ana).exists()
    assert sorted(ActivityDay.objects.filter(owner=ben).values_list("day", "kind", "count")) == (
        days_before
    )

    ana.refresh_from_db()
    assert not ana.is_active
    old_session = ana_browser.get(reverse("home"))
    assert old_session.status_code == 302 and old_session.url.startswith(reverse("login"))
    assert not logs_in("ana", "pw")
    change = SettingChange.objects.get(action="deactivated")
    assert change.after["moved"] == {
        "companies": 1,
        "contacts": 2,
        "activities": 2,
        "deals": 1,
    }

    # Ben finds them as his own; reactivation lets ana log in again, owning nothing.
    assert (
        "Secretname"
        in client_for(ben).get(reverse("contacts:list"), {"owner": ben.pk}).content.decode()
    )
    admin.post(reverse("settings-user-reactivate", args=[ana.pk]))
    assert logs_in("ana", "pw")


def test_deactivation_asks_who_takes_the_records_and_refuses_nonsense(org, north_records, admin):
    ana = org["ana"]
    url = reverse("settings-user-deactivate", args=[ana.pk])
    inactive = UserFactory(username="former", is_active=False)
    for data, message in [
        ({}, "They own records: choose who takes them over."),
        ({"reassign_to": ana.pk}, "Select a valid choice"),
        ({"reassign_to": inactive.pk}, "Select a valid choice"),
        ({"reassign_to": "99999"}, "Select a valid choice"),
        ({"reassign_to": "x';--"}, "Select a valid choice"),
    ]:
        response = admin.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    ana.refresh_from_db()
    assert ana.is_active
    assert Company.all_objects.filter(owner=ana).count() == 1
    assert not SettingChange.objects.exists()
    # Themselves: never.
    me = org["admin"]
    own = admin.post(reverse("settings-user-deactivate", args=[me.pk]), {"reassign_to": ana.pk})
    assert "You cannot deactivate yourself." in own.content.decode()
    me.refresh_from_db()
    assert me.is_active
    # Someone owning nothing needs no new owner.
    idle = UserFactory(username="idle")
    assert admin.post(reverse("settings-user-deactivate", args=[idle.pk])).status_code == 302
    idle.refresh_from_db()
    assert not idle.is_active


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_an_edit_racing_a_deactivation_is_never_lost_and_the_record_moves(
    round_, org, north_records
):
    """ana saves a contact at the moment the admin deactivates her and hands her records to ben
    (two threads, one barrier). Whichever lands first, the contact ends up ben's, and ana's edit
    is either saved (version +2) or refused whole (her session had ended, the contact was no
    longer hers, or her version was stale: version +1); never half, never a 500."""
    ana, ben = org["ana"], org["ben"]
    contact = north_records["contact"]
    start = contact.version
    edit = {
        "first_name": contact.first_name,
        "last_name": "Edited",
        "company": north_records["company"].pk,
        "email": contact.email,
        "phone": contact.phone,
        "owner": ana.pk,
        "version": start,
    }
    posts = [
        (client_for(ana), reverse("contacts:edit", args=[contact.pk]), edit),
        (
            client_for(org["admin"]),
            reverse("settings-user-deactivate", args=[ana.pk]),
            {"reassign_to": ben.pk},
        ),
    ]
    barrier = threading.Barrier(2)
    answers, errors = [None, None], []

    def run(i, client, url, data):
        try:
            barrier.wait(timeout=10)
            answers[i] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert answers[1].status_code == 302
    # 302: saved, or sent to the login page (her session had ended); 403: by then the contact
    # was ben's, which a rep may not change; 200/409: her version was stale.
    assert answers[0].status_code in (200, 302, 403, 409)
    contact.refresh_from_db()
    ana.refresh_from_db()
    assert not ana.is_active and contact.owner == ben
    if contact.last_name == "Edited":
        assert contact.version == start + 2
    else:
        assert (contact.last_name, contact.version) == ("Secretname", start + 1)
    reasons = list(contact.history.values_list("history_change_reason", flat=True))
    assert reasons.count("Reassigned from Ana to Ben") == 1
