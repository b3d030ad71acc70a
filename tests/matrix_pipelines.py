"""Visibility matrix cases for Settings → Pipelines (issue 14): the admin's alone, whatever the
policy. Managers and reps get 403 for every page and every change (405 for a GET of the
POST-only URLs, before anything is looked up); the admin's changes happen. The pages name no
deal, so ana's deal title shows to nobody.

The records: north_records' deal (ana's, "Nordwind rollout") is in the Sales pipeline's
Qualified stage; Proposal is the pipeline's other stage."""

from __future__ import annotations

from deals.models import Deal, Pipeline, Stage
from tests.factories import PipelineFactory, StageFactory
from tests.matrix import (
    ADMIN_HX,
    ADMIN_PAGE,
    ADMIN_POST,
    GET,
    METHOD_NOT_ALLOWED,
    POST,
    POST_HX,
    Case,
    page,
)

ADMIN = frozenset({"admin"})
NOBODY = frozenset()
DEAL = "Nordwind rollout"


def _pipeline_pk(records) -> dict:
    return {"pk": records["stage"].pipeline_id}


def _empty_pipeline(records) -> None:
    records["empty"] = PipelineFactory(name="Matrix empty", order=5)
    StageFactory(pipeline=records["empty"], name="Matrix lead")


def _ids(*stages) -> str:
    return ",".join(str(stage.pk) for stage in stages)


def _swap(records, user) -> dict:
    stage, other = records["stage"], records["other_stage"]
    return {"seen": _ids(stage, other), "order": _ids(other, stage)}


def _swapped(records) -> bool:
    return Stage.objects.get(pk=records["other_stage"].pk).order < (
        Stage.objects.get(pk=records["stage"].pk).order
    )


def _merged(records) -> bool:
    deal = Deal.all_objects.get(pk=records["deal"].pk)
    gone = not Stage.objects.filter(pk=records["stage"].pk).exists()
    return gone and deal.stage_id == records["other_stage"].pk


CASES: list[Case] = [
    page("settings-pipelines", ADMIN_PAGE, (GET,), shows=DEAL, shown_to=NOBODY),
    Case(
        "settings-pipeline-create",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST},
        data=lambda r, user: {"name": "Matrix pipeline"},
        changed=lambda r: Pipeline.objects.filter(name="Matrix pipeline").exists(),
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
    ),
    Case(
        "settings-pipeline-edit",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=_pipeline_pk,
        data=lambda r, user: {"name": "Matrix renamed"},
        changed=lambda r: Pipeline.objects.filter(name="Matrix renamed").exists(),
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
    ),
    Case(
        "settings-pipeline-remove",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=lambda r: {"pk": r["empty"].pk},
        setup=_empty_pipeline,
        changed=lambda r: not Pipeline.objects.filter(name="Matrix empty").exists(),
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
    ),
    Case(
        "settings-pipeline-order",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST, POST_HX: ADMIN_HX},
        kwargs=_pipeline_pk,
        data=_swap,
        changed=_swapped,
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
        fragment='class="card pipeline-settings"',
    ),
    Case(
        "settings-stage-create",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST, POST_HX: ADMIN_HX},
        kwargs=_pipeline_pk,
        data=lambda r, user: {"name": "Matrix stage", "probability": "30", "kind": "open"},
        changed=lambda r: Stage.objects.filter(name="Matrix stage").exists(),
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
        fragment='class="card pipeline-settings"',
    ),
    Case(
        "settings-stage-edit",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=lambda r: {"pk": r["other_stage"].pk},
        data=lambda r, user: {"name": "Matrix offer", "probability": "45", "kind": "open"},
        changed=lambda r: Stage.objects.filter(name="Matrix offer", probability=45).exists(),
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
    ),
    Case(
        "settings-stage-remove",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=lambda r: {"pk": r["stage"].pk},
        data=lambda r, user: {"into": r["other_stage"].pk},
        changed=_merged,
        changers=ADMIN,
        shows=DEAL,
        shown_to=NOBODY,
    ),
]
