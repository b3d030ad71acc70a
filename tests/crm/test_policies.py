"""Issue 12, "What was seen" 4: what the non-default policies let through, each as it was seen.

Every derived or related piece of data a page shows — a deal's next step, the company or deal
named next to an activity, contact or deal, a search hit's subtitle, an export's columns, the
counts of an agenda, the owner filter's people, the report command — goes through
crm/visibility.py for the record it shows. And every edit the policy permits saves through the
full form. `north_records` are ana's (rep, North): ben is her teammate, carla (rep) and sam
(manager) are in South, maria manages North.
"""

import csv
import io
import json
from datetime import timedelta
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Contact
from crm.models import SearchEntry, VisibilityPolicy
from reports.models import Agenda, Meeting, MeetingActionItem
from tests.factories import ActivityFactory, ContactFactory, DealFactory

COMPANY, DEAL, TASK = "Nordwind GmbH", "Nordwind rollout", "Call Nora about rollout"
HIDDEN_COMPANY, HIDDEN_DEAL = "a company you cannot see", "a deal you cannot see"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def set_policy(**levels):
    """As the settings page saves it (the cached policy is forgotten on save)."""
    policy = VisibilityPolicy.objects.filter(pk=1).first() or VisibilityPolicy(pk=1)
    for name, level in levels.items():
        setattr(policy, name, level)
    policy.save()


