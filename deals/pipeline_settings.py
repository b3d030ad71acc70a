"""Settings → Pipelines: an admin adds, renames and removes pipelines, and adds, changes,
reorders and removes their stages, in the app and taking effect at once (the board, the deal
forms and the reports read the stages on every request). Every change is kept in the settings
history (crm.SettingChange), like the fields' (crm/field_settings.py).

A stage that holds deals is never removed without asking where they go: its deals (closed and
trashed ones too) move to the stage chosen, each through the stage-move service — so each gets
its new version and a history row that names the move — and the stage goes, all in one
transaction (`stage_remove`). Merging a stage into another is the same operation.

A reorder says the order wanted and the order the page showed (`seen`): if the stages changed
since, nothing moves (409), and an order naming a stage that is not the pipeline's is refused
(400). The page's "Move up" / "Move down" buttons post the same shape as a drag, so both work
without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm import visibility
from crm.converters import is_id
from crm.models import SettingChange
from crm.records import retry_if_stale
from deals.models import Deal, Pipeline, Stage
from deals.pipeline_forms import (
    LOST,
    OPEN,
    WON,
    PipelineForm,
    StageForm,
    StageRemoveForm,
    kind_of,
)
from deals.services import deal_move_stage

PAGE = "deals/settings_pipelines.html"
# A new pipeline starts where deals can start, be won and be lost; the admin renames and adds.
NEW_PIPELINE_STAGES = (("New", 10, OPEN), ("Won", 100, WON), ("Lost", 0, LOST))


SETTINGS_OF = "the pipelines and their stages"  # what the 403 says only an admin may change


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _stage_intro(deal_count: int) -> str:
    held = f"{deal_count} deal{'s' if deal_count != 1 else ''}" if deal_count else "No deal"
    them = "them" if deal_count else "its deals"
    return (
        f"{held} in this stage. A new name and probability apply to {them} at once, on the "
        "board and in the reports."
    )


def _page_url(pipeline_id: int) -> str:
    return f"{reverse('settings-pipelines')}#pipeline-{pipeline_id}"


# ---- the settings history ----------------------------------------------------------------------


def _stage_snapshot(stage: Stage) -> dict:
    return {"name": stage.name, "probability": stage.probability, "kind": kind_of(stage)}


def _stage_subject(stage: Stage, pipeline: Pipeline) -> str:
    return f"{pipeline.name}: {stage.name}"


def _record(request, *, area: str, subject: str, action: str, before: dict, after: dict) -> None:
    SettingChange.objects.create(
        by=request.user, area=area, subject=subject, action=action, before=before, after=after
    )


# ---- services ----------------------------------------------------------------------------------


def _renumber(stages: list[Stage]) -> None:
    """Number the stages 1, 2, 3… as listed (one UPDATE, of those whose number changes)."""
    changed = []
    for number, stage in enumerate(stages, 1):
        if stage.order != number:
            stage.order = number
            changed.append(stage)
    if changed:
        Stage.objects.bulk_update(changed, ["order"])


@transaction.atomic
def pipeline_add(*, pipeline: Pipeline) -> list[Stage]:
    """Save a new pipeline, last, with the stages of NEW_PIPELINE_STAGES."""
    pipeline.order = (Pipeline.objects.aggregate(last=Max("order"))["last"] or 0) + 1
    pipeline.save()
    return Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name=name,
            probability=probability,
            order=number,
            is_won=kind == WON,
            is_lost=kind == LOST,
        )
        for number, (name, probability, kind) in enumerate(NEW_PIPELINE_STAGES, 1)
    )


@transaction.atomic
def stage_add(*, pipeline: Pipeline, stage: Stage) -> Stage:
    """Save a new stage: an open one after the pipeline's last open stage (so before Won and
    Lost), a won or lost one at the end."""
    stages = list(
        Stage.objects.select_for_update().filter(pipeline=pipeline).order_by("order", "id")
    )
    stage.pipeline = pipeline
    stage.order = len(stages) + 1
    stage.save()
    at = len(stages)
    if stage.is_open:
        at = max((i + 1 for i, s in enumerate(stages) if s.is_open), default=0)
    stages.insert(at, stage)
    _renumber(stages)
    return stage


def is_last_open(stage: Stage) -> bool:
    others = Stage.objects.filter(pipeline_id=stage.pipeline_id, is_won=False, is_lost=False)
    return stage.is_open and not others.exclude(pk=stage.pk).exists()


@transaction.atomic
def stage_remove(*, stage: Stage, into: Stage | None, by, lost_reason: str = "") -> int:
    """Move every deal of `stage` to `into` and delete `stage`; returns how many deals moved.

    One transaction: if any deal cannot move (ValidationError, or StaleRecord when it changed
    meanwhile), nothing has moved and the stage is still there. Closed and trashed deals move
    too (a stage with any deal cannot be deleted). Each moves through `deal_move_stage`, as a
    move on the board would — new version, closed or reopened by the new stage's kind — and its
    history row says why. A deal going to a lost stage keeps its own lost reason, if it has one.
    """
    stage = Stage.objects.select_for_update().select_related("pipeline").get(pk=stage.pk)
    if is_last_open(stage):
        raise ValidationError(f"“{stage.pipeline.name}” needs at least one open stage.")
    deals = list(Deal.all_objects.select_for_update().filter(stage=stage).order_by("pk"))
    if deals and into is None:
        raise ValidationError(f"“{stage.name}” holds deals now: choose where they go.")
    if into is not None and (into.pk == stage.pk or into.pipeline_id != stage.pipeline_id):
        raise ValidationError("The deals can only go to another stage of the same pipeline.")
    why = f"Stage “{stage.name}” removed: moved to “{into.name}”" if into else ""
    for deal in deals:
        deal._change_reason = why[:100]  # django-simple-history's history_change_reason
        deal_move_stage(deal=deal, stage=into, by=by, lost_reason=deal.lost_reason or lost_reason)
    stage.delete()
    return len(deals)


class OrderRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _ids(text: str | None) -> list[int] | None:
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    return [int(part) for part in parts] if all(is_id(part) for part in parts) else None


def wanted_order(pipeline: Pipeline, stages: list[Stage], order: str, seen: str) -> list[Stage]:
    """The stages in the order posted, if it is a new order of exactly the stages the page
    showed, in the order it showed them (else OrderRefused, with the status and the words)."""
    wanted, shown = _ids(order), _ids(seen)
    if wanted is None or shown is None:
        raise OrderRefused(
            400, "Not moved: that order was not understood. Reload the page and try again."
        )
    by_id = {stage.pk: stage for stage in stages}
    if shown != list(by_id):
        raise OrderRefused(
            409,
            f"Not moved: the stages of “{pipeline.name}” changed since this page was loaded "
            "(someone added, removed or moved one). Nothing was changed; they are shown as "
            "they are now.",
        )
    strangers = [pk for pk in wanted if pk not in by_id]
    if strangers:
        raise OrderRefused(
            400,
            f"Not moved: {strangers[0]} is not a stage of “{pipeline.name}”. Nothing was changed.",
        )
    if sorted(wanted) != sorted(by_id):
        raise OrderRefused(
            400,
            f"Not moved: the order must name each stage of “{pipeline.name}” once. "
            "Nothing was changed.",
        )
    return [by_id[pk] for pk in wanted]


# ---- what the page shows -----------------------------------------------------------------------


def _swapped(ids: list[int], i: int, j: int) -> str:
    ids = list(ids)
    ids[i], ids[j] = ids[j], ids[i]
    return ",".join(map(str, ids))


def _pipelines(*, pk: int | None = None, add_form: StageForm | None = None, focus_add=False):
    """The pipelines with their stages in order, each stage with its number of deals (trashed
    ones too: they block a removal as much) and the orders its Move up / Move down post. Two
    queries, however many pipelines and stages."""
    stages = Stage.objects.annotate(
        deal_count=Count("deals"),
        trashed=Count("deals", filter=Q(deals__deleted_at__isnull=False)),
    ).order_by("order", "id")
    pipelines = Pipeline.objects.prefetch_related(Prefetch("stages", stages, to_attr="rows"))
    if pk is not None:
        pipelines = pipelines.filter(pk=pk)
    pipelines = list(pipelines)
    for pipeline in pipelines:
        ids = [stage.pk for stage in pipeline.rows]
        pipeline.seen = ",".join(map(str, ids))
        pipeline.deal_count = sum(stage.deal_count for stage in pipeline.rows)
        for i, stage in enumerate(pipeline.rows):
            stage.kind = kind_of(stage)
            stage.moves = [
                ("up", _swapped(ids, i, i - 1) if i else "", "↑"),
                ("down", _swapped(ids, i, i + 1) if i < len(ids) - 1 else "", "↓"),
            ]
        mine = add_form is not None and add_form.pipeline.pk == pipeline.pk
        form = add_form if mine else StageForm(pipeline=pipeline, auto_id=_add_id(pipeline))
        if mine or (focus_add and pk == pipeline.pk):
            _autofocus(form)
        pipeline.add_form = form
    return pipelines


def _add_id(pipeline: Pipeline) -> str:
    return f"new-stage-{pipeline.pk}-%s"


def _autofocus(form) -> None:
    """Focus the first field with an error, else the first field (a form just sent)."""
    wrong = [name for name in form.fields if form.is_bound and name in form.errors]
    form.fields[(wrong or list(form.fields))[0]].widget.attrs["autofocus"] = True


def _page(request, *, create_form=None, add_form=None, status: int = 200):
    return render(
        request,
        PAGE,
        {
            "title": "Pipelines",
            "pipelines": _pipelines(add_form=add_form),
            "create_form": create_form or PipelineForm(auto_id="new-pipeline-%s"),
        },
        status=status,
    )


def _card(request, pk: int, *, add_form=None, focus_add=False):
    """One pipeline's card: what an htmx request from it swaps in."""
    pipelines = _pipelines(pk=pk, add_form=add_form, focus_add=focus_add)
    return render(request, PAGE + "#pipeline", {"pipeline": pipelines[0]})


