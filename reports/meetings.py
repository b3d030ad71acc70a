"""Meeting mode: the pages of a run, what changed since the last run, action items and notes.

A meeting shows one page at a time. Its pages are, in order: "Since the last meeting" (the last
run's action items and whether they are done, and the deal changes since it started) — on the
first run "Since the agenda was made", its deal changes since then or over the last 7 days,
whichever is longer — then each section of the agenda — a section marked "walk through each rep" gives
one page per rep of its team, the report filtered to that rep.

Everything here computes with the viewer's own visibility: a rep who opens a meeting of their
team sees their scope of each report, never the manager's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from crm.converters import is_id
from crm.records import record_create
from crm.visibility import related_visible_q
from deals.models import Deal, Pipeline
from reports import registry
from reports.base import Params, Report
from reports.display import section_context
from reports.models import Agenda, AgendaSection, Meeting, MeetingActionItem
from reports.params import PERIODS, ParamsForm, owners_for, teams_for

DUE_TIME = time(17, 0)  # an action item is due by the end of its day
CHANGES_SHOWN = 30
FIRST_MEETING_DAYS = 7  # a first run looks back at least this far


# ---- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingPage:
    kind: str  # "since" | "section"
    section: AgendaSection | None = None
    rep: object | None = None  # crm.User, on a walk-through page
    first: bool = False  # the "since" page of an agenda's first run

    @property
    def title(self) -> str:
        if self.kind == "since":
            return "Since the agenda was made" if self.first else "Since the last meeting"
        report = registry.get(self.section.report_slug)
        title = report.title if report else self.section.report_slug
        return f"{title}: {self.rep}" if self.rep is not None else title


def section_team_id(section: AgendaSection, agenda: Agenda) -> int | None:
    """The team a walk-through goes through: the section's team filter, else the agenda's."""
    raw = QueryDict(section.query).get("team", "")
    return int(raw) if is_id(raw) else agenda.team_id


def meeting_pages(user, agenda: Agenda, sections: list[AgendaSection], *, first: bool):
    """Every page of a run, in order. One query, for the reps of walked-through teams."""
    pages = [MeetingPage("since", first=first)]
    walked = {section_team_id(s, agenda) for s in sections if s.walk_through} - {None}
    reps: dict[int, list] = {}
    if walked:
        for rep in (
            owners_for(user)
            .filter(team_id__in=walked, role="rep")
            .order_by("first_name", "username")
        ):
            reps.setdefault(rep.team_id, []).append(rep)
    for section in sections:
        if section.walk_through:
            team_reps = reps.get(section_team_id(section, agenda), [])
            pages += [MeetingPage("section", section, rep) for rep in team_reps]
            if team_reps:
                continue
        pages.append(MeetingPage("section", section))
    return pages


def section_params(user, report: Report, query: str, rep=None) -> tuple[Params, ParamsForm]:
    """The section's saved filters, checked against what this viewer may filter by."""
    form = ParamsForm(QueryDict(query), report=report, user=user)
    params = form.params() if form.is_valid() else report.default_params()
    if rep is not None and "owner" in report.filters:
        params.owner = rep  # narrows the viewer's visible records, never widens them
    return params, form


def section_page_context(request, page: MeetingPage) -> dict:
    """A report section rendered as on the report pages; or why it cannot be shown."""
    report = registry.get(page.section.report_slug)
    if report is None or not registry.may_open(request.user, report):
        return {"unavailable": "This report is switched off, or not one you may open."}
    params, form = section_params(request.user, report, page.section.query, page.rep)
    context = section_context(request, report, params)
    context["filter_errors"] = form.errors
    context["in_meeting"] = True  # no "Add to a meeting" on a meeting's own pages
    return context


# ---- since the last meeting ----------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The run of the same agenda just before this one."""
    return (
        Meeting.objects.filter(agenda_id=meeting.agenda_id)
        .filter(
            Q(started_at__lt=meeting.started_at)
            | Q(started_at=meeting.started_at, pk__lt=meeting.pk)
        )
        .order_by("-started_at", "-pk")
        .first()
    )


def action_items(meeting: Meeting, user) -> list[Activity]:
    """The meeting's tasks this user may see (as on any timeline), in the order they were given."""
    return list(
        Activity.objects.visible_to(user)
        .filter(meeting_items__meeting=meeting)
        .select_related("owner")
        .order_by("meeting_items__created_at", "meeting_items__id")
    )


