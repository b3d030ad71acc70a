"""Settings → Pipelines (issue 14) through the HTTP client: pipelines and stages are added,
renamed, changed, reordered and removed by the admin alone, each change in the settings
history; a stage that holds deals goes only once its deals have moved, in one transaction,
each with a history row."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import SearchEntry, SettingChange
from deals.models import Deal, Pipeline, Stage
from tests.factories import DealFactory, PipelineFactory, StageFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def sales(north_records):
    """north_records' Sales pipeline (ana's deal in Qualified), with Won and Lost stages, and a
    second pipeline, Renewals."""
    pipeline = north_records["deal"].pipeline
    renewals = PipelineFactory(name="Renewals", order=1)
    return {
        "pipeline": pipeline,
        "deal": north_records["deal"],
        "qualified": north_records["stage"],
        "proposal": north_records["other_stage"],
        "won": StageFactory(pipeline=pipeline, name="Won", order=8, probability=100, is_won=True),
        "lost": StageFactory(pipeline=pipeline, name="Lost", order=9, probability=0, is_lost=True),
        "renewals": renewals,
        "renewal_due": StageFactory(pipeline=renewals, name="Renewal due", order=1),
    }


def names(pipeline) -> list[str]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("name"))


def stage_names(pipeline) -> list[str]:
    return [name for (name,) in names(pipeline)]


def ids(*stages) -> str:
    return ",".join(str(stage.pk) for stage in stages)


def order_url(pipeline) -> str:
    return reverse("settings-pipeline-order", args=[pipeline.pk])


def assert_fragment(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200, body[:1000]
    assert "<html" not in body and 'class="topbar"' not in body
    assert "HX-Request" in response["Vary"]
    return body


def last_change() -> SettingChange:
    return SettingChange.objects.order_by("-id").first()


# ---- the page -----------------------------------------------------------------------------------


def test_the_page_lists_each_pipeline_with_its_stages_in_order_and_their_deals(sales, client_for):
    DealFactory(stage=sales["qualified"], deleted_at=timezone.now())  # in the trash: counted
    DealFactory(stage=sales["won"])

    body = client_for("admin").get(reverse("settings-pipelines")).content.decode()

    sales_card = body[body.index(f'id="pipeline-{sales["pipeline"].pk}"') :]
    sales_card = sales_card[: sales_card.index("</section>")]
    rows = re.findall(r'<tr class="stage-row" id="stage-(\d+)"', sales_card)
    assert rows == [str(sales[s].pk) for s in ("qualified", "proposal", "won", "lost")]
    assert "4 stages · 3 deals" in sales_card
    assert "(1 in trash)" in sales_card
    assert ">Won</span>" in sales_card and ">Lost</span>" in sales_card
    assert "25 %" in sales_card  # Qualified's probability
    assert f'id="pipeline-{sales["renewals"].pk}"' in body and "Renewal due" in body
    assert 'name="name"' in body  # add a pipeline, add a stage


def test_the_settings_page_links_to_the_pipelines(org, client_for):
    body = client_for("admin").get(reverse("settings")).content.decode()

    assert f'href="{reverse("settings-pipelines")}"' in body


@pytest.mark.parametrize("username", ["maria", "ana"])
def test_only_an_admin_may_open_or_change_the_pipelines(sales, client_for, username):
    client = client_for(username)
    pipeline, stage = sales["pipeline"], sales["qualified"]
    before = (names(pipeline), list(Pipeline.objects.values_list("name")))

    assert client.get(reverse("settings-pipelines")).status_code == 403
    assert client.post(reverse("settings-pipeline-create"), {"name": "Mine"}).status_code == 403
    assert (
        client.post(
            reverse("settings-pipeline-edit", args=[pipeline.pk]), {"name": "X"}
        ).status_code
        == 403
    )
    assert client.post(reverse("settings-pipeline-remove", args=[pipeline.pk])).status_code == 403
    assert (
        client.post(
            reverse("settings-stage-create", args=[pipeline.pk]),
            {"name": "Mine", "probability": "5", "kind": "open"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("settings-stage-edit", args=[stage.pk]),
            {"name": "Mine", "probability": "5", "kind": "open"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("settings-stage-remove", args=[stage.pk]), {"into": sales["proposal"].pk}
        ).status_code
        == 403
    )
    assert (
        client.post(
            order_url(pipeline),
            {"seen": ids(*Stage.objects.filter(pipeline=pipeline).order_by("order")), "order": ""},
        ).status_code
        == 403
    )

    assert (names(pipeline), list(Pipeline.objects.values_list("name"))) == before
    assert not SettingChange.objects.exists()


@pytest.mark.parametrize(
    "many", [False, True], ids=["1 pipeline, 1 stage", "4 pipelines, 20 stages"]
)
def test_the_page_costs_the_same_queries_however_many_pipelines_and_stages(
    org, client_for, django_assert_num_queries, many
):
    for p in range(4 if many else 1):
        pipeline = PipelineFactory(name=f"Pipeline {p}", order=p)
        for s in range(5 if many else 1):
            stage = StageFactory(pipeline=pipeline, name=f"Stage {s}", order=s)
            DealFactory(stage=stage, owner=org["ana"])
    client = client_for("admin")

    with django_assert_num_queries(3):  # the user, the pipelines, their stages with counts
        response = client.get(reverse("settings-pipelines"))

    assert response.content.decode().count('<tr class="stage-row"') == (20 if many else 1)


# ---- pipelines ----------------------------------------------------------------------------------


def test_an_admin_adds_a_pipeline_which_starts_with_an_open_a_won_and_a_lost_stage(
    sales, client_for, org
):
    response = client_for("admin").post(reverse("settings-pipeline-create"), {"name": "Upsell"})

    pipeline = Pipeline.objects.get(name="Upsell")
    assert response.status_code == 302
    assert response.url == f"{reverse('settings-pipelines')}#pipeline-{pipeline.pk}"
    assert pipeline.order > sales["renewals"].order
    stages = list(pipeline.stages.order_by("order"))
    assert [(s.name, s.probability, s.is_open, s.is_won, s.is_lost) for s in stages] == [
        ("New", 10, True, False, False),
        ("Won", 100, False, True, False),
        ("Lost", 0, False, False, True),
    ]
    change = last_change()
    assert (change.by, change.area, change.subject, change.action) == (
        org["admin"],
        "pipeline",
        "Upsell",
        "added",
    )
    assert change.after == {"name": "Upsell", "stages": ["New", "Won", "Lost"]}


@pytest.mark.parametrize("name", ["renewals", "  Renewals ", ""])
def test_a_pipeline_name_that_is_taken_or_blank_is_refused_in_words(sales, client_for, name):
    response = client_for("admin").post(reverse("settings-pipeline-create"), {"name": name})

    assert response.status_code == 200
    body = response.content.decode()
    expected = {
        "renewals": "There is already a pipeline called “renewals”.",
        "  Renewals ": "There is already a pipeline called “Renewals”.",
        "": "This field is required.",
    }[name]
    assert expected in body
    assert Pipeline.objects.count() == 2 and not SettingChange.objects.exists()


def test_renaming_a_pipeline_is_recorded(sales, client_for):
    client = client_for("admin")
    url = reverse("settings-pipeline-edit", args=[sales["renewals"].pk])

    form = client.get(url).content.decode()
    response = client.post(url, {"name": "Renewals 2026"})

    assert re.search(r'<input[^>]*name="name"[^>]*autofocus', form)
    assert response.status_code == 302
    assert Pipeline.objects.get(pk=sales["renewals"].pk).name == "Renewals 2026"
    change = last_change()
    assert (change.area, change.action, change.before, change.after) == (
        "pipeline",
        "renamed",
        {"name": "Renewals"},
        {"name": "Renewals 2026"},
    )


def test_an_empty_pipeline_is_removed_with_its_stages_after_confirming(sales, client_for):
    client = client_for("admin")
    url = reverse("settings-pipeline-remove", args=[sales["renewals"].pk])

    asked = client.get(url).content.decode()
    response = client.post(url)

    assert "Remove “Renewals”" in asked and "Renewal due" in asked
    assert response.status_code == 302
    assert not Pipeline.objects.filter(name="Renewals").exists()
    assert not Stage.objects.filter(name="Renewal due").exists()
    change = last_change()
    assert (change.area, change.subject, change.action) == ("pipeline", "Renewals", "removed")
    assert change.before == {"name": "Renewals", "stages": ["Renewal due"]}


def test_a_pipeline_that_holds_deals_even_trashed_ones_is_not_removed(sales, client_for):
    DealFactory(stage=sales["renewal_due"], deleted_at=timezone.now())
    client = client_for("admin")
    url = reverse("settings-pipeline-remove", args=[sales["renewals"].pk])

    asked = client.get(url).content.decode()
    response = client.post(url)

    assert "holds 1 deal (in the trash too), so it stays" in asked
    assert 'type="submit"' not in asked.split('class="page"')[1]
    assert response.status_code == 409
    assert Pipeline.objects.filter(name="Renewals").exists()
    assert not SettingChange.objects.exists()


def test_the_only_pipeline_is_not_removed(org, client_for):
    pipeline = PipelineFactory(name="Only")
    StageFactory(pipeline=pipeline, name="Lead")

    response = client_for("admin").post(reverse("settings-pipeline-remove", args=[pipeline.pk]))

    assert response.status_code == 409
    assert "is the only pipeline, so it stays" in response.content.decode()
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


# ---- adding and changing stages -----------------------------------------------------------------


def stage_data(name="Negotiation", probability="60", kind="open") -> dict:
    return {"name": name, "probability": probability, "kind": kind}


def test_an_admin_adds_a_stage_after_the_last_open_one_and_it_is_on_the_board_at_once(
    sales, client_for, org
):
    client = client_for("admin")
    pipeline = sales["pipeline"]

    response = client.post(reverse("settings-stage-create", args=[pipeline.pk]), stage_data())

    assert response.status_code == 302
    assert stage_names(pipeline) == ["Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    stage = Stage.objects.get(name="Negotiation")
    assert (stage.probability, stage.is_open) == (60, True)
    change = last_change()
    assert (change.by, change.area, change.subject, change.action) == (
        org["admin"],
        "stage",
        "Sales: Negotiation",
        "added",
    )
    assert change.after == {"name": "Negotiation", "probability": 60, "kind": "open"}
    board = client.get(reverse("deals:board")).content.decode()
    columns = re.findall(r'<section class="column[^"]*" data-stage="(\d+)"', board)
    assert columns == [
        str(s.pk)
        for s in (sales["qualified"], sales["proposal"], stage, sales["won"], sales["lost"])
    ]


def test_a_won_or_lost_stage_is_added_at_the_end_counting_100_or_0(sales, client_for):
    client = client_for("admin")
    url = reverse("settings-stage-create", args=[sales["pipeline"].pk])

    client.post(url, stage_data("Won elsewhere", "40", "won"))
    client.post(url, stage_data("Lost to price", "40", "lost"))

    assert stage_names(sales["pipeline"])[-2:] == ["Won elsewhere", "Lost to price"]
    assert Stage.objects.get(name="Won elsewhere").probability == 100
    assert Stage.objects.get(name="Lost to price").probability == 0


def test_adding_a_stage_by_htmx_answers_with_the_pipeline_card_ready_for_the_next(
    sales, client_for
):
    pipeline = sales["pipeline"]

    response = client_for("admin").post(
        reverse("settings-stage-create", args=[pipeline.pk]), stage_data(), headers=HX
    )

    body = assert_fragment(response)
    assert body.startswith(f'\n<section class="card pipeline-settings" id="pipeline-{pipeline.pk}"')
    assert "Negotiation" in body and "Renewal due" not in body
    assert re.search(
        rf'id="new-stage-{pipeline.pk}-name"[^>]*autofocus|autofocus[^>]*id="new-stage-{pipeline.pk}-name"',
        body,
    )
    assert "Added the stage “Negotiation” to “Sales”." in body  # the message, out of band
    assert 'hx-swap-oob="true"' in body


def test_a_stage_refused_by_htmx_comes_back_with_its_errors_and_the_focus_on_the_first(
    sales, client_for
):
    pipeline = sales["pipeline"]

    response = client_for("admin").post(
        reverse("settings-stage-create", args=[pipeline.pk]),
        stage_data(name="Proposal", probability="101"),
        headers=HX,
    )

    body = assert_fragment(response)
    assert "“Sales” already has a stage called “Proposal”." in body
    assert "Give a probability from 0 to 100: it cannot be above 100." in body
    assert re.search(
        r'<input[^>]*name="name"[^>]*autofocus|<input[^>]*autofocus[^>]*name="name"', body
    )
    assert Stage.objects.filter(pipeline=pipeline).count() == 4


@pytest.mark.parametrize(
    ("name", "probability", "message"),
    [
        ("proposal", "50", "“Sales” already has a stage called “proposal”."),
        ("  ", "50", "This field is required."),
        ("Demo", "-1", "Give a probability from 0 to 100: it cannot be below 0."),
        ("Demo", "101", "Give a probability from 0 to 100: it cannot be above 100."),
        ("Demo", "12.5", "Give a probability from 0 to 100, as a whole number."),
        ("Demo", "", "Give a probability from 0 to 100."),
    ],
)
def test_a_stage_with_a_name_taken_in_its_pipeline_or_a_probability_outside_0_to_100_is_refused(
    sales, client_for, name, probability, message
):
    response = client_for("admin").post(
        reverse("settings-stage-create", args=[sales["pipeline"].pk]),
        stage_data(name=name, probability=probability),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert stage_names(sales["pipeline"]) == ["Qualified", "Proposal", "Won", "Lost"]
    assert not SettingChange.objects.exists()


def test_the_same_stage_name_is_fine_in_another_pipeline(sales, client_for):
    response = client_for("admin").post(
        reverse("settings-stage-create", args=[sales["renewals"].pk]), stage_data("Proposal")
    )

    assert response.status_code == 302
    assert stage_names(sales["renewals"]) == ["Renewal due", "Proposal"]


def test_editing_a_stage_opens_with_the_focus_on_its_name_and_a_rename_is_recorded(
    sales, client_for
):
    client = client_for("admin")
    url = reverse("settings-stage-edit", args=[sales["proposal"].pk])

    form = client.get(url).content.decode()
    response = client.post(url, stage_data("Offer", "25", "open"))

    assert re.search(r'<input[^>]*name="name"[^>]*autofocus', form)
    assert response.status_code == 302
    assert stage_names(sales["pipeline"]) == ["Qualified", "Offer", "Won", "Lost"]
    change = last_change()
    assert (change.area, change.subject, change.action) == ("stage", "Sales: Offer", "renamed")
    assert (change.before["name"], change.after["name"]) == ("Proposal", "Offer")


def test_a_new_probability_is_saved_and_recorded_as_a_change(sales, client_for):
    client = client_for("admin")

    client.post(
        reverse("settings-stage-edit", args=[sales["qualified"].pk]),
        stage_data("Qualified", "40", "open"),
    )

    assert Stage.objects.get(pk=sales["qualified"].pk).probability == 40
    change = last_change()
    assert (change.action, change.before["probability"], change.after["probability"]) == (
        "changed",
        25,
        40,
    )


def test_the_last_open_stage_cannot_become_won_or_lost(org, client_for):
    pipeline = PipelineFactory(name="Tiny")
    only_open = StageFactory(pipeline=pipeline, name="Talking", order=1)
    StageFactory(pipeline=pipeline, name="Won", order=2, is_won=True, probability=100)

    response = client_for("admin").post(
        reverse("settings-stage-edit", args=[only_open.pk]), stage_data("Talking", "10", "won")
    )

    assert response.status_code == 200
    assert "“Tiny” needs at least one open stage, and this is its last." in (
        response.content.decode()
    )
    assert Stage.objects.get(pk=only_open.pk).is_open


def test_a_stage_that_holds_deals_keeps_its_kind_whatever_is_posted(sales, client_for):
    client = client_for("admin")
    url = reverse("settings-stage-edit", args=[sales["qualified"].pk])

    form = client.get(url).content.decode()
    response = client.post(url, stage_data("Qualified", "30", "lost"))

    assert re.search(r'<select[^>]*name="kind"[^>]*disabled', form)
    assert "Fixed while the stage holds deals (1)" in form
    assert response.status_code == 302
    stage = Stage.objects.get(pk=sales["qualified"].pk)
    assert stage.is_open and stage.probability == 30
    assert last_change().after["kind"] == "open"


def test_a_stage_of_another_pipeline_is_checked_against_its_own_names(sales, client_for):
    response = client_for("admin").post(
        reverse("settings-stage-edit", args=[sales["renewal_due"].pk]),
        stage_data("Qualified", "30", "open"),
    )

    assert response.status_code == 302
    assert Stage.objects.get(pk=sales["renewal_due"].pk).name == "Qualified"


# ---- reordering ---------------------------------------------------------------------------------


def test_each_stage_s_move_buttons_post_the_order_with_it_moved(sales, client_for):
    body = client_for("admin").get(reverse("settings-pipelines")).content.decode()
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))

    seen = f'name="seen" value="{ids(q, p, w, lost)}"'
    assert seen in body
    assert f'name="order" value="{ids(p, q, w, lost)}"' in body  # Proposal up, or Qualified down
    assert re.search(rf'id="stage-{q.pk}-up"[^>]*disabled', body)
    assert re.search(rf'id="stage-{lost.pk}-down"[^>]*disabled', body)
    assert 'aria-label="Move Proposal up"' in body


def test_moving_a_stage_up_without_javascript_saves_the_order_and_records_it(sales, client_for):
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))

    response = client_for("admin").post(
        order_url(sales["pipeline"]), {"seen": ids(q, p, w, lost), "order": ids(p, q, w, lost)}
    )

    assert response.status_code == 302
    assert stage_names(sales["pipeline"]) == ["Proposal", "Qualified", "Won", "Lost"]
    change = last_change()
    assert (change.area, change.subject, change.action) == ("pipeline", "Sales", "reordered")
    assert change.before == {"stages": ["Qualified", "Proposal", "Won", "Lost"]}
    assert change.after == {"stages": ["Proposal", "Qualified", "Won", "Lost"]}


def test_a_drag_by_htmx_answers_with_the_card_in_the_new_order(sales, client_for):
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))

    response = client_for("admin").post(
        order_url(sales["pipeline"]),
        {"seen": ids(q, p, w, lost), "order": ids(w, q, p, lost)},
        headers=HX,
    )

    body = assert_fragment(response)
    assert re.findall(r'id="stage-(\d+)"', body) == [str(s.pk) for s in (w, q, p, lost)]
    assert f'name="seen" value="{ids(w, q, p, lost)}"' in body
    assert stage_names(sales["pipeline"]) == ["Won", "Qualified", "Proposal", "Lost"]


def test_the_same_order_again_changes_nothing(sales, client_for):
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))

    client_for("admin").post(
        order_url(sales["pipeline"]), {"seen": ids(q, p, w, lost), "order": ids(q, p, w, lost)}
    )

    assert not SettingChange.objects.exists()


@pytest.mark.parametrize(
    ("order", "status", "message"),
    [
        ("renewal_due", 400, "is not a stage of “Sales”"),
        ("forged", 400, "99999999 is not a stage of “Sales”"),
        ("missing", 400, "the order must name each stage of “Sales” once"),
        ("twice", 400, "the order must name each stage of “Sales” once"),
        ("garbage", 400, "that order was not understood"),
    ],
)
def test_a_reorder_naming_a_foreign_or_forged_stage_is_refused_and_changes_nothing(
    sales, client_for, order, status, message
):
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))
    posted = {
        "renewal_due": ids(p, q, w, lost, sales["renewal_due"]),
        "forged": f"{ids(p, q, w)},99999999",
        "missing": ids(p, q, w),
        "twice": ids(p, q, q, w, lost),
        "garbage": "1;DROP TABLE",
    }[order]

    response = client_for("admin").post(
        order_url(sales["pipeline"]), {"seen": ids(q, p, w, lost), "order": posted}
    )

    assert response.status_code == status
    assert message in response.content.decode()
    assert stage_names(sales["pipeline"]) == ["Qualified", "Proposal", "Won", "Lost"]
    assert stage_names(sales["renewals"]) == ["Renewal due"]
    assert not SettingChange.objects.exists()


def test_a_reorder_from_a_stale_page_is_refused_with_409_and_changes_nothing(sales, client_for):
    q, p, w, lost = (sales[s] for s in ("qualified", "proposal", "won", "lost"))
    seen = ids(q, p, w, lost)
    client = client_for("admin")
    client.post(  # someone else adds a stage meanwhile
        reverse("settings-stage-create", args=[sales["pipeline"].pk]), stage_data("Demo")
    )
    added = Stage.objects.get(name="Demo")

    response = client.post(
        order_url(sales["pipeline"]), {"seen": seen, "order": ids(p, q, w, lost)}
    )
    htmx = client.post(
        order_url(sales["pipeline"]), {"seen": seen, "order": ids(p, q, w, lost)}, headers=HX
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "the stages of “Sales” changed since this page was loaded" in body
    assert f'name="seen" value="{ids(q, p, added, w, lost)}"' in body  # the page as it is now
    assert htmx.status_code == 409 and htmx["Content-Type"].startswith("text/plain")
    assert "changed since this page was loaded" in htmx.content.decode()
    assert stage_names(sales["pipeline"]) == ["Qualified", "Proposal", "Demo", "Won", "Lost"]
    assert last_change().action == "added"


# ---- removing stages ----------------------------------------------------------------------------


def test_a_stage_without_deals_is_removed_once_confirmed(sales, client_for):
    client = client_for("admin")
    url = reverse("settings-stage-remove", args=[sales["proposal"].pk])

    asked = client.get(url).content.decode()
    response = client.post(url)

    assert "“Proposal” holds no deals. Remove it from “Sales”?" in asked
    assert 'name="into"' not in asked
    assert response.status_code == 302
    assert stage_names(sales["pipeline"]) == ["Qualified", "Won", "Lost"]
    change = last_change()
    assert (change.area, change.subject, change.action) == ("stage", "Sales: Proposal", "removed")
    assert change.before["deals"] == 0


def test_a_stage_that_holds_deals_asks_where_they_go_and_stays_without_an_answer(sales, client_for):
    DealFactory(stage=sales["qualified"], deleted_at=timezone.now())
    client = client_for("admin")
    url = reverse("settings-stage-remove", args=[sales["qualified"].pk])

    asked = client.get(url).content.decode()
    response = client.post(url)

    assert "“Qualified” holds 2 deals</strong> (1 of them in the trash). Where do they go?" in asked
    choices = re.findall(r'<option value="(\d*)"', asked)
    assert choices == ["", *(str(sales[s].pk) for s in ("proposal", "won", "lost"))]
    assert response.status_code == 200
    assert "Choose where its deals go." in response.content.decode()
    assert Stage.objects.filter(pk=sales["qualified"].pk).exists()
    assert Deal.all_objects.filter(stage=sales["qualified"]).count() == 2
    assert not SettingChange.objects.exists()


def test_removing_a_stage_moves_every_deal_to_the_chosen_one_each_with_a_history_row(
    sales, client_for, org
):
    qualified, proposal = sales["qualified"], sales["proposal"]
    ana_deal = sales["deal"]
    trashed = DealFactory(stage=qualified, deleted_at=timezone.now(), title="Binned")
    others = DealFactory.create_batch(3, stage=qualified)
    moving = [ana_deal, trashed, *others]
    versions = {d.pk: Deal.all_objects.get(pk=d.pk).version for d in moving}

    response = client_for("admin").post(
        reverse("settings-stage-remove", args=[qualified.pk]), {"into": proposal.pk}
    )

    assert response.status_code == 302
    assert not Stage.objects.filter(pk=qualified.pk).exists()
    for deal in moving:
        deal = Deal.all_objects.get(pk=deal.pk)
        assert deal.stage_id == proposal.pk
        assert deal.version == versions[deal.pk] + 1
        assert deal.updated_by == org["admin"]
        latest = deal.history.order_by("-history_id").first()
        assert latest.stage_id == proposal.pk
        assert latest.history_user == org["admin"]
        assert latest.history_change_reason == "Stage “Qualified” removed: moved to “Proposal”"
        earlier = deal.history.order_by("-history_id")[1]
        assert earlier.stage_id == qualified.pk  # what it was stays in its history
    assert Deal.all_objects.get(pk=trashed.pk).deleted_at is not None  # still in the trash
    assert SearchEntry.objects.filter(kind="deal", object_id=ana_deal.pk).exists()
    change = last_change()
    assert (change.area, change.subject, change.action) == ("stage", "Sales: Qualified", "merged")
    assert change.before["deals"] == 5 and change.after == {
        "deals": 0,
        "deals moved to": "Proposal",
    }


def test_deals_moved_to_a_won_stage_are_closed(sales, client_for):
    client_for("admin").post(
        reverse("settings-stage-remove", args=[sales["qualified"].pk]), {"into": sales["won"].pk}
    )

    deal = Deal.objects.get(pk=sales["deal"].pk)
    assert deal.stage == sales["won"] and deal.closed_at is not None


def test_deals_moved_to_a_lost_stage_need_a_reason_and_a_lost_deal_keeps_its_own(sales, client_for):
    client = client_for("admin")
    pipeline, lost = sales["pipeline"], sales["lost"]
    lost_deal = DealFactory(stage=lost, lost_reason="Price")
    other_lost = StageFactory(pipeline=pipeline, name="Lost (other)", order=10, is_lost=True)
    url = reverse("settings-stage-remove", args=[sales["qualified"].pk])

    refused = client.post(url, {"into": lost.pk})
    client.post(url, {"into": lost.pk, "lost_reason": "Went quiet"})
    client.post(reverse("settings-stage-remove", args=[lost.pk]), {"into": other_lost.pk})

    assert "Say why they were lost: “Lost” is a lost stage." in refused.content.decode()
    ana_deal = Deal.objects.get(pk=sales["deal"].pk)
    assert (ana_deal.stage, ana_deal.lost_reason) == (other_lost, "Went quiet")
    assert ana_deal.closed_at is not None
    assert Deal.objects.get(pk=lost_deal.pk).lost_reason == "Price"
    assert stage_names(pipeline) == ["Proposal", "Won", "Lost (other)"]


@pytest.mark.parametrize("target", ["renewal_due", "itself", "forged"])
def test_the_deals_go_only_to_another_stage_of_the_same_pipeline(sales, client_for, target):
    into = {
        "renewal_due": sales["renewal_due"].pk,
        "itself": sales["qualified"].pk,
        "forged": 99999999,
    }[target]

    response = client_for("admin").post(
        reverse("settings-stage-remove", args=[sales["qualified"].pk]), {"into": into}
    )

    assert response.status_code == 200
    assert "Choose one of the other stages of this pipeline." in response.content.decode()
    assert Deal.objects.get(pk=sales["deal"].pk).stage == sales["qualified"]
    assert Stage.objects.filter(pk=sales["qualified"].pk).exists()


def test_a_deal_that_cannot_move_stops_the_whole_removal_and_nothing_changes(sales, client_for):
    """The deals move one by one in one transaction: the last one fails (its pipeline is not its
    stage's, as only a direct write to the database can make it), so the ones before it are
    back where they were, with no new version or history, and the stage stays."""
    qualified = sales["qualified"]
    deals = DealFactory.create_batch(2, stage=qualified)
    broken = DealFactory(stage=qualified)
    Deal.all_objects.filter(pk=broken.pk).update(pipeline=sales["renewals"])
    moving = [sales["deal"], *deals, broken]
    before = {d.pk: (Deal.all_objects.get(pk=d.pk).version, d.history.count()) for d in moving}
    client = client_for("admin")

    response = client.post(
        reverse("settings-stage-remove", args=[qualified.pk]), {"into": sales["proposal"].pk}
    )

    assert response.status_code == 302
    assert response.url == reverse("settings-stage-remove", args=[qualified.pk])
    page = client.get(response.url).content.decode()
    assert "Nothing was moved or removed: That stage belongs to another pipeline." in page
    assert Stage.objects.filter(pk=qualified.pk).exists()
    for deal in moving:
        deal = Deal.all_objects.get(pk=deal.pk)
        assert deal.stage_id == qualified.pk
        assert (deal.version, deal.history.count()) == before[deal.pk]
    assert not SettingChange.objects.exists()


def test_the_last_open_stage_is_not_removed(org, client_for):
    pipeline = PipelineFactory(name="Tiny")
    talking = StageFactory(pipeline=pipeline, name="Talking", order=1)
    StageFactory(pipeline=pipeline, name="Won", order=2, is_won=True)
    client = client_for("admin")
    url = reverse("settings-stage-remove", args=[talking.pk])

    asked = client.get(url).content.decode()
    response = client.post(url)

    assert "is the last open stage of “Tiny”" in asked
    assert "Remove “Talking”" not in asked.split('class="page"')[1]
    assert response.status_code == 409
    assert Stage.objects.filter(pk=talking.pk).exists()


def test_the_settings_history_lists_the_pipeline_changes(sales, client_for):
    client = client_for("admin")
    client.post(
        reverse("settings-stage-remove", args=[sales["qualified"].pk]),
        {"into": sales["proposal"].pk},
    )

    body = client.get(reverse("settings-history")).content.decode()

    assert "Merged stage <strong>Sales: Qualified</strong>" in body
    assert "deals moved to:</span> — → Proposal" in body
