"""The pages around the records: login and logout, health check, errors, settings, undo URL."""

import pytest
from django.urls import reverse

from crm.models import VisibilityPolicy

POLICY = {
    "company_see": "team",
    "company_edit": "own",
    "contact_see": "team",
    "contact_edit": "own",
    "deal_see": "team",
    "deal_edit": "own",
    "activity_see": "team",
    "activity_edit": "own",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---- login and logout ----------------------------------------------------------------------


def test_the_login_page_renders_its_form_without_the_app_chrome(client, db):
    response = client.get(reverse("login"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert "<title>Huddle</title>" in body
    assert 'class="topbar"' not in body


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, org):
    response = client.post(reverse("login"), {"username": "ana", "password": "wrong"})

    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="message error" role="alert">Please enter a correct username' in body
    assert 'value="ana"' in body
    assert client.get(reverse("home")).status_code == 302


def test_the_right_password_opens_my_day(client, org):
    response = client.post(reverse("login"), {"username": "ana", "password": "pw"}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    body = response.content.decode()
    assert "<h1>My day" in body
    assert '<span title="Rep">Ana</span>' in body


def test_login_goes_on_to_the_page_that_asked_for_it(client, org):
    asked = client.get(reverse("contacts:list"))
    assert asked["Location"] == f"{reverse('login')}?next=/contacts/"

    response = client.post(
        f"{reverse('login')}?next=/contacts/",
        {"username": "ana", "password": "pw", "next": "/contacts/"},
    )

    assert response["Location"] == "/contacts/"


def test_login_never_sends_the_user_to_another_site(client, org):
    response = client.post(
        reverse("login"), {"username": "ana", "password": "pw", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("home")


def test_a_logged_in_user_visiting_login_goes_to_my_day(client_for):
    response = client_for("ana").get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_an_inactive_user_cannot_log_in(client, org):
    org["ana"].is_active = False
    org["ana"].save(update_fields=["is_active"])

    response = client.post(reverse("login"), {"username": "ana", "password": "pw"})

    assert "Please enter a correct username" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logout_ends_the_session(client_for):
    client = client_for("ana")

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert 'name="password"' in response.content.decode()
    after = client.get(reverse("home"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("login"))


def test_logout_by_get_is_refused_and_keeps_the_session(client_for):
    client = client_for("ana")

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get(reverse("home")).status_code == 200


# ---- health and errors ---------------------------------------------------------------------


def test_healthz_answers_ok_without_a_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "url", ["/nope/", "/contacts/abc/", "/deals/1/nothing/", "/contacts/99999/", "/deals/99999/"]
)
def test_an_unknown_url_is_a_friendly_404(client_for, url):
    response = client_for("ana").get(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist, or it is not yours to see." in body
    assert 'href="/">Back to My day</a>' in body


def test_an_unknown_url_is_404_for_an_anonymous_visitor_too(client, db):
    response = client.get("/nope/")

    assert response.status_code == 404
    assert 'class="topbar"' not in response.content.decode()


@pytest.mark.parametrize("label", ["nolabel", "crm.user", "crm.visibilitypolicy", "nope.nothing"])
def test_undo_of_something_that_is_no_record_is_404(client_for, org, label):
    response = client_for("admin").post(reverse("restore", args=[label, org["ana"].pk]))

    assert response.status_code == 404


def test_undo_of_a_record_that_does_not_exist_is_404(client_for):
    response = client_for("admin").post(reverse("restore", args=["contacts.contact", 99999]))

    assert response.status_code == 404


# ---- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["ana", "maria"])
def test_only_the_admin_may_open_the_settings(client_for, username):
    client = client_for(username)

    page = client.get(reverse("settings"))
    post = client.post(reverse("settings"), POLICY | {"contact_see": "everyone"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert "Only an admin may change the organisation&#x27;s settings." in page.content.decode()
    assert not VisibilityPolicy.objects.filter(contact_see="everyone").exists()


def test_the_settings_link_is_shown_to_the_admin_only(client_for):
    settings_link = f'<a href="{reverse("settings")}">Settings</a>'

    assert settings_link in client_for("admin").get(reverse("home")).content.decode()
    assert settings_link not in client_for("maria").get(reverse("home")).content.decode()


def test_the_settings_page_shows_the_current_policy(client_for):
    body = client_for("admin").get(reverse("settings")).content.decode()

    assert "<h2>Visibility</h2>" in body
    assert "Reps see contacts" in body
    assert '<option value="team" selected>' in body


def test_saving_the_policy_changes_what_a_rep_sees_at_once(client_for, north_records):
    contact = north_records["contact"]
    assert client_for("ben").get(contact.get_absolute_url()).status_code == 200

    response = client_for("admin").post(
        reverse("settings"), POLICY | {"contact_see": "own"}, follow=True
    )

    assert response.redirect_chain == [(reverse("settings"), 302)]
    assert "Visibility policy saved." in response.content.decode()
    assert VisibilityPolicy.objects.get(pk=1).contact_see == "own"
    ben = client_for("ben")
    assert ben.get(contact.get_absolute_url()).status_code == 404
    assert "Nora Secretname" not in ben.get(reverse("contacts:list")).content.decode()
    # Only contacts changed: ben still sees ana's company and deal.
    assert ben.get(north_records["company"].get_absolute_url()).status_code == 200
    # Managers are not configured here: maria still sees her rep's contact.
    assert client_for("maria").get(contact.get_absolute_url()).status_code == 200


def test_letting_reps_edit_the_teams_records_lets_a_same_team_rep_edit_at_once(
    client_for, north_records
):
    company = north_records["company"]
    edit_url = reverse("contacts:company-edit", args=[company.pk])
    assert client_for("ben").get(edit_url).status_code == 403

    client_for("admin").post(reverse("settings"), POLICY | {"company_edit": "team"})

    assert client_for("ben").get(edit_url).status_code == 200


def test_an_invalid_policy_is_not_saved(client_for):
    response = client_for("admin").post(reverse("settings"), POLICY | {"deal_edit": "everyone"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not VisibilityPolicy.objects.filter(deal_edit="everyone").exists()
