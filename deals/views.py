from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from contacts import timeline
from contacts.forms import LogActivityForm
from contacts.models import Contact
from contacts.views import log_activity
from crm.crud import delete_page, errors_text, export_list, form_page, render_list
from crm.records import retry_if_stale
from crm.visibility import (
    can_edit,
    get_editable_or_403,
    get_visible_or_404,
    with_editable_flag,
    with_related_flags,
)
from deals.filters import DealFilter
from deals.forms import DealForm, MoveStageForm
from deals.models import Deal, Pipeline
from deals.selectors import with_next_step
from deals.services import MoveConflict, deal_move_stage
from deals.tables import DealTable

BOARD_CARDS_PER_STAGE = 30
# What a card shows (deals/cards.py) and no more: the board reads up to 30 deals a column with
# their companies and owners, and every column of those three tables cost a conversion per row.
CARD_FIELDS = (
    "title",
    "amount",
    "version",
    "stage",
    "company__name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def deal_records(user):
    """The deals list's records for a user, before its filters (its export's too)."""
    deals = Deal.objects.visible_to(user).select_related("company", "stage", "owner")
    return with_related_flags(deals, user, "company")


def _deals(request):
    return deal_records(request.user)


def deal_list(request):
    deals = with_editable_flag(_deals(request), request.user)
    return render_list(
        request,
        queryset=deals,
        filterset_class=DealFilter,
        table_class=DealTable,
        template="deals/deal_list.html",
        title="Deals",
        export="deals",
    )


def deal_export(request, fmt):
    return export_list(request, "deals", fmt)


def deal_detail(request, pk):
    user = request.user
    deals = Deal.objects.select_related("company", "stage", "pipeline", "owner")
    deal = get_visible_or_404(
        with_related_flags(with_next_step(deals, user), user, "company"), user, pk=pk
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


@retry_if_stale
def deal_edit(request, pk):
    deal = get_editable_or_403(Deal.objects, request.user, pk=pk)
    form = DealForm(request.POST or None, instance=deal, user=request.user)
    return form_page(
        request, form=form, template="deals/deal_form.html", title=f"Edit {deal}", record=deal
    )


@retry_if_stale
def deal_delete(request, pk):
    deal = get_editable_or_403(Deal.objects, request.user, pk=pk)
    return delete_page(request, record=deal, list_url=reverse("deals:list"))


@require_POST
@retry_if_stale
def deal_move(request, pk):
    """Move a deal to another stage of its pipeline (board, detail page, undo, or plain form).

    The post says the stage wanted and what the mover saw (version and stage), never "next":
    a move over someone else's move, or an undo after a later change, stops with a message.
    """
    deal = get_editable_or_403(
        with_related_flags(
            Deal.objects.select_related("stage", "company", "owner", "pipeline", "updated_by"),
            request.user,
            "company",
        ),
        request.user,
        pk=pk,
    )
    old_stage_id, old_version = deal.stage_id, deal.version
    form = MoveStageForm(request.POST, deal=deal)
    moved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            deal_move_stage(
                deal=deal,
                stage=data["stage"],
                by=request.user,
                lost_reason=data["lost_reason"],
                seen_version=data["version"],
                seen_stage_id=data["from_stage"],
                undo=data["undo"],
            )
        except MoveConflict as conflict:
            messages.error(request, str(conflict))
        else:
            moved = deal.version != old_version
            if moved:
                messages.success(
                    request,
                    f"Moved “{deal}” to {deal.stage}.",
                    extra_tags=undo_move_tag(deal, old_stage_id, request.POST.get("next")),
                )
            elif not data["undo"]:
                messages.info(request, f"“{deal}” is already in {deal.stage}.")
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


def undo_move_tag(deal, old_stage_id: int, back: str | None) -> str:
    """What the "Undo" of a move needs (crm/templatetags/huddle.py `undo_move`): the stage to go
    back to, and the version and stage the move left, so the undo applies only to that state."""
    back = back if back == "board" else "deal"
    return f"undomove:{deal.pk}:{old_stage_id}:{back}:{deal.version}:{deal.stage_id}"


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


BOARD_SCOPES = {"mine": "Mine", "team": "Team"}


def _board_scope(request) -> str:
    """Whose deals the board shows: "mine" (the viewer's own) or "team" (every deal they may
    see, the default).

    A GET parameter, so the choice stays in the address; a move posted from the board carries
    no such field (its contract is settled), so there it is read from the page htmx posts from.
    """
    scope = request.GET.get("scope")
    if scope is None and request.htmx and request.htmx.current_url:
        scope = QueryDict(urlsplit(request.htmx.current_url).query).get("scope")
    return scope if scope in BOARD_SCOPES else "team"


def _stage_options(stages, selected_id: int) -> str:
    """A card's move select: the pipeline's stages, the card's own selected. The board writes
    it once per stage, not once per card (up to 30 a column)."""
    return mark_safe(
        "".join(
            format_html(
                '<option value="{}"{}{}>{}</option>',
                stage.pk,
                mark_safe(" data-lost") if stage.is_lost else "",
                mark_safe(" selected") if stage.pk == selected_id else "",
                stage.name,
            )
            for stage in stages
        )
    )


def _board_deals(request, pipeline):
    deals = Deal.objects.visible_to(request.user).filter(pipeline=pipeline)
    if _board_scope(request) == "mine":
        deals = deals.filter(owner=request.user)
    return deals


def _column_totals(deals) -> dict[int, dict]:
    rows = deals.values("stage").annotate(count=Count("id"), value=Sum("amount")).order_by()
    return {row["stage"]: row for row in rows}


def _board_move_response(request, deal, *, stages, moved: bool, old_stage_id: int):
    """The card leaves its column (the request's target is swapped away) and lands on top of its
    new column; the heads of the two columns it left and joined show their new totals (only
    those two change by a move: counting every column scanned the whole pipeline). A refused
    move changes nothing."""
    touched = {old_stage_id, deal.stage_id}
    totals = _column_totals(_board_deals(request, deal.pipeline).filter(stage_id__in=touched))
    columns = [
        {
            "stage": s,
            "count": totals.get(s.pk, {}).get("count", 0),
            "value": totals.get(s.pk, {}).get("value") or 0,
            "touched": s.pk in touched,
        }
        for s in stages
    ]
    deal.is_editable = True  # it was just moved by this user
    deal.stage_options = _stage_options(stages, deal.stage_id)
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
        # The card stays where the page put it: have the board show where the deal really is.
        response["HX-Reswap"] = "none"
        trigger_client_event(response, "boardStale")
    return response


def _board(request, pipeline, *, pipelines=None, template="deals/board.html"):
    """Kanban columns: per stage, its totals and its most recently touched deals."""
    columns = []
    if pipeline is not None:
        deals = _board_deals(request, pipeline)
        totals = _column_totals(deals)
        stages = list(pipeline.stages.order_by("order"))
        card_deals = (
            with_related_flags(with_editable_flag(deals, request.user), request.user, "company")
            .select_related("company", "owner")
            .only(*CARD_FIELDS)
            .order_by("-updated_at", "-id")
        )
        for stage in stages:
            cards = card_deals.filter(stage=stage)[:BOARD_CARDS_PER_STAGE]
            options = _stage_options(stages, stage.pk)  # every card of the column is in it
            cards = list(cards)
            for card in cards:
                card.stage_options = options
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
            "scope": _board_scope(request),
            "scopes": BOARD_SCOPES,
            "title": "Board",
        },
    )
