"""Meeting mode: agendas, running one page at a time, action items that become tasks, notes,
and the next run opening with the last one's items and what changed in between.

maria manages North and owns the agenda; ana and ben (North) read along; carla and sam (South)
must not learn that it exists.
"""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from deals.services import deal_move_stage
from reports.models import Agenda, AgendaSection, Meeting, MeetingActionItem
from tests.factories import ActivityFactory, DealFactory, PipelineFactory

HX = {"HX-Request": "true"}
TITLE = "Weekly pipeline review, team North"


@pytest.fixture
def north(org):
    return org["maria"].team


@pytest.fixture
def agenda(org, north):
    agenda = Agenda.objects.create(title=TITLE, owner=org["maria"], team=north)
    AgendaSection.objects.create(agenda=agenda, order=0, report_slug="pipeline", query="")
    AgendaSection.objects.create(agenda=agenda, order=1, report_slug="forecast", query="")
    AgendaSection.objects.create(
        agenda=agenda, order=2, report_slug="pipeline", query=f"team={north.pk}", walk_through=True
    )
    return agenda


@pytest.fixture
def meeting(agenda, org):
    return Meeting.objects.create(agenda=agenda, started_by=org["maria"])


def url(name, *args):
    return reverse(f"reports:meetings:{name}", args=args)


def stage(body: str) -> str:
    return body.split('id="stage"', 1)[1].split("</section>\n", 1)[0]


def item_data(org, text="Call Nordwind about the rollout", assignee="ana", days=3, p="1"):
    due = timezone.localdate() + timedelta(days=days)
    return {"text": text, "assignee": org[assignee].pk, "due": due.isoformat(), "p": p}