def past_meetings(agenda: Agenda, user, limit: int = 25) -> list[Meeting]:
    """The agenda's latest runs, newest first, each with `items` and `items_done`: counted over
    the action items this user may see — the same ones its meeting page lists (a rep under
    "own activities" reading along counts none of a teammate's tasks). One query."""
    seen = related_visible_q(user, "action_items__activity", Activity)
    return list(
        agenda.meetings.select_related("started_by")
        .annotate(
            items=Count("action_items", filter=seen),
            items_done=Count("action_items", filter=seen & Q(action_items__activity__done=True)),
        )
        .order_by("-started_at", "-pk")[:limit]  # Meta.ordering is dropped when grouping
    )


def deal_changes(user, agenda: Agenda, since: datetime) -> list[dict]:
    """The deal changes of the agenda's team since `since`, as the viewer may see them.

    The deal-flow report reads them from the deals' history (stage moves, amounts, close dates,
    won, lost), one row per change. Without it, the deals created or updated since then stand
    in, one row per deal. Rows: when, deal_id, deal (title), what, from, to, by.
    """
    params = Params(team=agenda.team)
    try:
        from reports.builtin.deal_flow import deal_changes as flow_changes
    except ImportError:
        flow_changes = None
    if flow_changes is not None:
        return flow_changes(user, params, since)[: CHANGES_SHOWN + 1]
    deals = (
        params.owned(Deal.objects.visible_to(user).filter(updated_at__gte=since))
        .select_related("stage", "owner")
        .order_by("-updated_at", "-pk")[: CHANGES_SHOWN + 1]
    )
    return [
        {
            "when": deal.updated_at,
            "deal_id": deal.pk,
            "deal": deal.title,
            "what": "New deal" if deal.created_at >= since else "Changed",
            "from": None,
            "to": deal.stage.name,
            "by": deal.owner,
        }
        for deal in deals
    ]


def changes_since(meeting: Meeting, previous: Meeting | None) -> datetime:
    """Where a run's "since" page starts: the last run; on the first run, when the agenda was
    made, or FIRST_MEETING_DAYS before the meeting if that is earlier (an agenda made just
    before its first run would otherwise have nothing to show)."""
    if previous is not None:
        return previous.started_at
    week = meeting.started_at - timedelta(days=FIRST_MEETING_DAYS)
    return min(meeting.agenda.created_at, week)


def changes_report_url(user, agenda: Agenda, since: datetime) -> str:
    """The "What changed" report since that day, when this user may open it."""
    report = registry.get("changes")
    if report is None or not registry.may_open(user, report):
        return ""
    query = {"since": timezone.localtime(since).date().isoformat()}
    if agenda.team_id:
        query["team"] = agenda.team_id
    return reverse("reports:detail", args=[report.slug]) + "?" + urlencode(query)


# ---- writes --------------------------------------------------------------------------------


@transaction.atomic
def meeting_start(*, agenda: Agenda, by) -> Meeting:
    return Meeting.objects.create(agenda=agenda, started_by=by, started_at=timezone.now())


@transaction.atomic
def action_item_add(*, meeting: Meeting, text: str, assignee, due: date, by) -> Activity:
    """A remark becomes a task for a rep, due on a day, linked to the meeting it was given in."""
    task = Activity(
        kind=Activity.Kind.TASK,
        subject=text,
        body=f"Action item from the meeting “{meeting}”.",
        occurs_at=timezone.make_aware(datetime.combine(due, DUE_TIME)),
        owner=assignee,
    )
    record_create(record=task, by=by)
    MeetingActionItem.objects.create(meeting=meeting, activity=task)
    return task


class NotesConflict(Exception):
    """Someone else changed the notes since this user's text was based on them."""

    @staticmethod
    def message(meeting: Meeting) -> str:
        return (
            f"{meeting.notes_updated_by or 'Someone'} changed the notes while you were typing; "
            "yours were not saved. Copy what you need and reload."
        )


