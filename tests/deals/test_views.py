"""Deals through the HTTP client: CRUD, the board and its moves, logging, list filters."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Activity
from deals.models import Deal
from deals.selectors import start_of_today
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
)

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The org's six users are hashed per test; PBKDF2 would make each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stages(north_records):
    """The Sales pipeline of north_records' deal, with won and lost stages, and a second pipeline."""
    pipeline = north_records["deal"].pipeline
    renewals = PipelineFactory(name="Renewals", order=1)
    return {
        "qualified": north_records["stage"],
        "proposal": north_records["other_stage"],
        "won": StageFactory(pipeline=pipeline, name="Won", order=8, probability=100, is_won=True),
        "lost": StageFactory(pipeline=pipeline, name="Lost", order=9, probability=0, is_lost=True),
        "renewal_due": StageFactory(pipeline=renewals, name="Renewal due", order=0),
    }


def seen(deal) -> dict:
    """What a move form carries besides the stage: the version and stage the mover saw."""
    return {"version": deal.version, "from_stage": deal.stage_id}


def assert_fragment(response):
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'class="topbar"' not in body
    assert "HX-Request" in response["Vary"]
    return body


def column_of(body: str, deal) -> int | None:
    """The stage id of the board column that shows this deal's card, or None."""
    for section in body.split('<section class="column')[1:]:
        if f'id="deal-{deal.pk}"' in section:
            return int(re.search(r'data-stage="(\d+)"', section).group(1))
    return None


def deal_data(deal=None, **overrides):
    data = {
        "title": "Ostwind pilot",
        "company": "",
        "pipeline": "",
        "stage": "",
        "amount": "25000",
        "expected_close": "2030-03-31",
        "owner": "",
        "lost_reason": "",
    }
    if deal is not None:
        data |= {
            "title": deal.title,
            "company": deal.company_id or "",
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "amount": str(deal.amount),
            "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
            "owner": deal.owner_id,
            "lost_reason": deal.lost_reason,
            "version": deal.version,
        }
    return data | overrides


# ---- create and edit -----------------------------------------------------------------------


def test_a_rep_creates_a_deal_owned_and_stamped_by_them(client_for, org, north_records, stages):
    data = deal_data(
        company=north_records["company"].pk,
        pipeline=stages["qualified"].pipeline_id,
        stage=stages["qualified"].pk,
        owner=org["ana"].pk,
    )

    response = client_for("ana").post(reverse("deals:create"), data, follow=True)

    deal = Deal.objects.get(title="Ostwind pilot")
    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert (deal.owner, deal.created_by, deal.updated_by, deal.version) == (
        org["ana"],
        org["ana"],
        org["ana"],
        1,
    )
    assert (deal.company, deal.stage, str(deal.amount)) == (
        north_records["company"],
        stages["qualified"],
        "25000.00",
    )
    body = response.content.decode()
    assert "Added Ostwind pilot." in body
    assert "<h1>Ostwind pilot</h1>" in body
    assert "No next step" in body


def test_a_forged_company_in_the_deal_form_creates_nothing(client_for, org, stages):
    foreign = CompanyFactory(owner=org["carla"])
    data = deal_data(
        company=foreign.pk,
        pipeline=stages["qualified"].pipeline_id,
        stage=stages["qualified"].pk,
        owner=org["ana"].pk,
    )

    response = client_for("ana").post(reverse("deals:create"), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Deal.all_objects.filter(title="Ostwind pilot").exists()


def test_a_stage_of_another_pipeline_in_the_deal_form_is_refused(client_for, org, stages):
    data = deal_data(
        pipeline=stages["qualified"].pipeline_id,
        stage=stages["renewal_due"].pk,
        owner=org["ana"].pk,
    )

    response = client_for("ana").post(reverse("deals:create"), data)

    assert "Pick a stage of the chosen pipeline." in response.content.decode()
    assert not Deal.all_objects.filter(title="Ostwind pilot").exists()


def test_the_owner_edits_a_deal_and_its_version_goes_up(client_for, org, north_records):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), deal_data(deal, amount="42000"), follow=True
    )

    deal.refresh_from_db()
    assert (str(deal.amount), deal.version, deal.updated_by) == ("42000.00", 2, org["ana"])
    body = response.content.decode()
    assert "Saved." in body
    assert ">€42,000</span>" in body  # shown formatted (crm/formatting.py), editable in place


