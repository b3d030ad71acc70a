"""Meeting mode: agendas, running one, paging through it, action items and notes.

An agenda or meeting the user may not see answers 404; one they may see but not change answers
403 on a write (reps of the agenda's team read along). Every write is a plain form post that
htmx enhances: the HTMX answer is a fragment of the same template, the plain one a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from contacts.forms import DoneForm
from contacts.models import Activity
from contacts.services import activity_set_done
from crm.converters import is_id
from crm.crud import errors_text, safe_next
from crm.records import retry_if_stale
from deals.models import Pipeline
from deals.selectors import start_of_today
from reports import meetings, registry
from reports.meeting_forms import (
    ActionItemForm,
    AddToMeetingForm,
    AgendaForm,
    NotesForm,
    SectionFormSet,
    managed_teams,
    screen_query,
)
from reports.models import Agenda, Meeting
from reports.params import teams_for

TEMPLATE = "reports/meetings/meeting.html"


# ---- lookups -------------------------------------------------------------------------------


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc


def _get_editable(model, user, pk, related=()):
    """Editable → the object; visible only → 403; neither → 404 (one query when allowed)."""
    editable = model.objects.editable_by(user).select_related(*related)
    try:
        return editable.get(pk=pk)
    except model.DoesNotExist:
        _get_or_404(model.objects.visible_to(user), pk)
    raise PermissionDenied(f"You may see this {model._meta.verbose_name} but not change it.")


def may_create_agenda(user) -> bool:
    return user.is_admin or user.is_manager


# ---- agendas -------------------------------------------------------------------------------


def agenda_list(request):
    agendas = Agenda.objects.visible_to(request.user).select_related("team", "owner")
    return render(
        request,
        "reports/meetings/agenda_list.html",
        {
            "title": "Meetings",
            "agendas": agendas,
            "may_create": may_create_agenda(request.user),
        },
    )


def agenda_detail(request, pk):
    agenda = _get_or_404(
        Agenda.objects.visible_to(request.user).select_related("team", "owner"), pk
    )
    past = meetings.past_meetings(agenda, request.user)
    today = timezone.localdate()
    return render(
        request,
        "reports/meetings/agenda_detail.html",
        {
            "title": agenda.title,
            "agenda": agenda,
            "sections": meetings.describe_sections(agenda, request.user),
            "meetings": past,
            # Started today already: offer to go back to it rather than start another one.
            "ongoing": past[0]
            if past and timezone.localtime(past[0].started_at).date() == today
            else None,
            "may_edit": Agenda.objects.editable_by(request.user).filter(pk=agenda.pk).exists(),
        },
    )


def agenda_create(request):
    if not may_create_agenda(request.user):
        raise PermissionDenied("Managers and admins make agendas.")
    return _agenda_form(request, Agenda(), title="New agenda")


@retry_if_stale
def agenda_edit(request, pk):
    agenda = _get_editable(Agenda, request.user, pk)
    return _agenda_form(request, agenda, title=f"Edit {agenda.title}")


def _agenda_form(request, agenda, *, title):
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = AgendaForm(data, instance=agenda, user=user)
    formset = SectionFormSet(data, instance=agenda, form_kwargs={"user": user}, prefix="sections")
    if data is not None and form.is_valid():
        formset.team = form.cleaned_data.get("team")
        if formset.is_valid():
            formset.save(commit=False)  # fills deleted_objects and the instances
            saved = meetings.agenda_save(
                agenda=form.save(commit=False),
                sections=[f.instance for f in formset.ordered_forms],
                deleted=formset.deleted_objects,
                by=user,
            )
            messages.success(request, f"Saved the agenda “{saved.title}”.")
            if request.htmx:
                return HttpResponseClientRedirect(saved.get_absolute_url())
            return redirect(saved)
    elif data is not None:
        formset.is_valid()  # show the sections' errors together with the agenda's
    words = meetings.FilterWords(user, [f["query"].value() or "" for f in formset])
    for f in formset:
        query = f["query"].value() or ""
        f.filters_words = words(query) if query or f.instance.pk else ""
    template = "reports/meetings/agenda_form.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    return render(
        request,
        template,
        {
            "title": title,
            "agenda": agenda,
            "form": form,
            "formset": formset,
            "teams": teams_for(user),
            "pipelines": Pipeline.objects.all(),
        },
    )


@retry_if_stale
def section_add(request):
    """ "Add to a meeting" from a report page or dashboard section: the report with the filters
    on screen goes to the end of an agenda this user may change, or starts a new agenda."""
    if not may_create_agenda(request.user):
        raise PermissionDenied("Managers and admins make agendas.")
    data = request.POST if request.method == "POST" else None
    asked = data if data is not None else request.GET
    report = registry.get(asked.get("report", ""))
    if report is None or not registry.may_open(request.user, report):
        raise Http404("No such report, or not one you may open.")
    query = screen_query(report, asked.get("query", ""))
    initial = {"report": report.slug, "query": query}
    form = AddToMeetingForm(data, initial=initial, user=request.user)
    if data is not None and form.is_valid():
        chosen = form.cleaned_data
        if chosen["agenda"] is not None:
            agenda = chosen["agenda"]
            meetings.agenda_add_section(
                agenda=agenda, report_slug=report.slug, query=query, by=request.user
            )
        else:
            agenda = meetings.agenda_create_with_section(
                title=chosen["title"],
                team=_team_of(request.user, query),
                report_slug=report.slug,
                query=query,
                by=request.user,
            )
        messages.success(request, f"Added “{report.title}” to the agenda “{agenda.title}”.")
        edit_url = reverse("reports:meetings:agenda-edit", args=[agenda.pk])
        if request.htmx:
            return HttpResponseClientRedirect(edit_url)
        return redirect(edit_url)
    template = "reports/meetings/section_add.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    return render(
        request,
        template,
        {
            "title": f"Add {report.title} to a meeting",
            "report": report,
            "form": form,
            "filters": meetings.FilterWords(request.user, [query])(query),
            "has_agendas": form.fields["agenda"].queryset.exists(),
        },
    )


def _team_of(user, query: str):
    """A new agenda's team: the section's team filter when this user manages it, else the one
    team they manage (none when they manage several, or for an admin without a team filter)."""
    teams = managed_teams(user)
    raw = QueryDict(query).get("team", "")
    if is_id(raw):
        chosen = teams.filter(pk=raw).first()
        if chosen:
            return chosen
    if user.is_admin:
        return None
    managed = list(teams[:2])
    return managed[0] if len(managed) == 1 else None


@require_POST
def agenda_run(request, pk):
    """Start a meeting of this agenda now, and open it on its first page."""
    agenda = _get_editable(Agenda, request.user, pk)
    meeting = meetings.meeting_start(agenda=agenda, by=request.user)
    if request.htmx:
        return HttpResponseClientRedirect(meeting.get_absolute_url())
    return redirect(meeting)


# ---- a meeting -----------------------------------------------------------------------------


def _page_number(request, count: int) -> int:
    raw = request.GET.get("p") or request.POST.get("p") or "1"
    number = int(raw) if is_id(raw) else 1
    return min(max(number, 1), max(count, 1))


def _stage(request, meeting) -> dict:
    """The stage alone (the page being shown, its position, previous and next)."""
    user = request.user
    agenda = meeting.agenda
    previous = meetings.previous_meeting(meeting)
    pages = meetings.meeting_pages(
        user, agenda, list(agenda.sections.all()), first=previous is None
    )
    number = _page_number(request, len(pages))
    page = pages[number - 1] if pages else None
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "pages": pages,
        "page": page,
        "number": number,
        "prev_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if number < len(pages) else None,
        "prev_page": pages[number - 2] if number > 1 else None,
        "next_page": pages[number] if number < len(pages) else None,
        "previous": previous,
        "editable": Agenda.objects.editable_by(user).filter(pk=agenda.pk).exists(),
        "today": start_of_today(),
        "back_url": request.get_full_path(),
    }
    context.update(_stage_context(request, page, meeting, previous))
    return context


def _meeting_context(request, meeting, *, item_form=None) -> dict:
    """The whole run page: the stage, and the side panel of action items and notes."""
    context = _stage(request, meeting)
    items = meetings.action_items(meeting, request.user)
    context.update(
        {
            "title": f"{meeting.agenda.title} · meeting",
            "items": items,
            "items_done": sum(1 for item in items if item.done),
            "item_form": item_form or _blank_item_form(request.user, context["page"]),
            "notes_form": NotesForm(initial={"notes": meeting.notes}),
        }
    )
    return context


def _blank_item_form(user, page, initial=None):
    initial = dict(initial or {})
    if page is not None and page.rep is not None:
        initial.setdefault("assignee", page.rep.pk)
    return ActionItemForm(user=user, initial=initial, auto_id="item_%s")


def _stage_context(request, page, meeting, previous) -> dict:
    if page is None:
        return {}
    if page.kind == "since":
        previous_items = meetings.action_items(previous, request.user) if previous else []
        since = meetings.changes_since(meeting, previous)
        return {
            "previous_items": previous_items,
            "previous_done": sum(1 for item in previous_items if item.done),
            "since": since,
            "changes": meetings.deal_changes(request.user, meeting.agenda, since),
            "changes_limit": meetings.CHANGES_SHOWN,
            "changes_url": meetings.changes_report_url(request.user, meeting.agenda, since),
        }
    return meetings.section_page_context(request, page)


def meeting_detail(request, pk):
    """The run page; paging through it (HTMX) swaps only the stage."""
    meeting = _get_or_404(
        Meeting.objects.visible_to(request.user).select_related("agenda__team", "started_by"), pk
    )
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, TEMPLATE + "#stage", _stage(request, meeting))
    return render(request, TEMPLATE, _meeting_context(request, meeting))


def _back_to_meeting(request, meeting):
    page = request.POST.get("p", "")
    url = meeting.get_absolute_url()
    return redirect(f"{url}?p={page}" if is_id(page) else url)


@require_POST
def action_item_add(request, pk):
    """An action item typed inline becomes a task for a rep; Enter saves it."""
    meeting = _get_editable(Meeting, request.user, pk, related=("agenda",))
    form = ActionItemForm(request.POST, user=request.user, auto_id="item_%s")
    if form.is_valid():
        data = form.cleaned_data
        meetings.action_item_add(
            meeting=meeting,
            text=data["text"],
            assignee=data["assignee"],
            due=data["due"],
            by=request.user,
        )
        if not request.htmx:
            messages.success(request, f"Action item for {data['assignee']}: {data['text']}")
            return _back_to_meeting(request, meeting)
        form = ActionItemForm(
            user=request.user,
            auto_id="item_%s",
            initial={"assignee": data["assignee"].pk, "due": data["due"]},
        )
        form.fields["text"].widget.attrs["autofocus"] = True  # the next item, right away
    if request.htmx:
        items = meetings.action_items(meeting, request.user)
        return render(
            request,
            TEMPLATE + "#action-items",
            {
                "meeting": meeting,
                "editable": True,
                "items": items,
                "items_done": sum(1 for item in items if item.done),
                "item_form": form,
                "today": start_of_today(),
                "number": _page_number(request, 10_000),
            },
        )
    # Invalid, without JavaScript: the whole page again, the typed item and its errors in place.
    return render(request, TEMPLATE, _meeting_context(request, meeting, item_form=form))


@require_POST
@retry_if_stale
def action_item_done(request, pk, activity_pk):
    """Tick an action item's task done (or open again): whoever may change the task may. The
    tick says the state wanted (contacts.forms.DoneForm), so a stale page never undoes a tick."""
    meeting = _get_or_404(Meeting.objects.visible_to(request.user), pk)
    tasks = Activity.objects.filter(meeting_items__meeting=meeting).select_related("owner")
    try:
        task = tasks.editable_by(request.user).get(pk=activity_pk)
    except Activity.DoesNotExist:
        _get_or_404(tasks.visible_to(request.user), activity_pk)
        raise PermissionDenied("You may see this task but not change it.") from None
    form = DoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form))
    task = activity_set_done(activity=task, done=form.cleaned_data["done"], by=request.user)
    if request.htmx:
        items = meetings.action_items(meeting, request.user)
        return render(
            request,
            TEMPLATE + "#item-toggled",  # the row, and the meeting's "N of M done" out of band
            {
                "item": task,
                "item_meeting": meeting,
                "editable": True,
                "today": start_of_today(),
                "count_meeting": meeting,
                "count_items": items,
                "count_done": sum(1 for item in items if item.done),
            },
        )
    return HttpResponseRedirect(safe_next(request, fallback=meeting.get_absolute_url()))


@require_POST
@retry_if_stale
def meeting_notes(request, pk):
    """The meeting's notes, saved as they are typed (HTMX) or with the Save button.

    Each save carries the version and the text it was typed over: if someone else changed the
    notes meanwhile, nothing is overwritten — both texts are shown and the user chooses.
    """
    meeting = _get_editable(Meeting, request.user, pk, related=("agenda", "notes_updated_by"))
    form = NotesForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form))
    data = form.cleaned_data
    seen_version, base = data["version"], data["base"]
    if data["keep_mine"] == meeting.version:  # chosen after seeing their text: replace it
        seen_version, base = meeting.version, meeting.notes
    try:
        meetings.meeting_save_notes(
            meeting=meeting,
            notes=data["notes"],
            seen_version=seen_version,
            base=base,
            by=request.user,
        )
    except meetings.NotesConflict:
        context = {
            "meeting": meeting,
            "conflict": True,
            "seen_version": data["version"],
            "seen_base": data["base"],
        }
        if request.htmx:
            return render(request, TEMPLATE + "#notes-status", context)
        messages.error(request, meetings.NotesConflict.message(meeting))
        return _back_to_meeting(request, meeting)
    if request.htmx:
        return render(request, TEMPLATE + "#notes-status", {"meeting": meeting, "saved": True})
    messages.success(request, f"Notes saved at {timezone.localtime():%H:%M}.")
    return _back_to_meeting(request, meeting)