# ---- views -------------------------------------------------------------------------------------


def pipelines_page(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    return _page(request)


@require_POST
@transaction.atomic
def pipeline_create(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    form = PipelineForm(request.POST, auto_id="new-pipeline-%s")
    if not form.is_valid():
        return _page(request, create_form=form)
    pipeline = form.save(commit=False)
    stages = pipeline_add(pipeline=pipeline)
    names = [stage.name for stage in stages]
    _record(
        request,
        area="pipeline",
        subject=pipeline.name,
        action="added",
        before={},
        after={"name": pipeline.name, "stages": names},
    )
    messages.success(
        request,
        f"Added the pipeline “{pipeline.name}” with the stages {', '.join(names)}: "
        "rename them and add your own.",
    )
    return redirect(_page_url(pipeline.pk))


@transaction.atomic
def pipeline_edit(request, pk):
    """Rename a pipeline."""
    visibility.require_admin(request.user, SETTINGS_OF)
    pipeline = get_object_or_404(Pipeline.objects.select_for_update(), pk=pk)
    before = {"name": pipeline.name}
    form = PipelineForm(request.POST if request.method == "POST" else None, instance=pipeline)
    form.fields["name"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        pipeline = form.save()
        if pipeline.name != before["name"]:
            _record(
                request,
                area="pipeline",
                subject=pipeline.name,
                action="renamed",
                before=before,
                after={"name": pipeline.name},
            )
            messages.success(request, f"Renamed “{before['name']}” to “{pipeline.name}”.")
        return redirect(_page_url(pipeline.pk))
    return render(
        request,
        "crm/settings_form.html",
        {"form": form, "title": f"Rename “{before['name']}”", "back": _page_url(pipeline.pk)},
    )


@transaction.atomic
def pipeline_remove(request, pk):
    """Remove a pipeline that holds no deal (in the trash neither), unless it is the only one."""
    visibility.require_admin(request.user, SETTINGS_OF)
    pipeline = get_object_or_404(Pipeline.objects.select_for_update(), pk=pk)
    deal_count = Deal.all_objects.filter(pipeline=pipeline).count()
    only = not Pipeline.objects.exclude(pk=pipeline.pk).exists()
    stages = list(pipeline.stages.order_by("order"))
    if request.method == "POST" and not deal_count and not only:
        before = {"name": pipeline.name, "stages": [stage.name for stage in stages]}
        pipeline.delete()
        _record(
            request,
            area="pipeline",
            subject=before["name"],
            action="removed",
            before=before,
            after={},
        )
        messages.success(request, f"Removed the pipeline “{before['name']}”.")
        return redirect("settings-pipelines")
    refused = request.method == "POST"  # it holds deals, or it is the only pipeline
    return render(
        request,
        "deals/settings_pipeline_remove.html",
        {
            "pipeline": pipeline,
            "stages": stages,
            "deal_count": deal_count,
            "only": only,
            "title": f"Remove “{pipeline.name}”",
        },
        status=409 if refused else 200,
    )


@require_POST
@transaction.atomic
def stage_create(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    pipeline = get_object_or_404(Pipeline.objects.select_for_update(), pk=pk)
    form = StageForm(request.POST, pipeline=pipeline, auto_id=_add_id(pipeline))
    if not form.is_valid():
        if _fragment(request):  # 200: htmx swaps the card with the form and its errors
            return _card(request, pipeline.pk, add_form=form)
        return _page(request, add_form=form)
    stage = stage_add(pipeline=pipeline, stage=form.save(commit=False))
    _record(
        request,
        area="stage",
        subject=_stage_subject(stage, pipeline),
        action="added",
        before={},
        after=_stage_snapshot(stage),
    )
    messages.success(request, f"Added the stage “{stage.name}” to “{pipeline.name}”.")
    if _fragment(request):
        return _card(request, pipeline.pk, focus_add=True)
    return redirect(_page_url(pipeline.pk))


@transaction.atomic
def stage_edit(request, pk):
    """Rename a stage, change its probability or (while it holds no deals) its kind."""
    visibility.require_admin(request.user, SETTINGS_OF)
    stage = get_object_or_404(Stage.objects.select_for_update().select_related("pipeline"), pk=pk)
    pipeline = stage.pipeline
    before = _stage_snapshot(stage)
    deal_count = Deal.all_objects.filter(stage=stage).count()
    form = StageForm(
        request.POST if request.method == "POST" else None,
        instance=stage,
        pipeline=pipeline,
        deal_count=deal_count,
    )
    form.fields["name"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        stage = form.save()
        after = _stage_snapshot(stage)
        if after != before:
            renamed_only = {k for k in after if after[k] != before[k]} == {"name"}
            _record(
                request,
                area="stage",
                subject=_stage_subject(stage, pipeline),
                action="renamed" if renamed_only else "changed",
                before=before,
                after=after,
            )
            messages.success(request, f"Saved the stage “{stage.name}” of “{pipeline.name}”.")
        return redirect(_page_url(pipeline.pk))
    return render(
        request,
        "crm/settings_form.html",
        {
            "form": form,
            "title": f"Stage “{before['name']}” of “{pipeline.name}”",
            "intro": _stage_intro(deal_count),
            "back": _page_url(pipeline.pk),
        },
    )


@retry_if_stale
def stage_remove_page(request, pk):
    """Remove a stage; one that holds deals asks first where they go (`stage_remove`)."""
    visibility.require_admin(request.user, SETTINGS_OF)
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    pipeline = stage.pipeline
    counts = Deal.all_objects.filter(stage=stage).aggregate(
        total=Count("id"),
        trashed=Count("id", filter=Q(deleted_at__isnull=False)),
        unreasoned=Count("id", filter=Q(lost_reason="")),
    )
    last_open = is_last_open(stage)
    form = StageRemoveForm(
        request.POST if request.method == "POST" else None,
        stage=stage,
        deal_count=counts["total"],
        needs_reason=counts["unreasoned"] > 0,
    )
    if request.method == "POST" and not last_open and form.is_valid():
        into = form.cleaned_data.get("into")
        before = {**_stage_snapshot(stage), "deals": counts["total"]}
        try:
            with transaction.atomic():
                moved = stage_remove(
                    stage=stage,
                    into=into,
                    by=request.user,
                    lost_reason=form.cleaned_data.get("lost_reason", ""),
                )
                _record(
                    request,
                    area="stage",
                    subject=_stage_subject(stage, pipeline),
                    action="merged" if moved else "removed",
                    before=before,
                    after={"deals": 0, "deals moved to": into.name} if moved else {},
                )
        except ValidationError as error:
            messages.error(request, "Nothing was moved or removed: " + " ".join(error.messages))
            return redirect("settings-stage-remove", pk=stage.pk)
        deals = "1 deal" if moved == 1 else f"{moved} deals"
        messages.success(
            request,
            f"Moved {deals} to “{into.name}” and removed the stage “{stage.name}”."
            if moved
            else f"Removed the stage “{stage.name}” from “{pipeline.name}”.",
        )
        return redirect(_page_url(pipeline.pk))
    return render(
        request,
        "deals/settings_stage_remove.html",
        {
            "stage": stage,
            "pipeline": pipeline,
            "form": form,
            "counts": counts,
            "last_open": last_open,
            "title": f"Remove the stage “{stage.name}”",
        },
        status=409 if request.method == "POST" and last_open else 200,
    )


@require_POST
def pipeline_order(request, pk):
    """Put a pipeline's stages in the order posted (a drag, or a Move up / Move down button)."""
    visibility.require_admin(request.user, SETTINGS_OF)
    refused = None
    with transaction.atomic():
        pipeline = get_object_or_404(Pipeline.objects.select_for_update(), pk=pk)
        stages = list(
            Stage.objects.select_for_update().filter(pipeline=pipeline).order_by("order", "id")
        )
        try:
            wanted = wanted_order(
                pipeline, stages, request.POST.get("order"), request.POST.get("seen")
            )
        except OrderRefused as error:
            refused = error
        else:
            if wanted != stages:
                _renumber(wanted)
                _record(
                    request,
                    area="pipeline",
                    subject=pipeline.name,
                    action="reordered",
                    before={"stages": [stage.name for stage in stages]},
                    after={"stages": [stage.name for stage in wanted]},
                )
                names = ", ".join(stage.name for stage in wanted)
                messages.success(request, f"New order of “{pipeline.name}”: {names}.")
    if refused is not None:
        if request.htmx:  # htmx swaps no error: static/js/pipeline_settings.js shows the words
            return HttpResponse(
                str(refused), status=refused.status, content_type="text/plain; charset=utf-8"
            )
        messages.error(request, str(refused))
        return _page(request, status=refused.status)
    if _fragment(request):
        return _card(request, pipeline.pk)
    return redirect(_page_url(pipeline.pk))
