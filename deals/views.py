from django.contrib import messages
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contacts import timeline
from contacts.forms import LogActivityForm
from contacts.models import Contact
from contacts.views import log_activity
from crm.crud import delete_page, errors_text, form_page, render_list
from crm.visibility import (
    can_edit,
    get_editable_or_403,
    get_visible_or_404,
    with_editable_flag,
)
from deals.filters import DealFilter
from deals.forms import DealForm, MoveStageForm
from deals.models import Deal, Pipeline
from deals.selectors import with_next_step
from deals.services import deal_move_stage
from deals.tables import DealTable

BOARD_CARDS_PER_STAGE = 30


def deal_list(request):
    deals = with_editable_flag(
        Deal.objects.visible_to(request.user).select_related("company", "stage", "owner"),
        request.user,
    )
    return render_list(
        request,
        queryset=deals,
        filterset_class=DealFilter,
        table_class=DealTable,
        template="deals/deal_list.html",
        title="Deals",
    )


def deal_detail(request, pk):
    deal = get_visible_or_404(
        with_next_step(Deal.objects.select_related("company", "stage", "pipeline", "owner")),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "deals/deal_detail.html",
        {
            "record": deal,
            "contacts": Contact.objects.visible_to(request.user).filter(deals=deal)[:20],
            "activities": timeline.for_deal(deal, request.user),
            "log_form": LogActivityForm(user=request.user, auto_id="log_%s"),
            "log_url": reverse("deals:log", args=[deal.pk]),
            "move_form": MoveStageForm(deal=deal, initial={"stage": deal.stage_id}),
            "can_edit": can_edit(request.user, deal),
        },
    )


def deal_create(request):
    initial = {}
    if request.GET.get("company", "").isdigit():
        initial["company"] = request.GET["company"]
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        template="deals/deal_form.html",
        title="New deal",
        success_message="Added {record}.",
    )


def deal_edit(request, pk):
    deal = get_editable_or_403(Deal.objects, request.user, pk=pk)
    form = DealForm(request.POST or None, instance=deal, user=request.user)
    return form_page(
        request, form=form, template="deals/deal_form.html", title=f"Edit {deal}", record=deal
    )


def deal_delete(request, pk):
    deal = get_editable_or_403(Deal.objects, request.user, pk=pk)
    return delete_page(request, record=deal, list_url=reverse("deals:list"))


@require_POST
def deal_move(request, pk):
    """Move a deal to another stage of its pipeline (board, detail page, or plain form)."""
    deal = get_editable_or_403(
        Deal.objects.select_related("stage", "company", "owner", "pipeline"), request.user, pk=pk
    )
    old_stage_id = deal.stage_id
    form = MoveStageForm(request.POST, deal=deal)
    moved = form.is_valid()
    if moved:
        deal_move_stage(
            deal=deal,
            stage=form.cleaned_data["stage"],
            by=request.user,
            lost_reason=form.cleaned_data["lost_reason"],
        )
        messages.success(
            request,
            f"Moved “{deal}” to {deal.stage}.",
            extra_tags=f"undomove:{deal.pk}:{old_stage_id}:{request.POST.get('next') or 'deal'}",
        )
    else:
        messages.error(request, "Not moved: " + errors_text(form))
    back = request.POST.get("next", "")
    if request.htmx and back == "board":
        return _board_move_response(
            request, deal, stages=form.stages, moved=moved, old_stage_id=old_stage_id
        )
    if back == "board":
        return redirect(f"{reverse('deals:board')}?pipeline={deal.pipeline_id}")
    return redirect(deal)


@require_POST
def deal_log(request, pk):
    deal = get_visible_or_404(Deal.objects.select_related("company"), request.user, pk=pk)
    return log_activity(request, target=deal, link={"deal": deal})


def board(request):
    pipelines = list(Pipeline.objects.all())
    chosen = request.GET.get("pipeline", "")
    pipeline = next(
        (p for p in pipelines if str(p.pk) == chosen), pipelines[0] if pipelines else None
    )
    return _board(request, pipeline, pipelines=pipelines)


def _column_totals(deals) -> dict[int, dict]:
    rows = deals.values("stage").annotate(count=Count("id"), value=Sum("amount")).order_by()
    return {row["stage"]: row for row in rows}


def _board_move_response(request, deal, *, stages, moved: bool, old_stage_id: int):
    """The card leaves its column (the request's target is swapped away) and lands on top of its
    new column; every column head shows its new totals. A refused move changes nothing."""
    visible = Deal.objects.visible_to(request.user).filter(pipeline=deal.pipeline)
    totals = _column_totals(visible)
    columns = [
        {
            "stage": s,
            "count": totals.get(s.pk, {}).get("count", 0),
            "value": totals.get(s.pk, {}).get("value") or 0,
        }
        for s in stages
    ]
    deal.is_editable = True  # it was just moved by this user
    response = render(
        request,
        "deals/board.html#moved",
        {
            "deal": deal,
            "columns": columns,
            "moved": moved,
            "old_stage_id": old_stage_id,
        },
    )
    if not moved:
        response["HX-Reswap"] = "none"
    return response


def _board(request, pipeline, *, pipelines=None, template="deals/board.html"):
    """Kanban columns: per stage, its totals and its most recently touched deals."""
    columns = []
    if pipeline is not None:
        deals = Deal.objects.visible_to(request.user).filter(pipeline=pipeline)
        totals = _column_totals(deals)
        for stage in pipeline.stages.order_by("order"):
            cards = (
                with_editable_flag(deals.filter(stage=stage), request.user)
                .select_related("company", "owner")
                .order_by("-updated_at", "-id")
            )[:BOARD_CARDS_PER_STAGE]
            total = totals.get(stage.pk, {})
            columns.append(
                {
                    "stage": stage,
                    "deals": cards,
                    "count": total.get("count", 0),
                    "value": total.get("value") or 0,
                }
            )
    if request.htmx and template == "deals/board.html" and not request.htmx.boosted:
        template = "deals/board.html#board"
    return render(
        request,
        template,
        {
            "pipeline": pipeline,
            "pipelines": pipelines or Pipeline.objects.all(),
            "columns": columns,
            "title": "Board",
        },
    )