def test_a_deal_created_in_a_lost_stage_without_a_reason_is_refused(client_for, org, stages):
    data = deal_data(
        pipeline=stages["lost"].pipeline_id, stage=stages["lost"].pk, owner=org["ana"].pk
    )

    response = client_for("ana").post(reverse("deals:create"), data)

    assert "Say why the deal was lost." in response.content.decode()
    assert not Deal.all_objects.filter(title="Ostwind pilot").exists()


def test_editing_a_deal_never_leaves_it_lost_without_a_reason(client_for, north_records, stages):
    deal = north_records["deal"]

    client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), deal_data(deal, stage=stages["lost"].pk)
    )

    deal.refresh_from_db()
    assert not (deal.stage.is_lost and not deal.lost_reason)
    assert deal.closed_at is None


def test_editing_a_deal_never_leaves_it_in_a_won_stage_without_a_close_date(
    client_for, north_records, stages
):
    """A move closes a deal (closed_at); the edit form must not reach a won stage another way."""
    deal = north_records["deal"]

    client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), deal_data(deal, stage=stages["won"].pk)
    )

    deal.refresh_from_db()
    assert (deal.closed_at is None) == deal.stage.is_open


def test_a_deal_created_in_a_won_stage_has_a_close_date(client_for, org, stages):
    data = deal_data(
        pipeline=stages["won"].pipeline_id, stage=stages["won"].pk, owner=org["ana"].pk
    )

    client_for("ana").post(reverse("deals:create"), data)

    deal = Deal.all_objects.filter(title="Ostwind pilot").first()
    assert deal is None or (deal.closed_at is None) == deal.stage.is_open


def test_an_invalid_deal_posted_by_htmx_rerenders_the_form(client_for, org, north_records):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:edit", args=[deal.pk]), deal_data(deal, title=""), headers=HX
    )

    body = assert_fragment(response)
    assert 'id="record-form"' in body
    assert "This field is required." in body
    deal.refresh_from_db()
    assert deal.title == "Nordwind rollout"


@pytest.mark.parametrize("url_name", ["deals:edit", "deals:delete", "deals:move"])
def test_a_same_team_rep_gets_403_on_changing_a_deal(client_for, north_records, stages, url_name):
    deal = north_records["deal"]

    response = client_for("ben").post(
        reverse(url_name, args=[deal.pk]),
        deal_data(deal, title="Benwind", stage=stages["proposal"].pk),
    )

    assert response.status_code == 403
    assert "You may see this deal but not change it." in response.content.decode()
    deal.refresh_from_db()
    assert (deal.title, deal.stage, deal.deleted_at, deal.version) == (
        "Nordwind rollout",
        stages["qualified"],
        None,
        1,
    )


@pytest.mark.parametrize(
    "url_name", ["deals:detail", "deals:edit", "deals:delete", "deals:move", "deals:log"]
)
def test_an_outsider_gets_404_for_every_deal_page(client_for, north_records, stages, url_name):
    deal = north_records["deal"]

    response = client_for("carla").post(
        reverse(url_name, args=[deal.pk]),
        deal_data(deal, title="Stolen", stage=stages["proposal"].pk) | {"subject": "Spy"},
    )

    assert response.status_code == 404
    assert "Nordwind" not in response.content.decode()
    deal.refresh_from_db()
    assert (deal.title, deal.stage, deal.deleted_at, deal.version) == (
        "Nordwind rollout",
        stages["qualified"],
        None,
        1,
    )
    assert not Activity.all_objects.filter(subject="Spy").exists()


def test_the_deal_page_shows_its_facts_people_and_timeline(client_for, north_records):
    body = client_for("ben").get(north_records["deal"].get_absolute_url()).content.decode()

    assert "<h1>Nordwind rollout</h1>" in body
    assert "Sales · Qualified" in body
    assert "Nora Secretname" in body
    assert "Call Nora about rollout" in body
    assert reverse("deals:move", args=[north_records["deal"].pk]) not in body  # read-only


def test_the_deal_page_shows_the_next_step(client_for, org, north_records):
    deal = north_records["deal"]
    ActivityFactory(
        kind="task",
        subject="Send the proposal",
        deal=deal,
        owner=org["ana"],
        occurs_at=start_of_today() + timedelta(days=3, hours=9),
    )

    body = client_for("ana").get(deal.get_absolute_url()).content.decode()

    assert '<span class="next-step">Send the proposal · ' in body
    assert "No next step" not in body


def test_the_deal_page_flags_a_next_step_that_is_only_overdue(client_for, org, north_records):
    deal = north_records["deal"]
    ActivityFactory(
        kind="task",
        deal=deal,
        owner=org["ana"],
        occurs_at=start_of_today() - timedelta(days=2),
    )

    body = client_for("ana").get(deal.get_absolute_url()).content.decode()

    assert "Next step overdue" in body


