"""No 500 on hostile input (issue 12, "What was seen" 6): each reproduction, then what it gets now.

Dates outside what Python or the database can hold (`0001-01-01`, `9999-12-31`, year 10000) are
refused by every form and filter with one message (crm/dates.py), and change nothing. Ids and page
numbers beyond 64 bits are 404 or the first page. A `next` is only ever a local path. An agenda
section's filters are checked when saved, and a bad one saved before that still lets the meeting
page render, with the section's error. tests/test_fuzz.py sends junk to every URL pattern.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from crm import dates
from crm.converters import is_id
from crm.crud import safe_next
from crm.templatetags.huddle import undo_move
from deals.models import Deal
from reports.models import Agenda, AgendaSection, Meeting

OUT_OF_RANGE = "Enter a date between 1900 and 2200."
EDGE_DAYS = ["0001-01-01", "9999-12-31", "10000-01-01", "1899-12-31", "2201-01-01"]
EDGE_MOMENTS = ["0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", "1899-12-31T23:59"]
HUGE = "99999999999999999999999"
HX = {"HX-Request": "true"}


@pytest.fixture
def strict_client():
    """A client that hands back a 500 as a response instead of raising: a 500 is the bug."""
    return Client(raise_request_exception=False)


@pytest.fixture
def as_user(strict_client, org):
    def login(username):
        strict_client.force_login(org[username])
        return strict_client

    return login


def page_text(response) -> str:
    return response.content.decode()


# ---- the one rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (date(1900, 1, 1), True),
        (date(2200, 12, 31), True),
        (date(1899, 12, 31), False),
        (date(2201, 1, 1), False),
        (date(1, 1, 1), False),
        (date(9999, 12, 31), False),
        (datetime(9999, 12, 31, 23, 59), False),
        (timezone.make_aware(datetime(2030, 1, 7, 10, 0)), True),
    ],
)
def test_the_date_rule_takes_1900_to_2200_dates_and_datetimes(value, ok):
    if ok:
        dates.validate_date_in_range(value)
    else:
        with pytest.raises(ValidationError, match=OUT_OF_RANGE):
            dates.validate_date_in_range(value)


@pytest.mark.parametrize("typed", ["10000-01-01", "99999-12-31", "0001-01-01", "9999-12-31"])
def test_the_date_field_says_the_range_even_for_a_year_too_long_to_parse(typed):
    with pytest.raises(ValidationError) as refused:
        dates.DateField().clean(typed)

    assert refused.value.messages == [OUT_OF_RANGE]


def test_a_date_that_is_merely_malformed_keeps_the_usual_message():
    with pytest.raises(ValidationError) as refused:
        dates.DateField().clean("next tuesday")

    assert refused.value.messages == ["Enter a valid date."]


def test_the_models_carry_the_rule_so_admin_and_inline_edits_check_it_too(north_records):
    deal, activity = north_records["deal"], north_records["activity"]
    deal.expected_close = date(9999, 12, 31)
    activity.occurs_at = timezone.make_aware(datetime(1, 1, 2))

    with pytest.raises(ValidationError) as deal_refused:
        deal.full_clean()
    with pytest.raises(ValidationError) as activity_refused:
        activity.full_clean()

    assert deal_refused.value.message_dict["expected_close"] == [OUT_OF_RANGE]
    assert activity_refused.value.message_dict["occurs_at"] == [OUT_OF_RANGE]


# ---- report filters, sections, drill rows, exports ------------------------------------------

DATED_REPORTS = [
    ("activity", "start"),
    ("activity", "end"),
    ("win-rate", "end"),
    ("adoption", "start"),
    ("slipped-deals", "start"),
    ("leaderboard", "end"),
    ("changes", "since"),
]


@pytest.mark.parametrize(("slug", "param"), DATED_REPORTS)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "10000-01-01"])
def test_a_report_refuses_a_date_outside_the_range_and_runs_on_its_defaults(
    slug, param, value, as_user, north_records
):
    response = as_user("admin").get(reverse("reports:detail", args=[slug]), {param: value})

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert "Showing the defaults." in page_text(response)


@pytest.mark.parametrize("view", ["reports:section", "reports:drill", "reports:fix"])
def test_a_report_section_drill_and_fix_list_take_no_edge_dates_either(
    view, as_user, north_records
):
    slug = "forecast" if view == "reports:fix" else "activity"
    query = {"start": "0001-01-01", "end": "9999-12-31"}

    response = as_user("admin").get(reverse(view, args=[slug]), query)

    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_edge_dates_exports_the_defaults(fmt, as_user, north_records):
    url = reverse("reports:export", args=["win-rate", fmt])

    response = as_user("admin").get(url, {"start": "0001-01-01", "end": "9999-12-31"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="huddle-win-rate.{fmt}"'


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27", "1899-12-25"])
def test_a_drill_row_naming_a_week_outside_the_range_is_no_figure(
    week, as_user, org, north_records
):
    query = {"row": f"{org['ana'].pk}:{week}", "col": "total"}

    response = as_user("admin").get(reverse("reports:drill", args=["activity"]), query)

    assert response.status_code == 404


# ---- activities, next steps, action items ----------------------------------------------------


def _activity_data(**overrides):
    return {
        "kind": "task",
        "subject": "Hostile date",
        "occurs_at": "2030-01-15T10:00",
        "contacts": [],
        "company": "",
        "deal": "",
        "owner": "",
        "body": "",
    } | overrides


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_creating_an_activity_at_an_edge_date_is_refused_and_creates_nothing(
    moment, as_user, org, north_records
):
    before = Activity.all_objects.count()
    data = _activity_data(occurs_at=moment, owner=org["ana"].pk)

    response = as_user("ana").post(reverse("contacts:activity-create"), data)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Activity.all_objects.count() == before


@pytest.mark.parametrize("moment", ["0001-01-01T00:30", "9999-12-31T23:59"])
def test_editing_an_activity_to_an_edge_date_is_refused_and_changes_nothing(
    moment, as_user, org, north_records
):
    activity = north_records["activity"]
    data = _activity_data(
        kind=activity.kind,
        subject=activity.subject,
        occurs_at=moment,
        owner=activity.owner_id,
        version=activity.version,
    )

    response = as_user("ana").post(reverse("contacts:activity-edit", args=[activity.pk]), data)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    activity.refresh_from_db()
    assert (activity.occurs_at, activity.version) == (north_records["activity"].occurs_at, 1)


@pytest.mark.parametrize("due", EDGE_DAYS)
def test_a_next_step_due_at_an_edge_date_is_refused_and_adds_no_task(due, as_user, north_records):
    done = north_records["activity"]
    before = Activity.all_objects.count()
    url = reverse("contacts:activity-next", args=[done.pk])

    response = as_user("ana").post(url, {"subject": "Follow up", "due": due}, headers=HX)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Activity.all_objects.count() == before


def test_a_plain_next_step_post_with_an_edge_date_goes_back_saying_why(as_user, north_records):
    done = north_records["activity"]
    client = as_user("ana")
    url = reverse("contacts:activity-next", args=[done.pk])

    response = client.post(url, {"subject": "Follow up", "due": "9999-12-31"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(done.get_absolute_url(), 302)]
    assert "Not added: " + OUT_OF_RANGE in page_text(response)


@pytest.mark.parametrize("key", ["task", "meeting"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_quick_add_of_a_task_or_meeting_at_an_edge_date_is_refused(
    key, moment, as_user, north_records
):
    before = Activity.all_objects.count()
    url = reverse("quick-add-form", args=[key])

    response = as_user("ana").post(url, {"subject": "Hostile", "occurs_at": moment}, headers=HX)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Activity.all_objects.count() == before


@pytest.fixture
def meeting(org, north_records):
    north = org["ana"].team
    agenda = Agenda.objects.create(title="North weekly", owner=org["maria"], team=north)
    AgendaSection.objects.create(agenda=agenda, report_slug="pipeline", query=f"team={north.pk}")
    return Meeting.objects.create(agenda=agenda, started_by=org["maria"])


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31", "10000-01-01"])
def test_an_action_item_due_at_an_edge_date_is_refused_and_adds_no_task(due, as_user, org, meeting):
    before = Activity.all_objects.count()
    url = reverse("reports:meetings:item-add", args=[meeting.pk])
    data = {"text": "Call back", "assignee": org["ana"].pk, "due": due}

    response = as_user("maria").post(url, data, headers=HX)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Activity.all_objects.count() == before


# ---- deals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_a_deal_closing_at_an_edge_date_is_refused_and_not_created(
    day, as_user, org, north_records
):
    before = Deal.all_objects.count()
    stage = north_records["stage"]
    data = {
        "title": "Hostile deal",
        "company": "",
        "pipeline": stage.pipeline_id,
        "stage": stage.pk,
        "amount": "1000",
        "expected_close": day,
        "owner": org["ana"].pk,
        "lost_reason": "",
    }

    response = as_user("ana").post(reverse("deals:create"), data)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Deal.all_objects.count() == before


def test_editing_a_deal_to_close_in_9999_is_refused_and_changes_nothing(
    as_user, org, north_records
):
    deal = north_records["deal"]
    data = {
        "title": deal.title,
        "company": deal.company_id,
        "amount": str(deal.amount),
        "expected_close": "9999-12-31",
        "owner": deal.owner_id,
        "lost_reason": "",
        "version": deal.version,
    }

    response = as_user("ana").post(reverse("deals:edit", args=[deal.pk]), data)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    deal.refresh_from_db()
    assert (deal.expected_close, deal.version) == (north_records["deal"].expected_close, 1)


def test_an_inline_edit_of_the_close_date_to_year_1_is_refused(as_user, north_records):
    deal = north_records["deal"]
    url = reverse("inline-edit", args=[deal._meta.label, deal.pk, "expected_close"])
    original = deal.expected_close.isoformat()
    data = {"expected_close": "0001-01-01", "version": deal.version, "original": original}

    response = as_user("ana").post(url, data, headers=HX)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    deal.refresh_from_db()
    assert deal.expected_close.isoformat() == original


def test_quick_add_of_a_deal_closing_in_9999_is_refused(as_user, north_records):
    before = Deal.all_objects.count()
    stage = north_records["stage"]
    data = {
        "title": "Hostile",
        "pipeline": stage.pipeline_id,
        "stage": stage.pk,
        "amount": "1",
        "expected_close": "9999-12-31",
    }

    response = as_user("ana").post(reverse("quick-add-form", args=["deal"]), data, headers=HX)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert Deal.all_objects.count() == before


# ---- list filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("contacts:activity-list", {"after": "0001-01-01"}),
        ("contacts:activity-list", {"before": "9999-12-31"}),
        ("contacts:activity-list", {"after": "10000-01-01", "before": "0001-01-01"}),
        ("deals:list", {"closes_before": "9999-12-31"}),
        ("deals:list", {"closes_before": "0001-01-01"}),
    ],
)
def test_a_list_filtered_by_an_edge_date_says_so_and_lists_nothing(
    url_name, query, as_user, north_records
):
    response = as_user("ana").get(reverse(url_name), query)

    assert response.status_code == 200
    assert OUT_OF_RANGE in page_text(response)
    assert north_records["deal"].title not in page_text(response).split("</form>", 1)[-1]


# ---- ids and page numbers beyond 64 bits ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/contacts/{HUGE}/",
        f"/contacts/{HUGE}/edit/",
        f"/companies/{HUGE}/",
        f"/activities/{HUGE}/",
        f"/deals/{HUGE}/",
        f"/deals/{HUGE}/move/",
        f"/reports/meetings/{HUGE}/",
        f"/reports/meetings/m/{HUGE}/",
        f"/reports/meetings/m/1/items/{HUGE}/done/",
        f"/restore/deals.Deal/{HUGE}/",
        f"/inline/deals.Deal/{HUGE}/title/",
        "/contacts/-1/",
        "/contacts/%C2%B2/",  # "²" is a digit to str.isdigit(), not to int()
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_beyond_64_bits_is_not_found(path, method, as_user):
    response = getattr(as_user("admin"), method)(path)

    assert response.status_code == 404


def test_a_record_id_of_18_digits_still_reaches_the_view_and_is_not_found(as_user):
    response = as_user("admin").get(reverse("contacts:detail", args=[10**18 - 1]))

    assert response.status_code == 404


def test_an_id_is_1_to_18_ascii_digits():
    assert [is_id(v) for v in ("1", "9" * 18, 42)] == [True, True, True]
    assert not any(is_id(v) for v in ("", "9" * 19, "-1", "²", "٣", "1.0", " 1", "1\x00"))


FIRST_ROW = {
    "contacts:list": "Secretname",
    "contacts:activity-list": "Call Nora about rollout",
    "deals:list": "Nordwind rollout",
}


@pytest.mark.parametrize("url_name", list(FIRST_ROW))
@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "0"},
        {"per_page": "0"},
        {"per_page": "-1"},
        {"per_page": "99999999999999999999"},
    ],
)
def test_a_list_page_out_of_range_shows_the_first_page(url_name, query, as_user, north_records):
    response = as_user("ana").get(reverse(url_name), query)

    assert response.status_code == 200
    assert FIRST_ROW[url_name] in page_text(response)


@pytest.mark.parametrize("query", [{"page": "99999999999999999999"}, {"per_page": "-5"}])
def test_a_drill_page_out_of_range_shows_the_first_page(query, as_user, north_records):
    response = as_user("admin").get(reverse("reports:drill", args=["pipeline"]), query)

    assert response.status_code == 200
    assert north_records["deal"].title in page_text(response)


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("contacts:list", {"company": HUGE}),
        ("contacts:create", {"company": HUGE}),
        ("contacts:activity-create", {"deal": HUGE, "company": HUGE, "contact": HUGE}),
        ("contacts:activity-create", {"contact": "²"}),
        ("deals:create", {"company": HUGE}),
        ("deals:list", {"owner": HUGE, "stage": HUGE, "pipeline": HUGE}),
        ("deals:board", {"pipeline": HUGE}),
        ("contacts:duplicates", {"exclude": HUGE, "kind": "company", "name": "Nordwind"}),
        ("contacts:duplicates", {"exclude": "²", "name": "Nora"}),
        ("reports:detail", {"team": HUGE, "owner": HUGE, "pipeline": HUGE}),
    ],
)
def test_ids_beyond_64_bits_in_a_query_string_are_no_choice(
    url_name, query, as_user, north_records
):
    url = reverse(url_name, args=["pipeline"] if url_name == "reports:detail" else [])

    response = as_user("admin").get(url, query)

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["contacts", "company", "deal", "owner"])
def test_a_forged_id_beyond_64_bits_in_a_form_is_an_invalid_choice(
    field, as_user, org, north_records
):
    before = Activity.all_objects.count()
    data = _activity_data(owner=org["ana"].pk) | {field: HUGE}

    response = as_user("ana").post(reverse("contacts:activity-create"), data)

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response) or "valid value" in page_text(response)
    assert Activity.all_objects.count() == before


def test_a_forged_stage_beyond_64_bits_moves_nothing(as_user, north_records):
    deal = north_records["deal"]
    data = {"stage": HUGE, "version": deal.version, "from_stage": deal.stage_id}

    response = as_user("ana").post(reverse("deals:move", args=[deal.pk]), data)

    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage_id, deal.version) == (north_records["stage"].pk, 1)


def test_a_forged_assignee_beyond_64_bits_adds_no_action_item(as_user, meeting):
    before = Activity.all_objects.count()
    url = reverse("reports:meetings:item-add", args=[meeting.pk])
    data = {"text": "Call back", "assignee": HUGE, "due": "2030-01-07"}

    response = as_user("maria").post(url, data, headers=HX)

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert Activity.all_objects.count() == before


@pytest.mark.parametrize("p", [HUGE, "-1", "abc", "²"])
def test_a_meeting_page_number_out_of_range_shows_a_page_of_the_meeting(p, as_user, meeting):
    response = as_user("maria").get(meeting.get_absolute_url(), {"p": p})

    assert response.status_code == 200
    assert 'id="stage"' in page_text(response)


# ---- next ------------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "foo:bar",
    "javascript:alert(1)",
    "//evil.example",
    "///evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "foo",
    "1:2",
    "contacts:list",
    "\x00",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_safe_next_never_returns_anything_but_a_local_path(target, rf_post):
    assert safe_next(rf_post({"next": target}), fallback="/fallback/") == "/fallback/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/contacts/?page=2", "/contacts/?page=2"),
        ("http://testserver/deals/1/?tab=log#notes", "/deals/1/?tab=log"),
        ("/reports/meetings/m/1/?p=3", "/reports/meetings/m/1/?p=3"),
    ],
)
def test_safe_next_keeps_a_page_of_this_site_as_its_path(target, expected, rf_post):
    assert safe_next(rf_post({"next": target}), fallback="/fallback/") == expected


@pytest.fixture
def rf_post():
    def build(data):
        return RequestFactory().post("/somewhere/", data)

    return build


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_next_step_posted_with_a_hostile_next_goes_back_to_the_task(
    target, as_user, north_records
):
    done = north_records["activity"]
    url = reverse("contacts:activity-next", args=[done.pk])

    response = as_user("ana").post(
        url, {"subject": "Follow up", "due": "2030-01-07", "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == done.get_absolute_url()


@pytest.mark.parametrize("target", ["foo:bar", "javascript:alert(1)", "//evil.example"])
def test_ticking_an_action_item_with_a_hostile_next_goes_back_to_the_meeting(
    target, as_user, meeting, north_records
):
    task = north_records["activity"]
    meeting.action_items.create(activity=task)
    url = reverse("reports:meetings:item-done", args=[meeting.pk, task.pk])

    response = as_user("maria").post(url, {"done": "true", "version": task.version, "next": target})

    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()


@pytest.mark.parametrize("back", ["foo:bar", "javascript:alert(1)", "//evil.example"])
def test_a_move_posted_with_a_hostile_next_goes_to_the_deal_and_its_undo_renders(
    back, as_user, north_records
):
    deal, stage = north_records["deal"], north_records["other_stage"]
    client = as_user("ana")
    data = {"stage": stage.pk, "version": deal.version, "from_stage": deal.stage_id, "next": back}

    response = client.post(reverse("deals:move", args=[deal.pk]), data, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert 'name="next" value="deal"' in page_text(response)  # the Undo goes back to the deal


@pytest.mark.parametrize(
    "tags", ["undomove:1:2:foo:bar:3:4", "undomove:1:2", "undomove:x:2:deal:3:4", "undo"]
)
def test_an_undo_tag_this_version_did_not_write_offers_no_undo(tags):
    class Message:
        extra_tags = tags

    assert undo_move(Message()) is None


# ---- agendas ---------------------------------------------------------------------------------


def _agenda_post(agenda, query):
    section = agenda.sections.get()
    return {
        "title": agenda.title,
        "team": agenda.team_id,
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-id": section.pk,
        "sections-0-report_slug": "activity",
        "sections-0-query": query,
        "sections-0-ORDER": "1",
    }


@pytest.mark.parametrize(
    "query",
    ["start=0001-01-01", "end=9999-12-31", "start=10000-01-01", "team=" + HUGE, "team=²"],
)
def test_an_agenda_section_with_a_bad_filter_is_not_saved(query, as_user, meeting):
    agenda = meeting.agenda
    url = reverse("reports:meetings:agenda-edit", args=[agenda.pk])

    response = as_user("maria").post(url, _agenda_post(agenda, query))

    assert response.status_code == 200
    assert "These filters are not valid" in page_text(response)
    section = agenda.sections.get()
    assert (section.report_slug, section.query) == ("pipeline", f"team={agenda.team_id}")


@pytest.mark.parametrize("query", ["start=0001-01-01&end=9999-12-31", "since=9999-12-31"])
def test_a_meeting_whose_section_was_saved_with_a_bad_filter_still_renders_with_its_error(
    query, as_user, meeting
):
    slug = "changes" if query.startswith("since") else "activity"
    AgendaSection.objects.filter(agenda=meeting.agenda).update(report_slug=slug, query=query)

    # Page 1 of a first meeting is "since the agenda was made"; the section is page 2.
    response = as_user("maria").get(meeting.get_absolute_url() + "?p=2")

    assert response.status_code == 200
    assert "This section's saved filters are not valid" in page_text(response)
    assert OUT_OF_RANGE in page_text(response)


@pytest.mark.parametrize("team", ["²", HUGE])
def test_a_walk_through_section_saved_with_a_team_that_is_no_id_still_renders(
    team, as_user, meeting
):
    AgendaSection.objects.filter(agenda=meeting.agenda).update(
        query=f"team={team}", walk_through=True
    )

    # Page 1 of a first meeting is "since the agenda was made"; the section is page 2.
    response = as_user("maria").get(meeting.get_absolute_url() + "?p=2")

    assert response.status_code == 200
    assert "This section's saved filters are not valid" in page_text(response)
