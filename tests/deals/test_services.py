"""deals.services.deal_move_stage and the next-step selectors it is read with."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals.models import Deal
from deals.selectors import start_of_today, with_next_step, without_next_step
from deals.services import deal_move_stage
from tests.factories import ActivityFactory, DealFactory, PipelineFactory, StageFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sales(db):
    pipeline = PipelineFactory(name="Sales")
    return {
        "lead": StageFactory(pipeline=pipeline, name="Lead", order=0),
        "proposal": StageFactory(pipeline=pipeline, name="Proposal", order=1),
        "won": StageFactory(pipeline=pipeline, name="Won", order=2, probability=100, is_won=True),
        "lost": StageFactory(pipeline=pipeline, name="Lost", order=3, probability=0, is_lost=True),
    }


@pytest.fixture
def deal(org, sales):
    return DealFactory(title="Rollout", stage=sales["lead"], owner=org["ana"])


def test_a_move_to_an_open_stage_stamps_who_moved_it(deal, org, sales):
    moved = deal_move_stage(deal=deal, stage=sales["proposal"], by=org["maria"])

    moved.refresh_from_db()
    assert (moved.stage, moved.closed_at, moved.lost_reason) == (sales["proposal"], None, "")
    assert (moved.version, moved.updated_by, moved.owner) == (2, org["maria"], org["ana"])


def test_a_move_is_recorded_in_the_deals_history(deal, org, sales):
    deal_move_stage(deal=deal, stage=sales["proposal"], by=org["ana"])
    deal_move_stage(deal=deal, stage=sales["won"], by=org["ana"])

    stages = [h.stage_id for h in deal.history.order_by("history_date", "history_id")]
    assert stages == [sales["lead"].pk, sales["proposal"].pk, sales["won"].pk]


def test_a_move_to_a_won_stage_closes_the_deal(deal, org, sales):
    before = timezone.now()

    deal_move_stage(deal=deal, stage=sales["won"], by=org["ana"])

    deal.refresh_from_db()
    assert deal.closed_at >= before


def test_a_move_to_a_lost_stage_keeps_the_trimmed_reason(deal, org, sales):
    deal_move_stage(deal=deal, stage=sales["lost"], by=org["ana"], lost_reason="  No budget ")

    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (sales["lost"], "No budget")
    assert deal.closed_at is not None


def test_a_move_to_a_lost_stage_without_a_reason_is_refused_and_nothing_is_saved(deal, org, sales):
    with pytest.raises(ValidationError) as raised:
        deal_move_stage(deal=deal, stage=sales["lost"], by=org["ana"], lost_reason="   ")

    assert raised.value.message_dict == {"lost_reason": ["Say why the deal was lost."]}
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.stage, stored.version, stored.closed_at) == (sales["lead"], 1, None)


def test_a_lost_deal_moved_to_another_lost_stage_keeps_its_reason(deal, org, sales):
    deal_move_stage(deal=deal, stage=sales["lost"], by=org["ana"], lost_reason="No budget")
    other_lost = StageFactory(pipeline=deal.pipeline, name="Lost to competitor", is_lost=True)

    deal_move_stage(deal=deal, stage=other_lost, by=org["ana"])

    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (other_lost, "No budget")


def test_reopening_a_lost_deal_clears_its_reason_and_close_date(deal, org, sales):
    deal_move_stage(deal=deal, stage=sales["lost"], by=org["ana"], lost_reason="No budget")

    deal_move_stage(deal=deal, stage=sales["proposal"], by=org["ana"])

    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason, deal.closed_at) == (sales["proposal"], "", None)


def test_reopening_a_lost_deal_clears_its_reason_even_when_a_reason_is_typed(deal, org, sales):
    """The board sends whatever is in its "lost reason" box; an open deal has no lost reason."""
    deal_move_stage(deal=deal, stage=sales["lost"], by=org["ana"], lost_reason="No budget")

    deal_move_stage(deal=deal, stage=sales["proposal"], by=org["ana"], lost_reason="oops")

    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason, deal.closed_at) == (sales["proposal"], "", None)


def test_a_stage_of_another_pipeline_is_refused(deal, org):
    renewal_due = StageFactory(pipeline=PipelineFactory(name="Renewals"), name="Renewal due")

    with pytest.raises(ValidationError) as raised:
        deal_move_stage(deal=deal, stage=renewal_due, by=org["ana"])

    assert "stage" in raised.value.message_dict
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.stage_id, stored.version) == (deal.stage_id, 1)


# ---- next step -----------------------------------------------------------------------------


def step(deal, *, days=0, hours=10, kind="task", done=False, **kwargs):
    return ActivityFactory(
        deal=deal,
        owner=deal.owner,
        kind=kind,
        done=done,
        occurs_at=start_of_today() + timedelta(days=days, hours=hours),
        **kwargs,
    )


def annotated(deal):
    """As the deal's owner sees it (the next step counts only activities the viewer sees)."""
    return with_next_step(Deal.objects.filter(pk=deal.pk), deal.owner).get()


def stalled(deal):
    return without_next_step(Deal.objects.filter(pk=deal.pk), deal.owner).exists()


def test_the_next_step_is_the_earliest_open_task_or_meeting_from_today_on(deal):
    step(deal, days=5, subject="Later meeting", kind="meeting")
    step(deal, days=0, hours=0, subject="Early today")
    step(deal, days=-1, subject="Yesterday")

    result = annotated(deal)

    assert result.next_step_subject == "Early today"
    assert result.next_step_at == start_of_today()
    assert result.has_overdue_step
    assert not stalled(deal)


def test_calls_notes_done_tasks_and_deleted_tasks_are_no_next_step(deal):
    step(deal, days=2, kind="call")
    step(deal, days=2, kind="note")
    step(deal, days=2, done=True)
    step(deal, days=2, deleted_at=timezone.now())

    result = annotated(deal)

    assert (result.next_step_at, result.has_overdue_step) == (None, False)
    assert stalled(deal)


def test_a_deal_with_only_an_overdue_task_is_stalled_and_flagged(deal):
    step(deal, days=-3)

    result = annotated(deal)

    assert (result.next_step_at, result.has_overdue_step) == (None, True)
    assert stalled(deal)