# ---- delete and undo -----------------------------------------------------------------------


def test_deleting_a_deal_is_soft_and_undo_brings_it_back(client_for, org, north_records):
    deal = north_records["deal"]
    client = client_for("ana")

    deleted = client.post(reverse("deals:delete", args=[deal.pk]), follow=True)
    undo = reverse("restore", args=["deals.deal", deal.pk])

    assert deleted.redirect_chain == [(reverse("deals:list"), 302)]
    assert "Deleted “Nordwind rollout”." in deleted.content.decode()
    assert f'action="{undo}"' in deleted.content.decode()
    assert Deal.all_objects.get(pk=deal.pk).deleted_at is not None
    assert "Nordwind rollout" not in client.get(reverse("deals:board")).content.decode()

    restored = client.post(undo, follow=True)

    assert restored.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "Restored “Nordwind rollout”." in restored.content.decode()
    deal.refresh_from_db()
    assert (deal.deleted_at, deal.version, deal.updated_by) == (None, 3, org["ana"])


# ---- the board -----------------------------------------------------------------------------


def test_the_board_shows_each_deal_in_its_stage_column(client_for, org, north_records, stages):
    DealFactory(title="Südwind deal", stage=stages["qualified"], owner=org["carla"])

    body = client_for("ana").get(reverse("deals:board")).content.decode()

    assert "<html" in body
    assert column_of(body, north_records["deal"]) == stages["qualified"].pk
    assert "Südwind deal" not in body
    assert "<h2>Proposal</h2>" in body
    assert "<h2>Renewal due</h2>" not in body


def test_the_board_as_htmx_returns_only_the_board(client_for, north_records, stages):
    response = client_for("ana").get(reverse("deals:board"), headers=HX)

    body = assert_fragment(response)
    assert body.lstrip().startswith('<div class="board" id="board">')
    assert column_of(body, north_records["deal"]) == stages["qualified"].pk


def test_the_board_shows_the_chosen_pipeline(client_for, org, stages):
    renewal = DealFactory(title="Renewal 2027", stage=stages["renewal_due"], owner=org["ana"])

    body = (
        client_for("ana")
        .get(reverse("deals:board"), {"pipeline": renewal.pipeline_id})
        .content.decode()
    )

    assert column_of(body, renewal) == stages["renewal_due"].pk
    assert "<h2>Qualified</h2>" not in body


def test_a_malformed_pipeline_on_the_board_shows_the_first_pipeline(
    client_for, north_records, stages
):
    response = client_for("ana").get(reverse("deals:board"), {"pipeline": "abc"})

    assert response.status_code == 200
    assert column_of(response.content.decode(), north_records["deal"]) == stages["qualified"].pk


def test_moving_a_deal_on_the_board_lands_its_card_in_the_new_column_and_updates_the_heads(
    client_for, org, north_records, stages
):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["proposal"].pk, "next": "board"},
        headers=HX,
    )

    body = assert_fragment(response)
    # The card is swapped away by its own form (hx-swap="delete") and lands on top of Proposal.
    landing = body.split(f'hx-swap-oob="afterbegin:#cards-{stages["proposal"].pk}"', 1)[1]
    assert f'id="deal-{deal.pk}"' in landing.split("</article>", 1)[0]
    assert "HX-Reswap" not in response
    heads = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(
            r'<header id="column-head-(\d+)" hx-swap-oob="true">(.*?)</header>', body, re.S
        )
    }
    assert "1 · €10,000" in heads[stages["proposal"].pk]
    assert "0 · €0" in heads[stages["qualified"].pk]
    # Only the two columns the move touched are counted again; the others did not change.
    assert set(heads) == {stages["proposal"].pk, stages["qualified"].pk}
    assert "Moved “Nordwind rollout” to Proposal." in body  # the message, out of band
    deal.refresh_from_db()
    assert (deal.stage, deal.version, deal.updated_by, deal.closed_at) == (
        stages["proposal"],
        2,
        org["ana"],
        None,
    )
    assert deal.history.first().stage_id == stages["proposal"].pk


def test_a_plain_board_move_goes_back_to_the_board_of_its_pipeline(
    client_for, north_records, stages
):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["proposal"].pk, "next": "board"},
        follow=True,
    )

    assert response.redirect_chain == [
        (f"{reverse('deals:board')}?pipeline={deal.pipeline_id}", 302)
    ]
    body = response.content.decode()
    assert "Moved “Nordwind rollout” to Proposal." in body
    assert column_of(body, deal) == stages["proposal"].pk