def page(client, name, *args, query=None, **headers) -> str:
    response = client.get(reverse(name, args=args), query or {}, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def as_next_step(activity):
    """ana's call, made an open task due tomorrow: the next step of the deal it is on."""
    activity.kind = Activity.Kind.TASK
    activity.occurs_at = timezone.now() + timedelta(days=1)
    activity.save(update_fields=["kind", "occurs_at"])
    return activity


# ---- the next step: only activities the viewer may see -------------------------------------


def test_with_activities_own_a_teammate_s_task_is_not_the_next_step_on_the_deal_page(
    client_for, north_records
):
    set_policy(activity_see="own", deal_see="team")
    as_next_step(north_records["activity"])

    body = page(client_for("ben"), "deals:detail", north_records["deal"].pk)

    assert DEAL in body
    assert TASK not in body
    assert "No next step" in body


def test_the_deal_page_shows_the_next_step_to_whoever_may_see_the_task(client_for, north_records):
    set_policy(activity_see="own", deal_see="team")
    as_next_step(north_records["activity"])

    body = page(client_for("maria"), "deals:detail", north_records["deal"].pk)

    assert TASK in body
    assert "No next step" not in body


def test_on_my_day_a_deal_whose_only_step_is_a_teammate_s_hidden_task_has_no_next_step(
    client_for, org, north_records
):
    set_policy(activity_see="own", deal_see="team")
    bens_deal = DealFactory(title="Bens renewal", owner=org["ben"], stage=north_records["stage"])
    ActivityFactory(
        kind="task",
        subject="Ana's private step",
        deal=bens_deal,
        owner=org["ana"],
        occurs_at=timezone.now() + timedelta(days=2),
    )

    body = page(client_for("ben"), "home")

    stalled = body.split("My deals without a next step", 1)[1]
    assert "Bens renewal" in stalled
    assert "Ana's private step" not in body


def test_on_my_day_a_deal_whose_step_the_rep_may_see_is_not_stalled(client_for, org, north_records):
    bens_deal = DealFactory(title="Bens renewal", owner=org["ben"], stage=north_records["stage"])
    ActivityFactory(
        kind="task", deal=bens_deal, owner=org["ana"], occurs_at=timezone.now() + timedelta(2)
    )

    body = page(client_for("ben"), "home")  # default policy: ben sees his team's activities

    assert "Bens renewal" not in body.split("My deals without a next step", 1)[1]


def test_my_day_names_the_deal_of_a_task_only_if_the_rep_may_see_it(client_for, org, north_records):
    set_policy(deal_see="own", company_see="own")
    ActivityFactory(
        kind="task",
        subject="Prepare the rollout plan",
        deal=north_records["deal"],
        company=north_records["company"],
        owner=org["ben"],
        occurs_at=timezone.now() - timedelta(hours=1),
    )

    body = page(client_for("ben"), "home")

    assert "Prepare the rollout plan" in body
    assert DEAL not in body and COMPANY not in body


# ---- labels of related records on activities -----------------------------------------------


@pytest.fixture
def activities_everyone(north_records):
    set_policy(activity_see="everyone")
    return north_records


def test_with_activities_everyone_another_team_s_rep_sees_the_call_but_not_its_deal_or_company(
    client_for, activities_everyone
):
    body = page(client_for("carla"), "contacts:activity-list")

    assert TASK in body
    assert DEAL not in body and COMPANY not in body
    assert HIDDEN_DEAL in body and HIDDEN_COMPANY in body


def test_the_activity_page_says_there_is_a_deal_and_a_company_but_not_which(
    client_for, activities_everyone
):
    body = page(client_for("carla"), "contacts:activity-detail", activities_everyone["activity"].pk)

    assert TASK in body
    assert DEAL not in body and COMPANY not in body
    assert HIDDEN_DEAL in body and HIDDEN_COMPANY in body
    # Nor a link to either: the ids would only lead to a 404.
    assert reverse("deals:detail", args=[activities_everyone["deal"].pk]) not in body
    assert reverse("contacts:company-detail", args=[activities_everyone["company"].pk]) not in body


def test_the_activity_list_names_the_deal_and_company_to_whoever_may_see_them(
    client_for, activities_everyone
):
    body = page(client_for("ben"), "contacts:activity-list")

    assert DEAL in body and COMPANY in body
    assert HIDDEN_DEAL not in body


def test_the_activity_list_fragment_hides_them_too(client_for, activities_everyone):
    body = page(client_for("carla"), "contacts:activity-list", **{"HX-Request": "true"})

    assert TASK in body and DEAL not in body and COMPANY not in body


def test_the_activity_export_writes_no_deal_or_company_the_manager_may_not_see(
    client_for, activities_everyone
):
    response = client_for("sam").get(
        reverse("reports:export", args=["activity", "csv"]),
        {"drill": "1", "row": "", "col": "total"},
    )

    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    call = next(r for r in rows if r["Subject"] == TASK)
    assert (call["Company"], call["Deal"]) == ("", "")


def test_the_activity_export_names_them_for_their_manager(client_for, activities_everyone):
    response = client_for("maria").get(
        reverse("reports:export", args=["activity", "csv"]),
        {"drill": "1", "row": "", "col": "total"},
    )

    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    call = next(r for r in rows if r["Subject"] == TASK)
    assert (call["Company"], call["Deal"]) == (COMPANY, DEAL)


def test_the_activity_drill_down_hides_them_from_another_team_s_manager(
    client_for, activities_everyone
):
    body = page(client_for("sam"), "reports:drill", "activity", query={"row": "", "col": "total"})

    assert TASK in body and DEAL not in body and COMPANY not in body


# ---- labels of companies on contacts and deals ---------------------------------------------


@pytest.fixture
def companies_hidden(north_records):
    """Contacts and deals seen by everyone; companies by their owner's team only."""
    set_policy(contact_see="everyone", deal_see="everyone", company_see="team")
    return north_records


def test_the_contact_list_and_page_do_not_name_a_company_the_user_may_not_see(
    client_for, companies_hidden
):
    client = client_for("carla")
    listed = page(client, "contacts:list")
    detail = page(client, "contacts:detail", companies_hidden["contact"].pk)

    for body in (listed, detail):
        assert "Secretname" in body
        assert COMPANY not in body
        assert HIDDEN_COMPANY in body


def test_the_deal_list_board_and_page_do_not_name_a_company_the_user_may_not_see(
    client_for, companies_hidden
):
    client = client_for("carla")
    bodies = [
        page(client, "deals:list"),
        page(client, "deals:board"),
        page(client, "deals:detail", companies_hidden["deal"].pk),
    ]

    for body in bodies:
        assert DEAL in body
        assert COMPANY not in body


def test_a_search_hit_names_the_company_only_to_whoever_may_see_it(client_for, companies_hidden):
    outsider = page(client_for("carla"), "search", query={"q": "secretname"})
    teammate = page(client_for("ben"), "search", query={"q": "secretname"})

    assert "Secretname" in outsider and COMPANY not in outsider
    assert "nora@nordwind.example" in outsider  # the contact's own details still show
    assert f"{COMPANY} · nora@nordwind.example" in teammate


def test_the_palette_names_the_company_of_a_deal_only_to_whoever_may_see_it(
    client_for, companies_hidden
):
    outsider = page(client_for("carla"), "palette", query={"q": "rollout"})
    manager = page(client_for("maria"), "palette", query={"q": "rollout"})

    assert DEAL in outsider and COMPANY not in outsider
    assert DEAL in manager and COMPANY in manager


def test_search_still_answers_in_one_query(client_for, companies_hidden, django_assert_num_queries):
    client = client_for("carla")
    page(client, "search", query={"q": "nord"})  # the policy, cached per process

    with django_assert_num_queries(2):  # the user, the search
        client.get(reverse("search"), {"q": "nord"})


def test_entries_written_before_keep_no_company_name_after_the_migration(north_records):
    contact, deal = north_records["contact"], north_records["deal"]
    SearchEntry.objects.filter(kind="contact", object_id=contact.pk).update(
        subtitle=f"{COMPANY} · {contact.email} · {contact.phone}"
    )
    SearchEntry.objects.filter(kind="deal", object_id=deal.pk).update(subtitle=COMPANY)
    migration = import_module("contacts.migrations.0005_search_subtitles_without_company")

    migration.forward(django_apps, None)

    subtitles = dict(SearchEntry.objects.values_list("kind", "subtitle"))
    assert subtitles["contact"] == f"{contact.email} · {contact.phone}"
    assert subtitles["deal"] == ""


# ---- the full form: the owner and the links stay choices -------------------------------------


def contact_form(contact, **changes) -> dict:
    data = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company_id or "",
        "email": contact.email,
        "phone": contact.phone,
        "owner": contact.owner_id,
        "version": contact.version,
    }
    return data | changes