def agenda_post(title, sections, team=""):
    data = {
        "title": title,
        "team": team,
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, (slug, query, order, walk) in enumerate(sections):
        data |= {
            f"sections-{i}-report_slug": slug,
            f"sections-{i}-query": query,
            f"sections-{i}-ORDER": str(order),
        }
        if walk:
            data[f"sections-{i}-walk_through"] = "on"
    return data


# ---- agendas -------------------------------------------------------------------------------


def test_a_manager_creates_an_agenda_with_ordered_sections(client_for, org, north):
    client = client_for("maria")
    sections = [
        ("forecast", f"team={north.pk}", 2, False),
        ("pipeline", f"?team={north.pk}&pipeline=", 1, True),
    ]

    response = client.post(url("agenda-create"), agenda_post(TITLE, sections, north.pk))

    agenda = Agenda.objects.get()
    assert response.status_code == 302
    assert response.url == url("agenda", agenda.pk)
    assert (agenda.title, agenda.owner, agenda.team) == (TITLE, org["maria"], north)
    assert [(s.order, s.report_slug, s.query, s.walk_through) for s in agenda.sections.all()] == [
        (0, "pipeline", f"team={north.pk}&pipeline=", True),
        (1, "forecast", f"team={north.pk}", False),
    ]
    page = client.get(response.url).content.decode()
    assert page.index("Pipeline") < page.index("Forecast")
    assert "Run meeting" in page


def test_an_agenda_section_filtered_by_another_team_is_refused(client_for, org, north):
    south = org["sam"].team
    data = agenda_post(TITLE, [("pipeline", f"team={south.pk}", 1, False)], north.pk)

    response = client_for("maria").post(url("agenda-create"), data, headers=HX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "These filters are not valid" in body and 'id="agenda-form"' in body
    assert 'class="topbar"' not in body
    assert not Agenda.objects.exists()


def test_a_walk_through_needs_a_report_filtered_by_rep_and_a_team(client_for, org):
    data = agenda_post(TITLE, [("pipeline", "", 1, True)])

    response = client_for("maria").post(url("agenda-create"), data)

    assert response.status_code == 200
    assert "to walk through its reps" in response.content.decode()
    assert not Agenda.objects.exists()


def test_reps_may_not_make_agendas(client_for, org):
    client = client_for("ana")

    assert client.get(url("agenda-create")).status_code == 403
    assert client.post(url("agenda-create"), agenda_post(TITLE, [])).status_code == 403
    assert not Agenda.objects.exists()


def test_the_agenda_list_shows_each_user_the_agendas_they_may_see(client_for, agenda, org):
    Agenda.objects.create(title="South forecast call", owner=org["sam"], team=org["sam"].team)

    for who, sees, hides in [
        ("maria", TITLE, "South forecast call"),
        ("ben", TITLE, "South forecast call"),
        ("sam", "South forecast call", TITLE),
        ("carla", "South forecast call", TITLE),
    ]:
        body = client_for(who).get(url("agendas")).content.decode()
        assert sees in body and hides not in body, who
    admin = client_for("admin").get(url("agendas")).content.decode()
    assert TITLE in admin and "South forecast call" in admin


def test_editing_an_agenda_reorders_and_removes_sections(client_for, agenda):
    first, second, third = agenda.sections.all()
    data = {
        "title": "Renamed review",
        "team": agenda.team_id,
        "version": agenda.version,
        "sections-TOTAL_FORMS": "3",
        "sections-INITIAL_FORMS": "3",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, (section, order) in enumerate([(first, 2), (second, 1), (third, 3)]):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-report_slug": section.report_slug,
            f"sections-{i}-query": section.query,
            f"sections-{i}-ORDER": order,
        }
    data["sections-2-DELETE"] = "on"

    response = client_for("maria").post(url("agenda-edit", agenda.pk), data)

    assert response.status_code == 302
    agenda.refresh_from_db()
    assert agenda.title == "Renamed review"
    assert [s.pk for s in agenda.sections.all()] == [second.pk, first.pk]


def test_an_agenda_saved_over_someone_elses_newer_version_stops_once(client_for, agenda, org):
    data = {"title": "Mine", "team": agenda.team_id, "version": agenda.version}
    data |= {
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    theirs = Agenda.objects.get(pk=agenda.pk)
    theirs.title = "Theirs"
    theirs.save()
    client = client_for("maria")

    stopped = client.post(url("agenda-edit", agenda.pk), data)

    assert stopped.status_code == 200
    assert "Someone changed this agenda after you opened it." in stopped.content.decode()
    assert Agenda.objects.get(pk=agenda.pk).title == "Theirs"
    again = client.post(url("agenda-edit", agenda.pk), data | {"version": theirs.version})
    assert again.status_code == 302
    assert Agenda.objects.get(pk=agenda.pk).title == "Mine"


# ---- running a meeting ---------------------------------------------------------------------


def test_running_an_agenda_starts_a_meeting_and_opens_its_first_page(client_for, agenda, org):
    response = client_for("maria").post(url("agenda-run", agenda.pk))

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == url("meeting", meeting.pk)
    assert (meeting.agenda, meeting.started_by) == (agenda, org["maria"])
    assert timezone.now() - meeting.started_at < timedelta(minutes=1)


def test_the_agenda_offers_to_continue_a_meeting_started_today(client_for, agenda, org):
    Meeting.objects.create(
        agenda=agenda, started_by=org["maria"], started_at=timezone.now() - timedelta(days=7)
    )
    before = client_for("maria").get(url("agenda", agenda.pk)).content.decode()
    today = Meeting.objects.create(agenda=agenda, started_by=org["maria"])

    after = client_for("maria").get(url("agenda", agenda.pk)).content.decode()

    assert "Continue today" not in before and ">Run meeting<" in before
    assert f'href="{url("meeting", today.pk)}">Continue today' in after
    assert ">Run a new meeting<" in after


def test_the_run_page_shows_one_section_at_a_time_and_its_position(
    client_for, meeting, north_records
):
    client = client_for("maria")

    first = client.get(url("meeting", meeting.pk) + "?p=2").content.decode()
    second = client.get(url("meeting", meeting.pk) + "?p=3").content.decode()

    # since the agenda was made, pipeline, forecast, then one page each for ana and ben
    assert "2 of 5" in stage(first) and "3 of 5" in stage(second)
    assert 'class="meeting projector"' in first
    assert 'id="report-pipeline"' in stage(first) and 'id="report-forecast"' not in first
    assert 'id="report-forecast"' in stage(second) and 'id="report-pipeline"' not in second
    page_url = url("meeting", meeting.pk)
    assert f'rel="next" href="{page_url}?p=4"' in second
    assert f'rel="prev" href="{page_url}?p=2"' in second
    assert 'id="action-items"' in first and 'name="notes"' in first


def test_paging_with_htmx_swaps_only_the_stage(client_for, meeting, north_records):
    response = client_for("maria").get(url("meeting", meeting.pk) + "?p=3", headers=HX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="stage"')
    assert "3 of 5" in body and 'id="report-forecast"' in body
    assert "<html" not in body and 'class="topbar"' not in body and 'id="action-items"' not in body
    assert "HX-Request" in response.headers["Vary"]


def test_a_page_out_of_range_shows_the_nearest_page(client_for, meeting, north_records):
    body = client_for("maria").get(url("meeting", meeting.pk) + "?p=99").content.decode()

    assert "5 of 5" in stage(body) and "End of the agenda" in stage(body)


def test_the_walk_through_shows_each_rep_in_turn_with_only_their_deals(
    client_for, meeting, org, north_records
):
    DealFactory(title="Bens big deal", owner=org["ben"], stage=north_records["stage"])
    client = client_for("maria")

    ana = stage(client.get(url("meeting", meeting.pk) + "?p=4").content.decode())
    ben = stage(client.get(url("meeting", meeting.pk) + "?p=5").content.decode())

    assert "Pipeline: Ana" in ana and f'data-assignee="{org["ana"].pk}"' in ana
    assert "Pipeline: Ben" in ben
    # One open deal each, at the same stage: the drill-down links carry the rep.
    assert f"owner={org['ana'].pk}" in ana and f"owner={org['ben'].pk}" not in ana
    assert f"owner={org['ben'].pk}" in ben


# ---- action items and notes ----------------------------------------------------------------


def test_an_action_item_typed_inline_becomes_a_task_for_the_rep(client_for, meeting, org):
    data = item_data(org, assignee="ana", days=3)

    response = client_for("maria").post(url("item-add", meeting.pk), data, headers=HX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="action-items"')
    assert "Call Nordwind about the rollout" in body and "<html" not in body
    assert 'value=""' not in body.split('name="text"')[0][-5:]  # a fresh, empty text field
    assert "autofocus" in body.split('name="text"', 1)[1].split(">", 1)[0]
    task = Activity.objects.get(meeting_items__meeting=meeting)
    assert task.kind == Activity.Kind.TASK and not task.done
    assert task.subject == "Call Nordwind about the rollout"
    assert task.owner == org["ana"] and task.created_by == org["maria"]
    assert timezone.localtime(task.occurs_at).date() == timezone.localdate() + timedelta(days=3)
    assert task.version == 1  # made by record_create: stamped, versioned, in its history
    assert [h.history_user for h in task.history.all()] == [org["maria"]]
    assert MeetingActionItem.objects.filter(meeting=meeting, activity=task).exists()


def test_an_action_item_without_javascript_goes_back_to_the_same_page(client_for, meeting, org):
    response = client_for("maria").post(url("item-add", meeting.pk), item_data(org, p="2"))

    assert response.status_code == 302
    assert response.url == url("meeting", meeting.pk) + "?p=2"
    assert Activity.objects.filter(kind="task", owner=org["ana"]).count() == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"text": "   "}, "This field is required."),
        ({"assignee": "carla"}, "Select a valid choice."),
        ({"due": "someday"}, "Enter a valid date."),
    ],
    ids=["no-text", "foreign-assignee", "bad-due"],
)
def test_an_invalid_action_item_is_shown_again_with_its_error(
    client_for, meeting, org, change, error, htmx
):
    data = item_data(org, text="Keep what I typed")
    if "assignee" in change:
        data["assignee"] = org[change["assignee"]].pk
    else:
        data |= change

    response = client_for("maria").post(
        url("item-add", meeting.pk), data, headers=HX if htmx else {}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert error in body
    assert ("<html" in body) is not htmx
    if "text" not in change:
        assert 'value="Keep what I typed"' in body
    assert not Activity.objects.filter(kind="task").exists()
    assert not MeetingActionItem.objects.exists()


def test_the_assignee_choices_are_whom_the_manager_may_assign_to(client_for, meeting, org):
    body = client_for("maria").get(url("meeting", meeting.pk)).content.decode()
    choices = body.split('name="assignee"', 1)[1].split("</select>", 1)[0]

    for name in ("Ana", "Ben", "Maria"):
        assert f">{name}</option>" in choices
    for name in ("Carla", "Sam", "Admin"):
        assert f">{name}</option>" not in choices


def test_notes_are_saved_as_they_are_typed(client_for, meeting):
    response = client_for("maria").post(
        url("notes", meeting.pk),
        {"notes": "Push Nordwind to close.", "version": meeting.version, "base": ""},
        headers=HX,
    )

    meeting.refresh_from_db()
    assert response.status_code == 200
    assert response.content.decode().startswith('<span id="notes-status"')
    assert "Saved at" in response.content.decode()
    assert meeting.notes == "Push Nordwind to close."
    assert meeting.notes_updated_at is not None


def test_notes_without_javascript_are_saved_by_the_button(client_for, meeting):
    response = client_for("maria").post(
        url("notes", meeting.pk), {"notes": "Plain", "p": "3", "version": meeting.version}
    )

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert response.url == url("meeting", meeting.pk) + "?p=3"
    assert meeting.notes == "Plain"
    body = client_for("maria").get(response.url).content.decode()
    assert "Plain</textarea>" in body


# ---- the next meeting ----------------------------------------------------------------------


def test_the_next_meeting_opens_with_the_last_items_their_state_and_what_changed(
    client_for, agenda, org, north_records
):
    client = client_for("maria")
    DealFactory(title="Quiet deal", owner=org["ana"], stage=north_records["stage"])
    client.post(url("agenda-run", agenda.pk))
    first = Meeting.objects.get()
    client.post(url("item-add", first.pk), item_data(org, "Send Nordwind the contract", "ana"))
    client.post(url("item-add", first.pk), item_data(org, "Book the demo", "ben"))
    client.post(url("notes", first.pk), {"notes": "Nordwind is close.", "version": 1})
    contract = Activity.objects.get(subject="Send Nordwind the contract")

    # Between the meetings: ana ticks her item done and moves the deal.
    ticked = client.post(
        url("item-done", first.pk, contract.pk), {"done": "true", "version": 1}, headers=HX
    )
    deal_move_stage(deal=north_records["deal"], stage=north_records["other_stage"], by=org["ana"])

    response = client.post(url("agenda-run", agenda.pk))
    second = Meeting.objects.latest("started_at")
    body = client.get(response.url).content.decode()

    assert ticked.status_code == 200 and 'class="item done"' in ticked.content.decode()
    # and the count of that meeting's items done, wherever it is shown, out of band
    oob = ticked.content.decode().split(f'id="done-count-{first.pk}"', 1)[1].split("</span>")[0]
    assert 'hx-swap-oob="true"' in oob and "1 of 2 done" in oob
    assert second != first and response.url == url("meeting", second.pk)
    since = stage(body)
    assert "Since the last meeting" in since and "1 of 5" in since
    previous = since.split('id="previous-items"', 1)[1].split("</ol>", 1)[0]
    assert "1 of 2 done" in since
    done, still_open = previous.split('<li class="item')[1:]
    assert "Send Nordwind the contract" in done and "Done</span>" in done
    assert "Book the demo" in still_open
    assert "Open</span>" in still_open and "Done</span>" not in still_open
    changes = since.split('id="changes"', 1)[1].split("</table>", 1)[0]
    assert "Nordwind rollout" in changes and "Quiet deal" not in changes
    assert "No action items yet." in body.split('id="action-items"', 1)[1]  # the new meeting's


def _old_deal(title, owner, stage, days_ago=30):
    """A deal made `days_ago` days ago (its creation in the history dated then)."""
    deal = DealFactory.build(title=title, owner=owner, created_by=owner, stage=stage)
    deal._history_date = timezone.now() - timedelta(days=days_ago)
    deal._history_user = owner
    deal.save()
    return deal


def _changed(deal, days_ago, stage, by):
    """Move a deal as if `days_ago` days ago (its history row is dated then)."""
    deal.stage = stage
    deal._history_date = timezone.now() - timedelta(days=days_ago)
    deal._history_user = by
    deal.save()


def test_the_first_meeting_opens_with_the_changes_since_the_agenda_was_made(
    client_for, agenda, org, north_records
):
    """An agenda made 20 days ago: its first run shows the 20 days, not only the last week."""
    Agenda.objects.filter(pk=agenda.pk).update(created_at=timezone.now() - timedelta(days=20))
    old = _old_deal("Moved before the agenda", org["ana"], north_records["stage"])
    early = _old_deal("Moved after the agenda", org["ana"], north_records["stage"])
    _changed(old, 25, north_records["other_stage"], org["ana"])
    _changed(early, 15, north_records["other_stage"], org["ana"])
    client = client_for("maria")

    response = client.post(url("agenda-run", agenda.pk))
    body = stage(client.get(response.url).content.decode())

    assert "Since the agenda was made" in body and "1 of 5" in body
    assert "Since the last meeting" not in body and 'id="previous-items"' not in body
    changes = body.split('id="changes"', 1)[1].split("</table>", 1)[0]
    assert "Moved after the agenda" in changes and "Moved before the agenda" not in changes
    since = (timezone.localdate() - timedelta(days=20)).isoformat()
    assert f"?since={since}&amp;team={agenda.team_id}" in body  # the whole list, same period


def test_the_first_meeting_of_a_new_agenda_shows_the_last_seven_days(
    client_for, agenda, org, north_records
):
    """Made just now: "since it was made" would be empty, so the page looks back a week."""
    recent = _old_deal("Moved five days ago", org["ana"], north_records["stage"])
    stale = _old_deal("Moved ten days ago", org["ana"], north_records["stage"])
    _changed(recent, 5, north_records["other_stage"], org["ana"])
    _changed(stale, 10, north_records["other_stage"], org["ana"])
    client = client_for("maria")

    response = client.post(url("agenda-run", agenda.pk))
    body = stage(client.get(response.url).content.decode())

    changes = body.split('id="changes"', 1)[1].split("</table>", 1)[0]
    assert "Moved five days ago" in changes and "Moved ten days ago" not in changes
    assert 'rel="next"' in body and "Pipeline →" in body  # then the agenda's first section


def test_ticking_an_item_done_without_javascript_goes_back(client_for, meeting, org):
    task = ActivityFactory(kind="task", subject="Tick me", owner=org["ana"])
    MeetingActionItem.objects.create(meeting=meeting, activity=task)
    back = url("meeting", meeting.pk) + "?p=2"

    response = client_for("maria").post(
        url("item-done", meeting.pk, task.pk), {"next": back, "done": "true", "version": 1}
    )

    task.refresh_from_db()
    assert response.status_code == 302 and response.url == back
    assert task.done and task.done_at is not None


# ---- visibility ----------------------------------------------------------------------------


def _meeting_urls(agenda, meeting, task):
    return {
        "agenda": ("get", url("agenda", agenda.pk)),
        "agenda-edit": ("get", url("agenda-edit", agenda.pk)),
        "agenda-run": ("post", url("agenda-run", agenda.pk)),
        "meeting": ("get", url("meeting", meeting.pk)),
        "meeting-htmx": ("get", url("meeting", meeting.pk) + "?p=2"),
        "item-add": ("post", url("item-add", meeting.pk)),
        "item-done": ("post", url("item-done", meeting.pk, task.pk)),
        "notes": ("post", url("notes", meeting.pk)),
    }


@pytest.mark.parametrize("who", ["carla", "sam"])
def test_another_team_gets_404_on_every_meeting_url_and_changes_nothing(
    client_for, agenda, meeting, org, who
):
    task = ActivityFactory(kind="task", subject="Secret item", owner=org["ana"])
    MeetingActionItem.objects.create(meeting=meeting, activity=task)
    client = client_for(who)

    for name, (method, address) in _meeting_urls(agenda, meeting, task).items():
        response = getattr(client, method)(address, item_data(org) if method == "post" else {})
        assert response.status_code == 404, name
        assert TITLE not in response.content.decode()
    assert Meeting.objects.count() == 1 and MeetingActionItem.objects.count() == 1
    task.refresh_from_db()
    assert not task.done


def test_a_rep_of_the_team_reads_along_but_gets_403_on_every_write(
    client_for, agenda, meeting, org
):
    task = ActivityFactory(kind="task", subject="Ana's item", owner=org["ana"])
    MeetingActionItem.objects.create(meeting=meeting, activity=task)
    meeting.notes = "Read-only notes"
    meeting.save()
    client = client_for("ben")
    expected = {"agenda": 200, "meeting": 200, "meeting-htmx": 200}

    for name, (method, address) in _meeting_urls(agenda, meeting, task).items():
        response = getattr(client, method)(address, item_data(org) if method == "post" else {})
        assert response.status_code == expected.get(name, 403), name

    body = client.get(url("meeting", meeting.pk)).content.decode()
    assert "Ana&#x27;s item" in body and "Read-only notes" in body
    assert 'name="text"' not in body and "<textarea" not in body and "Run meeting" not in body
    assert Meeting.objects.count() == 1 and MeetingActionItem.objects.count() == 1


def test_a_rep_may_tick_their_own_action_item_done(client_for, meeting, org):
    task = ActivityFactory(kind="task", subject="Mine", owner=org["ana"])
    MeetingActionItem.objects.create(meeting=meeting, activity=task)

    response = client_for("ana").post(
        url("item-done", meeting.pk, task.pk), {"done": "true", "version": 1}, headers=HX
    )

    task.refresh_from_db()
    assert response.status_code == 200 and task.done


def test_an_item_of_another_meeting_is_not_found_through_this_one(client_for, agenda, org):
    one = Meeting.objects.create(agenda=agenda, started_by=org["maria"])
    other = Meeting.objects.create(agenda=agenda, started_by=org["maria"])
    task = ActivityFactory(kind="task", subject="Elsewhere", owner=org["ana"])
    MeetingActionItem.objects.create(meeting=other, activity=task)

    response = client_for("maria").post(url("item-done", one.pk, task.pk))

    assert response.status_code == 404


def test_the_admin_sees_and_runs_every_agenda(client_for, agenda):
    client = client_for("admin")

    assert client.get(url("agenda", agenda.pk)).status_code == 200
    assert client.post(url("agenda-run", agenda.pk)).status_code == 302


# ---- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 20])
def test_the_run_page_reads_a_constant_number_of_queries(
    client_for, agenda, org, north_records, django_assert_num_queries, n
):
    previous = Meeting.objects.create(
        agenda=agenda, started_by=org["maria"], started_at=timezone.now() - timedelta(days=7)
    )
    current = Meeting.objects.create(agenda=agenda, started_by=org["maria"])
    owners = [org["ana"], org["ben"], org["maria"]]
    for meeting in (previous, current):
        for i in range(n):
            task = ActivityFactory(
                kind="task",
                subject=f"Item {meeting.pk}-{i}",
                owner=owners[i % 3],
                done=i % 2 == 0,
                deal=north_records["deal"],
                company=north_records["company"],
            )
            MeetingActionItem.objects.create(meeting=meeting, activity=task)
    for i in range(n):
        DealFactory(title=f"Moved deal {i}", owner=owners[i % 3], stage=north_records["stage"])
    client = client_for("maria")

    with django_assert_num_queries(13):
        response = client.get(url("meeting", current.pk))

    body = response.content.decode()
    assert response.status_code == 200
    since = stage(body)
    assert since.split('id="previous-items"')[1].split("</ol>")[0].count('<li class="item') == n
    assert body.split('id="items"')[1].split("</ol>")[0].count('<li class="item') == n
    assert since.split('id="changes"')[1].count("Moved deal") == n


# ---- setting a meeting up from the reports -------------------------------------------------


def test_every_report_page_and_dashboard_section_offers_add_to_a_meeting_with_its_filters(
    client_for, org, north
):
    client = client_for("maria")
    filters = {"team": north.pk, "period": "this-week"}

    page = client.get(reverse("reports:detail", args=["activity"]), filters).content.decode()
    section = client.get(
        reverse("reports:section", args=["pipeline"]), {"team": north.pk}, headers=HX
    ).content.decode()

    link = re.search(r'<a class="add-to-meeting" href="([^"]+)">Add to a meeting</a>', page)
    assert link, "the report page offers it"
    target = html.unescape(link.group(1))
    assert target.startswith(url("section-add") + "?report=activity&query=")
    asked = client.get(target).content.decode()
    # The filters on screen, in words: the team by name, the period as chosen (not its dates).
    assert "team North · this week" in asked
    assert "Add to a meeting" in section and "report=pipeline" in section


def test_reps_are_not_offered_add_to_a_meeting_and_may_not_use_it(client_for, org, north):
    client = client_for("ana")
    page = client.get(reverse("reports:detail", args=["pipeline"])).content.decode()

    assert "Add to a meeting" not in page
    response = client.get(url("section-add"), {"report": "pipeline"})
    assert response.status_code == 403


def test_adding_a_report_to_an_agenda_puts_it_last_with_the_filters_on_screen(
    client_for, agenda, north
):
    version = agenda.version
    response = client_for("maria").post(
        url("section-add"),
        {
            "report": "activity",
            "query": f"team={north.pk}&period=this-week&start=2026-01-05&end=2026-01-11&p=3",
            "agenda": agenda.pk,
        },
    )

    assert response.status_code == 302 and response.url == url("agenda-edit", agenda.pk)
    agenda.refresh_from_db()
    last = agenda.sections.last()
    # a period, not the dates it means this week; nothing the report does not take
    assert (last.report_slug, last.query, last.order) == (
        "activity",
        f"team={north.pk}&period=this-week",
        3,
    )
    assert agenda.sections.count() == 4
    assert agenda.version == version + 1  # an editor opened before stops once, loses nothing


def test_adding_a_report_to_a_new_agenda_makes_it_for_my_team(client_for, org, north):
    response = client_for("maria").post(
        url("section-add"),
        {"report": "pipeline", "query": f"team={north.pk}", "title": "Monday review"},
        headers=HX,
    )

    agenda = Agenda.objects.get(title="Monday review")
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("agenda-edit", agenda.pk)
    assert (agenda.owner, agenda.team) == (org["maria"], north)
    assert [(s.report_slug, s.query) for s in agenda.sections.all()] == [
        ("pipeline", f"team={north.pk}")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose an agenda, or name a new one."),
        ({"title": "Both", "agenda": "AGENDA"}, "not both"),
        ({"agenda": "999999"}, "Select a valid choice"),
    ],
    ids=["neither", "both", "foreign"],
)
def test_adding_to_a_meeting_without_a_clear_choice_says_why(client_for, agenda, data, message):
    data = {k: (agenda.pk if v == "AGENDA" else v) for k, v in data.items()}
    response = client_for("maria").post(
        url("section-add"), {"report": "pipeline", **data}, headers=HX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and "<html" not in body and 'id="add-to-meeting"' in body
    assert agenda.sections.count() == 3


def test_another_teams_manager_cannot_add_to_our_agenda(client_for, agenda):
    client = client_for("sam")
    asked = client.get(url("section-add"), {"report": "pipeline"}).content.decode()
    response = client.post(url("section-add"), {"report": "pipeline", "agenda": agenda.pk})

    assert TITLE not in asked
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert agenda.sections.count() == 3


def test_an_unknown_report_is_not_found(client_for, org):
    response = client_for("maria").get(url("section-add"), {"report": "<nope>"})
    assert response.status_code == 404


def test_the_agenda_shows_each_sections_filters_in_words(client_for, agenda, north, org):
    pipeline = PipelineFactory(name="Sales")
    AgendaSection.objects.create(
        agenda=agenda,
        order=3,
        report_slug="pipeline",
        query=f"team={north.pk}&pipeline={pipeline.pk}&owner={org['ana'].pk}",
    )
    client = client_for("maria")

    shown = client.get(url("agenda", agenda.pk)).content.decode()
    editor = client.get(url("agenda-edit", agenda.pk)).content.decode()

    ana = str(org["ana"])
    for body in (shown, editor):
        assert f"team North · rep {ana} · pipeline Sales" in body
        assert "no filters (as the report opens)" in body
    assert f"<code>team={north.pk}" not in shown


def test_an_agenda_takes_any_number_of_sections_in_the_order_given(client_for, north):
    sections = [("pipeline", "", order, False) for order in (5, 4, 3, 2, 1)]
    sections += [("forecast", f"team={north.pk}", 6, False), ("activity", "", 7, False)]

    client_for("maria").post(url("agenda-create"), agenda_post("Long one", sections, north.pk))

    agenda = Agenda.objects.get(title="Long one")
    assert [s.report_slug for s in agenda.sections.all()] == ["pipeline"] * 5 + [
        "forecast",
        "activity",
    ]
    assert [s.order for s in agenda.sections.all()] == list(range(7))


@pytest.mark.parametrize("n", [1, 20])
def test_the_agenda_names_its_sections_filters_in_a_constant_number_of_queries(
    client_for, org, north, django_assert_num_queries, n
):
    """Team, rep and pipeline names: one query each for all sections together."""
    agenda = Agenda.objects.create(title=TITLE, owner=org["maria"], team=north)
    pipelines = [PipelineFactory(name=f"Line {i}") for i in range(3)]
    reps = [org["ana"], org["ben"], org["maria"]]
    for i in range(n):
        AgendaSection.objects.create(
            agenda=agenda,
            order=i,
            report_slug="pipeline",
            query=f"team={north.pk}&owner={reps[i % 3].pk}&pipeline={pipelines[i % 3].pk}",
        )
    client = client_for("maria")

    with django_assert_num_queries(9):
        response = client.get(url("agenda", agenda.pk))

    body = response.content.decode()
    assert body.count('class="filters-in-words">team North · rep ') == n
    assert "pipeline Line 0" in body and "a team you cannot see" not in body


def test_the_action_item_form_asks_for_a_person_in_words(client_for, meeting):
    body = client_for("maria").get(url("meeting", meeting.pk) + "?p=2").content.decode()

    assert "Choose who" in body
    assert "---------" not in body