def test_a_move_from_the_deal_page_goes_back_to_the_deal(client_for, north_records, stages):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["proposal"].pk},
        follow=True,
    )

    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "Sales · Proposal" in response.content.decode()


def test_moving_to_a_lost_stage_without_a_reason_is_refused_with_a_clear_message(
    client_for, north_records, stages
):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["lost"].pk, "lost_reason": "  ", "next": "board"},
        follow=True,
    )

    body = response.content.decode()
    assert "Not moved: Say why the deal was lost." in body
    assert column_of(body, deal) == stages["qualified"].pk
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason, deal.closed_at, deal.version) == (
        stages["qualified"],
        "",
        None,
        1,
    )


def test_a_refused_board_move_by_htmx_says_why_in_its_response(client_for, north_records, stages):
    """htmx swaps only this response; a message left in the session shows up pages later."""
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["lost"].pk, "next": "board"},
        headers=HX,
    )

    body = assert_fragment(response)
    assert response["HX-Reswap"] == "none"  # the card stays where it was
    assert 'hx-swap-oob="afterbegin' not in body
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["qualified"], 1)
    assert "Say why the deal was lost." in body


def test_moving_to_a_lost_stage_with_a_reason_closes_the_deal(client_for, north_records, stages):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["lost"].pk, "lost_reason": " No budget "},
        follow=True,
    )

    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (stages["lost"], "No budget")
    assert deal.closed_at is not None
    assert "<dt>Lost because</dt><dd>No budget</dd>" in response.content.decode()


def test_a_forged_stage_from_another_pipeline_is_refused(client_for, north_records, stages):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["renewal_due"].pk},
        follow=True,
    )

    assert "Not moved: Select a valid choice." in response.content.decode()
    deal.refresh_from_db()
    assert (deal.stage, deal.pipeline, deal.version) == (
        stages["qualified"],
        stages["qualified"].pipeline,
        1,
    )


@pytest.mark.parametrize("stage", ["abc", "", "99999"])
def test_a_malformed_stage_in_a_move_is_refused(client_for, north_records, stages, stage):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]), seen(deal) | {"stage": stage}, follow=True
    )

    assert "Not moved:" in response.content.decode()
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["qualified"], 1)


def test_moving_is_post_only(client_for, north_records):
    response = client_for("ana").get(reverse("deals:move", args=[north_records["deal"].pk]))

    assert response.status_code == 405


# ---- logging on a deal ---------------------------------------------------------------------


def test_logging_on_a_deal_by_htmx_returns_the_timeline_with_the_new_activity(
    client_for, org, north_records
):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:log", args=[deal.pk]),
        {"kind": "email", "subject": "Sent the offer"},
        headers=HX,
    )

    body = assert_fragment(response)
    assert body.lstrip().startswith('<li class="activity')
    assert "Sent the offer" in body
    assert 'id="log-form"' in body
    logged = Activity.objects.get(subject="Sent the offer")
    assert (logged.deal, logged.company, logged.owner) == (
        deal,
        north_records["company"],
        org["ana"],
    )
    assert list(logged.contacts.all()) == [north_records["contact"]]


def test_a_meeting_logged_on_a_deal_becomes_its_next_step(client_for, north_records):
    deal = north_records["deal"]
    client = client_for("ana")

    client.post(
        reverse("deals:log", args=[deal.pk]), {"kind": "meeting", "subject": "Kick-off"}, headers=HX
    )

    body = client.get(deal.get_absolute_url()).content.decode()
    assert '<span class="next-step">Kick-off · ' in body


def test_an_empty_log_on_a_deal_rerenders_with_the_error(client_for, north_records):
    before = Activity.all_objects.count()

    response = client_for("ana").post(
        reverse("deals:log", args=[north_records["deal"].pk]),
        {"kind": "email", "subject": ""},
        headers=HX,
    )

    body = assert_fragment(response)
    assert '<div class="field-errors" role="alert">This field is required.' in body
    assert response["HX-Retarget"] == "#log-form"
    assert Activity.all_objects.count() == before


def test_a_plain_log_on_a_deal_goes_back_to_it_with_a_message(client_for, north_records):
    deal = north_records["deal"]

    response = client_for("ana").post(
        reverse("deals:log", args=[deal.pk]), {"kind": "note", "subject": "Budget ok"}, follow=True
    )

    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "Logged note: Budget ok" in response.content.decode()


# ---- the deal list -------------------------------------------------------------------------


