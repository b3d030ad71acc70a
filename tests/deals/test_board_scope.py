"""The board's "Mine / team" switch: a GET parameter, kept in the address, refreshed by htmx;
a move made on "Mine" counts the column heads over the viewer's own deals."""

import re

import pytest
from django.urls import reverse

from tests.factories import DealFactory, StageFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def board(org):
    """ana and ben (North) each own a deal in Proposal; ben's is the bigger one."""
    proposal = StageFactory(name="Proposal", order=2)
    qualified = StageFactory(pipeline=proposal.pipeline, name="Qualified", order=1)
    ana = DealFactory(title="Ana's pilot", stage=proposal, owner=org["ana"], amount=1000)
    ben = DealFactory(title="Ben's rollout", stage=proposal, owner=org["ben"], amount=5000)
    return {"proposal": proposal, "qualified": qualified, "ana": ana, "ben": ben}


def head(body: str, stage) -> str:
    match = re.search(rf'<header id="column-head-{stage.pk}"[^>]*>(.*?)</header>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_team_shows_every_deal_the_viewer_may_see(client_for, board):
    body = client_for("ana").get(reverse("deals:board")).content.decode()
    assert "Ana&#x27;s pilot" in body and "Ben&#x27;s rollout" in body
    assert " 2 · " in head(body, board["proposal"])
    assert re.search(r'<a href="\?pipeline=\d+&amp;scope=team" aria-current="true"', body)


def test_mine_shows_only_the_viewers_deals_and_counts_only_them(client_for, board):
    body = client_for("ana").get(reverse("deals:board"), {"scope": "mine"}).content.decode()
    assert "Ana&#x27;s pilot" in body
    assert "Ben&#x27;s rollout" not in body
    assert " 1 · " in head(body, board["proposal"])
    assert re.search(r'<a href="\?pipeline=\d+&amp;scope=mine" aria-current="true"', body)
    # The pipeline choice keeps the switch.
    assert '<input type="hidden" name="scope" value="mine">' in body


def test_the_switch_by_htmx_returns_the_board_and_the_switch_only(client_for, board):
    response = client_for("ana").get(reverse("deals:board"), {"scope": "mine"}, headers=HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="board" id="board">')
    assert 'class="topbar"' not in body
    assert "Ben&#x27;s rollout" not in body
    assert 'id="scope-switch" aria-label="Whose deals" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]


def test_an_unknown_scope_shows_the_team(client_for, board):
    response = client_for("ana").get(reverse("deals:board"), {"scope": "<everyone>"})
    assert response.status_code == 200
    assert "Ben&#x27;s rollout" in response.content.decode()


def test_a_move_made_on_mine_counts_the_heads_over_my_deals(client_for, board):
    deal = board["ana"]
    page = "http://testserver" + reverse("deals:board") + "?scope=mine"
    response = client_for("ana").post(
        reverse("deals:move", args=[deal.pk]),
        {
            "stage": board["qualified"].pk,
            "version": deal.version,
            "from_stage": deal.stage_id,
            "next": "board",
        },
        headers=HX | {"HX-Current-URL": page},
    )
    body = response.content.decode()
    assert " 1 · " in head(body, board["qualified"])
    assert " 0 · " in head(body, board["proposal"])  # ben's deal is not counted on "Mine"