def test_with_contacts_edited_by_the_team_a_rep_saves_a_teammate_s_contact(
    client_for, north_records
):
    set_policy(contact_edit="team")
    contact = north_records["contact"]
    client = client_for("ben")

    form = page(client, "contacts:edit", contact.pk)
    response = client.post(
        reverse("contacts:edit", args=[contact.pk]), contact_form(contact, job_title="CTO")
    )

    assert f'<option value="{contact.owner_id}" selected>' in form
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.job_title, contact.owner_id) == ("CTO", north_records["contact"].owner_id)


def test_with_contacts_edited_by_the_team_a_rep_may_hand_a_contact_to_a_teammate(
    client_for, org, north_records
):
    set_policy(contact_edit="team")
    contact = north_records["contact"]

    response = client_for("ben").post(
        reverse("contacts:edit", args=[contact.pk]), contact_form(contact, owner=org["ben"].pk)
    )

    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).owner == org["ben"]


def test_a_rep_may_not_hand_a_contact_to_another_team(client_for, org, north_records):
    set_policy(contact_edit="team")
    contact = north_records["contact"]

    response = client_for("ben").post(
        reverse("contacts:edit", args=[contact.pk]), contact_form(contact, owner=org["carla"].pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).owner == org["ana"]


def test_under_see_everyone_another_team_s_manager_saves_a_contact_through_the_full_form(
    client_for, north_records
):
    set_policy(contact_see="everyone", company_see="everyone")
    contact = north_records["contact"]

    response = client_for("sam").post(
        reverse("contacts:edit", args=[contact.pk]), contact_form(contact, job_title="CEO")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.get(pk=contact.pk).job_title == "CEO"


def test_an_editor_who_may_not_see_the_company_keeps_the_link_and_does_not_read_its_name(
    client_for, companies_hidden
):
    contact = companies_hidden["contact"]
    client = client_for("sam")  # sees contacts of everyone, so edits them; not North's companies

    form = page(client, "contacts:edit", contact.pk)
    response = client.post(
        reverse("contacts:edit", args=[contact.pk]), contact_form(contact, job_title="CFO")
    )

    assert COMPANY not in form
    assert "(company you cannot see)" in form
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.job_title, contact.company_id) == ("CFO", companies_hidden["company"].pk)


def test_an_activity_editor_keeps_the_people_deal_and_company_they_may_not_see(
    client_for, activities_everyone
):
    activity = activities_everyone["activity"]
    client = client_for("sam")  # sees (so edits) every activity; not North's people or deals

    form = page(client, "contacts:activity-edit", activity.pk)
    response = client.post(
        reverse("contacts:activity-edit", args=[activity.pk]),
        {
            "kind": activity.kind,
            "subject": "Call Nora again",
            "occurs_at": "2030-01-07T10:00",
            "contacts": [activities_everyone["contact"].pk],
            "company": activity.company_id,
            "deal": activity.deal_id,
            "owner": activity.owner_id,
            "version": activity.version,
        },
    )

    assert "Secretname" not in form and DEAL not in form and COMPANY not in form
    assert response.status_code == 302, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert (activity.subject, activity.deal_id, activity.company_id) == (
        "Call Nora again",
        activities_everyone["deal"].pk,
        activities_everyone["company"].pk,
    )
    assert list(activity.contacts.all()) == [activities_everyone["contact"]]


def test_a_forged_id_of_a_company_the_editor_may_not_see_is_still_refused(
    client_for, org, companies_hidden
):
    south_company = companies_hidden["company"]
    mine = ContactFactory(last_name="Southern", owner=org["carla"])

    response = client_for("ben").post(
        reverse("contacts:create"),
        {"last_name": "Newperson", "company": south_company.pk, "owner": org["ben"].pk},
    )
    own = client_for("carla").post(
        reverse("contacts:edit", args=[mine.pk]),
        contact_form(mine, company=south_company.pk),
    )

    assert response.status_code == 302  # ben sees North's company under "team"
    assert own.status_code == 200  # carla does not: a forged id stays an invalid choice
    assert Contact.objects.get(pk=mine.pk).company_id is None


# ---- owner filters -------------------------------------------------------------------------


def owner_choices(client, list_name: str) -> set[str]:
    body = page(client, list_name)
    select = body.split('name="owner"', 1)[1].split("</select>", 1)[0]
    return {opt.split(">", 1)[1].split("<", 1)[0] for opt in select.split("<option")[2:]}


@pytest.mark.parametrize(
    ("level", "role", "expected"),
    [
        ("own", "ben", {"Ben"}),
        ("team", "ben", {"Ana", "Ben", "Maria"}),
        ("team", "carla", {"Carla", "Sam"}),
        ("own", "maria", {"Ana", "Ben", "Maria"}),  # + the team she manages
        ("everyone", "carla", {"Admin", "Ana", "Ben", "Carla", "Maria", "Sam"}),
    ],
)
@pytest.mark.parametrize(
    ("kind", "list_name"),
    [
        ("contact", "contacts:list"),
        ("company", "contacts:company-list"),
        ("activity", "contacts:activity-list"),
        ("deal", "deals:list"),
    ],
)
def test_the_owner_filter_offers_the_people_whose_records_the_user_may_see(
    client_for, org, kind, list_name, level, role, expected
):
    set_policy(**{f"{kind}_see": level})

    assert owner_choices(client_for(role), list_name) == expected


def test_the_owner_filter_offers_everyone_active_to_the_admin(client_for, org):
    org["ben"].is_active = False
    org["ben"].save()

    assert owner_choices(client_for("admin"), "deals:list") == {
        "Admin",
        "Ana",
        "Carla",
        "Maria",
        "Sam",
    }


def test_filtering_by_an_owner_the_user_may_not_see_shows_nothing(client_for, org, north_records):
    response = client_for("carla").get(reverse("contacts:list"), {"owner": org["ana"].pk})

    assert response.status_code == 200
    assert "Secretname" not in response.content.decode()


# ---- agendas -------------------------------------------------------------------------------


def test_an_agenda_counts_only_the_action_items_its_reader_may_see(client_for, org, north_records):
    set_policy(activity_see="own")
    agenda = Agenda.objects.create(title="North weekly", owner=org["maria"], team=org["ana"].team)
    meeting = Meeting.objects.create(agenda=agenda, started_by=org["maria"])
    MeetingActionItem.objects.create(meeting=meeting, activity=north_records["activity"])
    bens = ActivityFactory(kind="task", owner=org["ben"], done=True)
    MeetingActionItem.objects.create(meeting=meeting, activity=bens)

    def counts(role):
        body = page(client_for(role), "reports:meetings:agenda", agenda.pk)
        row = body.rsplit(meeting.get_absolute_url(), 1)[1].split("</tr>", 1)[0]  # the table
        return [cell.split("<", 1)[0] for cell in row.split('<td class="num">')[1:]]

    assert counts("ben") == ["1", "1"]  # his own task, done; not ana's call
    assert counts("maria") == ["2", "1"]


# ---- the report command ----------------------------------------------------------------------


def test_the_report_command_refuses_a_report_outside_the_user_s_audience(north_records):
    with pytest.raises(CommandError, match="ben may not open the report 'forecast'"):
        call_command("report", "forecast", "--user", "ben", stdout=StringIO())


def test_the_report_command_counts_only_what_the_policy_lets_the_user_see(north_records):
    def deals(username):
        out = StringIO()
        call_command("report", "pipeline", "--user", username, stdout=out)
        return json.loads(out.getvalue())["totals"]["count"]

    assert deals("ben") == 1
    set_policy(deal_see="own")
    assert deals("ben") == 0
    assert deals("maria") == 1