def test_the_deal_list_as_htmx_returns_only_the_results_fragment(client_for, org, north_records):
    DealFactory(title="Südwind deal", owner=org["carla"])

    response = client_for("ana").get(reverse("deals:list"), headers=HX)

    body = assert_fragment(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "Nordwind rollout" in body
    assert "Südwind deal" not in body


def test_the_deal_list_filters_by_status(client_for, org, north_records, stages):
    DealFactory(title="Won deal", stage=stages["won"], owner=org["ana"])
    client = client_for("ana")

    won = client.get(reverse("deals:list"), {"status": "won"}).content.decode()
    open_ = client.get(reverse("deals:list"), {"status": "open"}).content.decode()

    assert "Won deal" in won
    assert "Nordwind rollout" not in won
    assert "Nordwind rollout" in open_
    assert "Won deal" not in open_


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("owner=abc", "owner: Select a valid choice."),
        ("stage=abc", "stage: Select a valid choice."),
        ("pipeline=99999", "pipeline: Select a valid choice."),
        ("status=maybe", "status: Select a valid choice."),
        ("closes_before=notadate", "closes_before: Enter a valid date."),
    ],
)
def test_a_malformed_deal_filter_says_so(client_for, north_records, query, message):
    response = client_for("ana").get(f"{reverse('deals:list')}?{query}")

    body = response.content.decode()
    assert response.status_code == 200
    assert "These filters are not valid:" in body
    assert message in body
    assert "Nordwind rollout" not in body


@pytest.mark.parametrize("query", ["page=abc", "page=99999", "sort=nonsense", "sort=-amount"])
def test_a_malformed_page_or_sort_on_the_deal_list_still_lists(client_for, north_records, query):
    response = client_for("ana").get(f"{reverse('deals:list')}?{query}")

    assert response.status_code == 200
    assert "Nordwind rollout" in response.content.decode()


# ---- moves say what they saw: no move over another's, no undo over a later change -----------


def undo_form(body: str) -> dict:
    """The Undo form of a move's confirmation, as the page shows it."""
    form = body.split('name="undo"', 1)[0].rsplit("<form", 1)[1] + 'name="undo" value="on">'
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


def test_undo_of_a_move_puts_the_deal_back(client_for, north_records, stages):
    deal = north_records["deal"]
    client = client_for("ana")
    moved = client.post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["proposal"].pk},
        follow=True,
    )

    client.post(reverse("deals:move", args=[deal.pk]), undo_form(moved.content.decode()))

    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["qualified"], 3)


def test_undo_after_someone_else_moved_the_deal_changes_nothing_and_says_who(
    client_for, org, north_records, stages
):
    deal = north_records["deal"]
    ana = client_for("ana")
    moved = ana.post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["proposal"].pk},
        follow=True,
    )
    undo = undo_form(moved.content.decode())
    deal.refresh_from_db()
    maria = Client()
    maria.force_login(org["maria"])
    maria.post(
        reverse("deals:move", args=[deal.pk]),
        seen(deal) | {"stage": stages["lost"].pk, "lost_reason": "Went with a competitor"},
    )

    answer = ana.post(reverse("deals:move", args=[deal.pk]), undo, follow=True)

    assert "Not undone: Maria changed “Nordwind rollout” since (it is in Lost now)." in (
        html.unescape(answer.content.decode())
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (stages["lost"], "Went with a competitor")


def test_a_move_from_a_stale_board_does_not_overwrite_another_move(
    client_for, org, north_records, stages
):
    deal = north_records["deal"]
    stale_card = seen(deal)
    client_for("maria").post(
        reverse("deals:move", args=[deal.pk]), stale_card | {"stage": stages["won"].pk}
    )

    answer = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        stale_card | {"stage": stages["proposal"].pk, "next": "board"},
        headers=HX,
    )

    assert "while you were looking" in answer.content.decode()
    assert answer["HX-Reswap"] == "none"
    deal.refresh_from_db()
    assert deal.stage == stages["won"]


def test_a_move_from_a_stale_card_merges_when_only_other_fields_changed(
    client_for, org, north_records, stages
):
    deal = north_records["deal"]
    stale_card = seen(deal)
    Deal.objects.get(pk=deal.pk).save()  # someone saved another field: version 2, same stage

    client_for("ana").post(
        reverse("deals:move", args=[deal.pk]), stale_card | {"stage": stages["proposal"].pk}
    )

    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["proposal"], 3)


def test_a_move_without_a_version_is_refused(client_for, north_records, stages):
    deal = north_records["deal"]

    answer = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]), {"stage": stages["proposal"].pk}, follow=True
    )

    assert "This move carries no version" in answer.content.decode()
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["qualified"], 1)
