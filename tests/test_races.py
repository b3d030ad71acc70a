"""No lost edits, under real concurrency: two people save the same record from the same version at
the same moment (two threads, each with its own database connection, released by one barrier).

Whichever way the two requests interleave — one after the other, or both reading before either
writes — exactly one save wins and the other is told, never silently overwritten: the check and
the write are one conditional UPDATE (crm.models.VersionedModel). Ten rounds per kind of write,
on SQLite here and on PostgreSQL in CI (`DATABASE_URL=postgres://… make test-fast`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Activity
from crm.models import CustomField
from crm.stale import base_of
from deals.forms import DealForm
from deals.models import Deal
from reports.models import Agenda, Meeting
from tests.concurrency import at_once
from tests.factories import ActivityFactory, StageFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
HX = {"HX-Request": "true"}


def race(url: str, *posts, headers=None):
    """POST each (client, data) to `url` in its own thread, all released at once; return the
    responses in order."""
    return at_once(
        *(lambda c=client, d=data: c.post(url, d, headers=headers or {}) for client, data in posts)
    )


@pytest.fixture
def clients(org):
    made = {}
    for name in ("ana", "maria"):
        made[name] = Client()
        made[name].force_login(org[name])
    return made


def deal_form_post(deal, user, **changes) -> dict:
    form = DealForm(instance=deal, user=user)
    data = {
        "title": deal.title,
        "company": deal.company_id or "",
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "amount": str(deal.amount),
        "expected_close": deal.expected_close.isoformat(),
        "owner": deal.owner_id,
        "lost_reason": deal.lost_reason,
        "version": deal.version,
        "base": base_of(form),
    }
    for name, field in form.fields.items():  # the custom fields, as the form shows them
        if hasattr(field, "custom_spec") and form[name].value() is not None:
            data[name] = form[name].value()
    return data | changes


def test_two_full_form_saves_of_one_field_never_both_win(clients, org, north_records):
    url = reverse("deals:edit", args=[north_records["deal"].pk])
    for round_ in range(ROUNDS):
        deal = Deal.objects.get(pk=north_records["deal"].pk)
        anas = deal_form_post(deal, org["ana"], amount=str(1000 + round_))
        marias = deal_form_post(deal, org["maria"], amount=str(2000 + round_))

        answers = race(url, (clients["ana"], anas), (clients["maria"], marias))

        saved = [a.status_code == 302 for a in answers]
        assert saved.count(True) == 1, [a.status_code for a in answers]
        loser = answers[saved.index(False)].content.decode()
        assert "while you were editing. Save again to keep yours." in loser
        winner_amount = Decimal(str((1000, 2000)[saved.index(True)] + round_))
        deal.refresh_from_db()
        assert (deal.amount, deal.version) == (winner_amount, 2 + round_)


def test_two_full_form_saves_of_different_fields_both_survive(clients, org, north_records):
    url = reverse("deals:edit", args=[north_records["deal"].pk])
    for round_ in range(ROUNDS):
        deal = Deal.objects.get(pk=north_records["deal"].pk)
        anas = deal_form_post(deal, org["ana"], amount=str(3000 + round_))
        marias = deal_form_post(deal, org["maria"], title=f"Rollout round {round_}")

        answers = race(url, (clients["ana"], anas), (clients["maria"], marias))

        assert [a.status_code for a in answers] == [302, 302]
        deal.refresh_from_db()
        assert (deal.amount, deal.title) == (Decimal(3000 + round_), f"Rollout round {round_}")


def test_two_inline_edits_of_one_value_never_both_win(clients, north_records):
    deal = north_records["deal"]
    url = reverse("inline-edit", args=["deals.Deal", deal.pk, "amount"])
    for round_ in range(ROUNDS):
        deal.refresh_from_db()
        seen = {"version": deal.version, "original": str(deal.amount)}

        answers = race(
            url,
            (clients["ana"], seen | {"amount": str(100 + round_)}),
            (clients["maria"], seen | {"amount": str(200 + round_)}),
            headers=HX,
        )

        bodies = [a.content.decode() for a in answers]
        conflicts = ["inline-field conflict" in b for b in bodies]
        assert conflicts.count(True) == 1, bodies
        deal.refresh_from_db()
        winner = (100, 200)[conflicts.index(False)] + round_
        assert (deal.amount, deal.version) == (Decimal(winner), 2 + round_)


def test_two_board_moves_from_one_version_never_both_win(clients, north_records):
    deal = north_records["deal"]
    pipeline = deal.pipeline
    targets = [
        north_records["other_stage"],
        StageFactory(pipeline=pipeline, name="Negotiation", order=3),
    ]
    home = north_records["stage"]
    url = reverse("deals:move", args=[deal.pk])
    for round_ in range(ROUNDS):
        deal.refresh_from_db()
        seen = {"version": deal.version, "from_stage": deal.stage_id, "next": "board"}

        answers = race(
            url,
            (clients["ana"], seen | {"stage": targets[0].pk}),
            (clients["maria"], seen | {"stage": targets[1].pk}),
            headers=HX,
        )

        bodies = [a.content.decode() for a in answers]
        refused = ["while you were looking" in b for b in bodies]
        assert refused.count(True) == 1, bodies
        deal.refresh_from_db()
        assert deal.stage_id == targets[refused.index(False)].pk
        assert deal.version == 2 + 2 * round_
        # Back home for the next round, as a third person would move it.
        Deal.objects.filter(pk=deal.pk).update(stage=home, version=deal.version + 1)


def test_two_done_clicks_on_one_task_write_it_once(clients, org):
    task = ActivityFactory(kind="task", subject="Send the offer", owner=org["ana"])
    url = reverse("contacts:activity-done", args=[task.pk])
    for round_ in range(ROUNDS):
        task.refresh_from_db()
        wanted = {"done": "false" if task.done else "true", "version": task.version}

        answers = race(url, (clients["ana"], wanted), (clients["maria"], wanted), headers=HX)

        bodies = [a.content.decode() for a in answers]
        told = ["is already" in b for b in bodies]
        assert told.count(True) == 1, bodies
        task.refresh_from_db()
        assert (task.done, task.version) == (round_ % 2 == 0, 2 + round_)


def test_two_note_saves_from_one_version_never_both_win(clients, org, north_records):
    agenda = Agenda.objects.create(title="Weekly", owner=org["maria"], team=org["maria"].team)
    meeting = Meeting.objects.create(agenda=agenda, started_by=org["maria"])
    url = reverse("reports:meetings:notes", args=[meeting.pk])
    clients["ana"].force_login(org["admin"])  # a second person who may change the notes
    for round_ in range(ROUNDS):
        meeting.refresh_from_db()
        seen = {"version": meeting.version, "base": meeting.notes}

        answers = race(
            url,
            (clients["ana"], seen | {"notes": f"Admin {round_}"}),
            (clients["maria"], seen | {"notes": f"Maria {round_}"}),
            headers=HX,
        )

        bodies = [a.content.decode() for a in answers]
        conflicts = ['class="conflict"' in b for b in bodies]
        assert conflicts.count(True) == 1, bodies
        meeting.refresh_from_db()
        winner = ("Admin", "Maria")[conflicts.index(False)]
        assert (meeting.notes, meeting.version) == (f"{winner} {round_}", 2 + round_)


def test_a_stale_done_click_never_reopens_a_task(clients, org):
    task = ActivityFactory(kind="task", subject="Call back", owner=org["ana"])
    url = reverse("contacts:activity-done", args=[task.pk])
    stale_page = {"done": "true", "version": task.version}  # both saw it open
    clients["maria"].post(url, stale_page, headers=HX)

    answer = clients["ana"].post(url, stale_page, headers=HX)

    task.refresh_from_db()
    assert (task.done, task.version) == (True, 2)
    assert "is already done" in answer.content.decode()


def test_a_task_reopened_meanwhile_is_marked_done_by_a_stale_page(clients, org):
    """The page showed it open and the user wants it done: a reopen in between changes nothing."""
    task = ActivityFactory(kind="task", subject="Call back", owner=org["ana"])
    url = reverse("contacts:activity-done", args=[task.pk])
    stale_page = {"done": "true", "version": 1}
    clients["maria"].post(url, {"done": "true", "version": 1}, headers=HX)
    clients["maria"].post(url, {"done": "false", "version": 2}, headers=HX)

    clients["ana"].post(url, stale_page, headers=HX)

    task.refresh_from_db()
    assert (task.done, task.version) == (True, 4)
    assert Activity.objects.filter(pk=task.pk, updated_by=org["ana"]).exists()


def test_two_saves_of_different_custom_fields_both_survive_and_of_one_never_both_win(
    clients, org, north_records
):
    """Custom values live in one JSON column; a save must not write back the other's stale
    copy of it (crm.forms.OwnedModelForm merges them field by field, crm/stale.py)."""
    CustomField.objects.create(model="deal", key="seats", label="Seats", type="number")
    CustomField.objects.create(model="deal", key="tier", label="Tier", type="text")
    url = reverse("deals:edit", args=[north_records["deal"].pk])
    for round_ in range(ROUNDS):
        deal = Deal.objects.get(pk=north_records["deal"].pk)
        anas = deal_form_post(deal, org["ana"], custom_seats=str(10 + round_))
        marias = deal_form_post(deal, org["maria"], custom_tier=f"Gold {round_}")
        answers = race(url, (clients["ana"], anas), (clients["maria"], marias))
        assert [a.status_code for a in answers] == [302, 302]
        deal.refresh_from_db()
        assert (deal.custom["seats"], deal.custom["tier"]) == (10 + round_, f"Gold {round_}")

        anas = deal_form_post(deal, org["ana"], custom_tier=f"Silver {round_}")
        marias = deal_form_post(deal, org["maria"], custom_tier=f"Bronze {round_}")
        answers = race(url, (clients["ana"], anas), (clients["maria"], marias))
        saved = [a.status_code == 302 for a in answers]
        assert saved.count(True) == 1, [a.status_code for a in answers]
        deal.refresh_from_db()
        assert deal.custom["tier"] == (f"Silver {round_}", f"Bronze {round_}")[saved.index(True)]