def _same(a: str, b: str) -> bool:
    """Texts equal but for line endings and surrounding space (how browsers post textareas)."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def meeting_save_notes(
    *, meeting: Meeting, notes: str, seen_version: int, base: str, by
) -> Meeting:
    """Save the notes typed over (`seen_version`, `base`). If they changed meanwhile the save
    stops (NotesConflict); the write itself is conditional on the version read (StaleRecord)."""
    stale = seen_version != meeting.version
    if stale and _same(meeting.notes, notes):
        return meeting
    if stale and not _same(meeting.notes, base):
        raise NotesConflict()
    if meeting.notes == notes:
        return meeting
    meeting.notes = notes
    meeting.notes_updated_at = timezone.now()
    meeting.notes_updated_by = by
    meeting.save(update_fields=["notes", "notes_updated_at", "notes_updated_by"])
    return meeting


@transaction.atomic
def agenda_save(*, agenda: Agenda, sections: list[AgendaSection], deleted, by) -> Agenda:
    """Save an agenda and its sections in the order given; `deleted` sections go."""
    if agenda.pk is None:
        agenda.owner = by
    agenda.updated_at = timezone.now()
    agenda.save()
    for section in deleted:
        if section.pk:
            section.delete()
    for order, section in enumerate(sections):
        section.agenda = agenda
        section.order = order
        section.save()
    return agenda


def describe_sections(agenda: Agenda, user) -> list[dict]:
    """The agenda's sections as its page lists them: report title, filters in words,
    walk-through."""
    sections = list(agenda.sections.all())
    words = FilterWords(user, [s.query for s in sections])
    described = []
    for section in sections:
        report = registry.get(section.report_slug)
        described.append(
            {
                "section": section,
                "title": report.title if report else section.report_slug,
                "question": report.question if report else "This report no longer exists.",
                "filters": words(section.query),
            }
        )
    return described


class FilterWords:
    """Section filters as a person reads them: "team North · pipeline Sales · this week", not
    `team=1&pipeline=2&period=this-week`. Names come from what the viewer may filter by (a team
    they cannot see stays unnamed); at most one query per kind of name, for all the queries."""

    def __init__(self, user, queries: list[str]):
        parsed = [QueryDict(q or "") for q in queries]

        def ids(key):
            return {int(v) for q in parsed if is_id(v := q.get(key, ""))}

        team_ids, owner_ids, pipeline_ids = ids("team"), ids("owner"), ids("pipeline")
        self.teams = dict(teams_for(user).filter(pk__in=team_ids).values_list("pk", "name"))
        self.owners = (
            {u.pk: str(u) for u in owners_for(user).filter(pk__in=owner_ids)} if owner_ids else {}
        )
        self.pipelines = (
            dict(Pipeline.objects.filter(pk__in=pipeline_ids).values_list("pk", "name"))
            if pipeline_ids
            else {}
        )

    def _name(self, names: dict, raw: str, noun: str) -> str:
        name = names.get(int(raw)) if is_id(raw) else None
        return f"{noun} {name}" if name else f"a {noun} you cannot see"

    def __call__(self, query: str) -> str:
        q = QueryDict(query or "")
        words = []
        if q.get("team"):
            words.append(self._name(self.teams, q["team"], "team"))
        if q.get("owner"):
            words.append(self._name(self.owners, q["owner"], "rep"))
        if q.get("pipeline"):
            words.append(self._name(self.pipelines, q["pipeline"], "pipeline"))
        if q.get("period"):
            words.append(PERIODS.get(q["period"], q["period"]).lower())
        else:
            if q.get("start"):
                words.append(f"from {q['start']}")
            if q.get("end"):
                words.append(f"to {q['end']}")
        if q.get("since"):
            words.append(f"since {q['since']}")
        if q.get("days"):
            words.append(f"{q['days']} days")
        return " · ".join(words) or "no filters (as the report opens)"


def agenda_add_section(*, agenda: Agenda, report_slug: str, query: str, by) -> AgendaSection:
    """Put a report, with its filters, at the end of an agenda. The agenda's version goes up, so
    an editor opened before this stops once rather than silently dropping the new section."""
    with transaction.atomic():
        agenda.updated_at = timezone.now()
        agenda.save(update_fields=["updated_at"])
        last = agenda.sections.order_by("-order").values_list("order", flat=True).first()
        return AgendaSection.objects.create(
            agenda=agenda,
            order=0 if last is None else last + 1,
            report_slug=report_slug,
            query=query,
        )


def agenda_create_with_section(*, title: str, team, report_slug: str, query: str, by) -> Agenda:
    with transaction.atomic():
        agenda = agenda_save(agenda=Agenda(title=title, team=team), sections=[], deleted=[], by=by)
        agenda_add_section(agenda=agenda, report_slug=report_slug, query=query, by=by)
    return agenda
