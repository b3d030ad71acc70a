"""The board's cards (deals/cards.py) through the HTTP client: what a card says, what it offers
to someone who may move the deal and to someone who may only look, what it hides, and that
every value is escaped as a template would escape it."""

import html
import re

import pytest
from django.urls import reverse

from crm.models import VisibilityPolicy
from crm.visibility import forget_policy
from tests.factories import CompanyFactory, DealFactory, StageFactory

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def card_of(body: str, deal) -> str:
    match = re.search(rf'<article [^>]*id="deal-{deal.pk}".*?</article>', body, re.S)
    assert match, f"no card for deal {deal.pk}"
    return match.group(0)


def test_a_card_shows_title_link_company_amount_and_owner(client_for, org, north_records):
    deal = north_records["deal"]

    card = card_of(client_for("ana").get(reverse("deals:board")).content.decode(), deal)

    assert f'<a href="{deal.get_absolute_url()}">Nordwind rollout</a>' in card
    owner = str(org["ana"])
    assert f'<div class="muted">Nordwind GmbH · €10,000 · {owner}</div>' in card
    assert 'class="card deal-card"' in card  # neither moved nor read-only
    assert f'data-deal="{deal.pk}"' in card and 'tabindex="0"' in card


def test_an_editable_card_carries_its_move_form(client_for, client, north_records):
    deal = north_records["deal"]
    proposal = north_records["other_stage"]

    response = client_for("ana").get(reverse("deals:board"))
    card = card_of(response.content.decode(), deal)

    move = reverse("deals:move", args=[deal.pk])
    assert f'action="{move}"' in card and f'hx-post="{move}"' in card
    assert f'hx-target="#deal-{deal.pk}" hx-swap="delete"' in card
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)
    assert len(token) == 64
    assert f'name="version" value="{deal.version}"' in card
    assert f'name="from_stage" value="{deal.stage_id}"' in card
    assert f'<option value="{deal.stage_id}" selected>' in card
    assert f'<option value="{proposal.pk}">Proposal</option>' in card
    assert 'aria-label="Nordwind rollout: ← / → moves it to the previous / next stage"' in card
    assert 'name="lost_reason"' in card
    # The fields the card carries are the ones the move view takes.
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', card))
    moved = client.post(move, data | {"stage": proposal.pk}, headers=HX)
    assert moved.status_code == 200
    deal.refresh_from_db()
    assert deal.stage == proposal


def test_a_card_the_viewer_may_not_change_is_read_only(client_for, org, north_records):
    policy = VisibilityPolicy.objects.get_or_create(pk=1)[0]
    policy.deal_see, policy.deal_edit = "team", "own"
    policy.save()
    forget_policy()
    deal = north_records["deal"]  # ana's; ben sees it through the team, may not change it

    card = card_of(client_for("ben").get(reverse("deals:board")).content.decode(), deal)

    assert 'class="card deal-card readonly"' in card
    assert "<form" not in card and "aria-label" not in card
    assert "Nordwind rollout" in card


def test_a_card_hides_the_company_its_viewer_may_not_see(client_for, org, north_records):
    policy = VisibilityPolicy.objects.get_or_create(pk=1)[0]
    policy.company_see, policy.deal_see = "own", "team"
    policy.save()
    forget_policy()
    south_company = CompanyFactory(name="Südhafen AG", owner=org["carla"])
    deal = DealFactory(
        title="Shared deal",
        company=south_company,
        owner=org["ben"],
        stage=north_records["stage"],
        amount=5000,
    )

    card = card_of(client_for("ana").get(reverse("deals:board")).content.decode(), deal)

    assert "Südhafen" not in card
    assert f'<div class="muted">€5,000 · {org["ben"]}</div>' in card


def test_every_value_on_a_card_is_escaped(client_for, org, north_records):
    hostile = '<script>alert("x")</script> & co'
    company = CompanyFactory(name='"Quoted" <b>Co</b>', owner=org["ana"])
    deal = DealFactory(
        title=hostile, company=company, owner=org["ana"], stage=north_records["stage"]
    )

    body = client_for("ana").get(reverse("deals:board")).content.decode()
    card = card_of(body, deal)

    assert "<script>" not in card and "<b>" not in card
    assert f">{html.escape(hostile)}</a>" in card
    assert f'aria-label="Move {html.escape(hostile)} to stage"' in card
    assert html.escape('"Quoted" <b>Co</b>') in card


def test_a_moved_card_lands_marked_as_just_moved(client_for, north_records):
    deal = north_records["deal"]
    won = StageFactory(pipeline=deal.pipeline, name="Negotiation", order=3)

    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        {"version": deal.version, "from_stage": deal.stage_id, "stage": won.pk, "next": "board"},
        headers=HX,
    )

    landing = response.content.decode().split(f'hx-swap-oob="afterbegin:#cards-{won.pk}"', 1)[1]
    card = card_of(landing, deal)
    assert 'class="card deal-card just-moved"' in card
    assert f'name="version" value="{deal.version + 1}"' in card
    assert f'<option value="{won.pk}" selected>' in card
