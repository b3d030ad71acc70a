"""The Calendars page: uploads with their results, subscriptions, sync now, the feed address,
the time zone, and unknown attendees added as contacts in one click. All of it the user's own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calendars.models import CalendarImport, CalendarSource, FeedToken
from contacts.models import Activity, Company, Contact
from tests.calendars.conftest import ics

HX = {"HX-Request": "true"}


def upload(client, name, **headers):
    file = SimpleUploadedFile(name, ics(name), content_type="text/calendar")
    return client.post(reverse("calendars:upload"), {"file": file}, headers=headers)


@pytest.fixture
def ana_client(client, people):
    client.force_login(people["ana"])
    return client


def test_the_page_shows_an_empty_start_and_the_feed_address(ana_client, people):
    response = ana_client.get(reverse("calendars:page"))

    content = response.content.decode()
    token = FeedToken.objects.get(user=people["ana"]).token
    assert response.status_code == 200
    assert "<h1>Calendars</h1>" in content
    assert "Nothing uploaded yet" in content and "No subscriptions yet" in content
    assert f"http://testserver/calendars/feed/{token}.ics" in content


def test_an_upload_imports_and_the_page_shows_its_result_and_unknown_attendees(ana_client):
    response = upload(ana_client, "google_export.ics")

    assert response.status_code == 302 and response.url == reverse("calendars:page")
    page = ana_client.get(reverse("calendars:page")).content.decode()
    assert "google_export.ics: 5 created, 0 updated, 0 cancelled, 1 unchanged, 0 skipped" in page
    assert "5 created, 0 updated, 0 cancelled, 1 unchanged; 1 contact matched" in page
    assert "Nils Neu &lt;nils.neu@kunde.example&gt;" in page
    assert 'aria-label="Add nils.neu@kunde.example as a contact"' in page


def test_an_htmx_upload_answers_with_the_uploads_section_only(ana_client):
    response = upload(ana_client, "impossible_date.ics", **HX)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="uploads">')
    assert "<html" not in content and 'class="topbar"' not in content
    assert "1 created" in content and "1 skipped" in content and "feb-30@example.com" in content
    assert "HX-Request" in response["Vary"]
    assert 'hx-swap-oob="true"' in content  # the message comes along


def test_a_refused_upload_says_why_and_changes_nothing(ana_client):
    response = upload(ana_client, "contact.vcf", **HX)

    content = response.content.decode()
    assert "Nothing changed: This is an address book (vCard), not a calendar." in content
    assert not Activity.objects.filter(source="calendar").exists()


def test_an_upload_without_a_file_shows_the_form_again(ana_client):
    response = ana_client.post(reverse("calendars:upload"), {}, headers=HX)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_subscription_is_added_synced_at_once_and_synced_again_on_demand(
    ana_client, people, feed_server
):
    url = feed_server.serve("/sales.ics", body=ics("subscription.ics"), etag='"1"')

    response = ana_client.post(
        reverse("calendars:subscribe"), {"url": url, "name": "Sales team"}, headers=HX
    )

    source = CalendarSource.objects.get(owner=people["ana"], kind="subscription")
    assert "5 created" in response.content.decode()
    assert response.content.decode().lstrip().startswith('<div id="subscriptions">')
    again = ana_client.post(reverse("calendars:sync", args=[source.pk]), headers=HX)
    assert "0 created, 0 updated, 0 cancelled, 5 unchanged" in again.content.decode()
    assert len(feed_server.requests) == 2


def test_a_failing_subscription_shows_its_reason_and_the_time(ana_client, people, feed_server):
    source = CalendarSource.objects.create(
        owner=people["ana"], kind="subscription", name="Gone", url=feed_server.url("/gone.ics")
    )

    ana_client.post(reverse("calendars:sync", args=[source.pk]))

    page = ana_client.get(reverse("calendars:page")).content.decode()
    assert "Nothing changed: The server answered 404 Not Found." in page
    assert "never" not in page.split('id="subscription-')[1]


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://calendar.example/x.ics", "The address must start with https://"),
        ("", "This field is required."),
    ],
)
def test_a_bad_subscription_address_is_refused(ana_client, url, error):
    response = ana_client.post(reverse("calendars:subscribe"), {"url": url}, headers=HX)

    assert error in response.content.decode()
    assert not CalendarSource.objects.filter(kind="subscription").exists()


def test_the_same_address_twice_is_refused(ana_client, people):
    CalendarSource.objects.create(
        owner=people["ana"], kind="subscription", url="https://calendar.example/a.ics"
    )

    response = ana_client.post(
        reverse("calendars:subscribe"), {"url": "webcal://calendar.example/a.ics"}
    )

    assert "You subscribe to this calendar already." in response.content.decode()


def test_someone_elses_subscription_is_not_found(client, people, org):
    source = CalendarSource.objects.create(
        owner=people["ana"], kind="subscription", url="https://calendar.example/a.ics"
    )
    client.force_login(org["maria"])  # ana's manager: calendars are personal all the same

    assert client.post(reverse("calendars:sync", args=[source.pk])).status_code == 404
    assert client.post(reverse("calendars:unsubscribe", args=[source.pk])).status_code == 404
    assert "calendar.example" not in client.get(reverse("calendars:page")).content.decode()


def test_unsubscribing_keeps_the_meetings(ana_client, people, feed_server):
    url = feed_server.serve("/sales.ics", body=ics("subscription.ics"))
    ana_client.post(reverse("calendars:subscribe"), {"url": url})
    source = CalendarSource.objects.get(kind="subscription")

    ana_client.post(reverse("calendars:unsubscribe", args=[source.pk]))

    assert not CalendarSource.objects.filter(kind="subscription").exists()
    assert Activity.objects.filter(owner=people["ana"], source="calendar").count() == 5


def test_the_time_zone_and_private_details_are_saved(ana_client, people):
    response = ana_client.post(
        reverse("calendars:preferences"),
        {"time_zone": "America/New_York", "private_details": "on"},
    )

    people["ana"].refresh_from_db()
    assert response.status_code == 302
    assert people["ana"].time_zone == "America/New_York"
    assert CalendarSource.objects.get(owner=people["ana"], kind="uploads").private_details


def test_an_unknown_time_zone_is_refused(ana_client, people):
    response = ana_client.post(reverse("calendars:preferences"), {"time_zone": "Mars/Olympus"})

    assert "Select a valid choice" in response.content.decode()
    people["ana"].refresh_from_db()
    assert people["ana"].time_zone == "Europe/Berlin"


def test_one_click_adds_an_unknown_attendee_as_a_contact_with_company_and_meetings(
    ana_client, people
):
    upload(ana_client, "outlook_invite.ics")  # olaf.ohne@example.com is unknown
    record = CalendarImport.objects.get()

    response = ana_client.post(
        reverse("calendars:create-contact", args=[record.pk]),
        {"email": "olaf.ohne@example.com"},
        headers=HX,
    )

    olaf = Contact.objects.get(email="olaf.ohne@example.com")
    assert (olaf.first_name, olaf.last_name, olaf.owner) == ("Olaf", "Ohne", people["ana"])
    assert olaf.company == people["company"]  # example.com: ana's Client AG
    assert list(olaf.activities.values_list("source", flat=True)) == ["calendar"]
    content = response.content.decode()
    assert content.lstrip().startswith(f'<li id="unknown-{record.pk}-olafohneexamplecom">')
    assert "✓ Olaf Ohne" in content and "Added Olaf Ohne at Client AG." in content


def test_a_new_domain_makes_a_company_and_a_free_mail_domain_none(ana_client, people):
    data = ics("outlook_invite.ics").replace(b"olaf.ohne@example.com", b"olaf@neufirma.example")
    data = data.replace(b"ana.client@example.com", b"someone@gmail.com")
    ana_client.post(reverse("calendars:upload"), {"file": SimpleUploadedFile("x.ics", data)})
    record = CalendarImport.objects.get()

    for email in ("olaf@neufirma.example", "someone@gmail.com"):
        ana_client.post(reverse("calendars:create-contact", args=[record.pk]), {"email": email})

    assert Contact.objects.get(email="olaf@neufirma.example").company.name == "Neufirma"
    assert Company.objects.get(domain="neufirma.example").owner == people["ana"]
    assert Contact.objects.get(email="someone@gmail.com").company is None


def test_the_duplicate_check_applies_to_a_contact_the_user_cannot_see(ana_client, people):
    upload(ana_client, "google_export.ics")  # nils.neu@kunde.example is carla's contact
    record = CalendarImport.objects.get()

    response = ana_client.post(
        reverse("calendars:create-contact", args=[record.pk]),
        {"email": "nils.neu@kunde.example"},
        headers=HX,
    )

    assert Contact.objects.filter(email="nils.neu@kunde.example").count() == 1
    assert "Already in Huddle, owned by Carla" in response.content.decode()


def test_adding_a_contact_from_someone_elses_import_or_an_unlisted_address_is_not_found(
    client, people, org
):
    client.force_login(people["ana"])
    upload(client, "outlook_invite.ics")
    record = CalendarImport.objects.get()
    url = reverse("calendars:create-contact", args=[record.pk])

    assert client.post(url, {"email": "not.listed@example.com"}).status_code == 404
    client.force_login(org["ben"])
    assert client.post(url, {"email": "olaf.ohne@example.com"}).status_code == 404
    assert not Contact.objects.filter(email="olaf.ohne@example.com").exists()
