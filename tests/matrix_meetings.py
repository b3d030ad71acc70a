"""Visibility matrix cases for meeting mode: agendas, running one, action items and notes.

Every case first sets up maria's agenda for North ("Weekly pipeline review, team North") with a
meeting that gave ana's call as an action item, and a later meeting. An agenda is seen by its
owner, the managers of its team and the admin, who change it, and read along by the reps of its
team: so ben (North) reads and gets 403 on every write, carla and sam (South) get 404 on
everything naming it, and its title never reaches them. Only managers and admins make agendas.

Agendas are scoped by team, not by the policy, so those statuses are fixed. What the pages show
of ana's records — her call as an action item, her deal among the changes — is not: only those
who may see it under the policy read it, and ticking the item done is for those who may change
ana's call.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contacts.models import Activity
from reports.models import Agenda, AgendaSection, Meeting, MeetingActionItem
from tests.matrix import (
    EVERYONE_200,
    GET,
    GET_HX,
    METHOD_NOT_ALLOWED,
    POST,
    POST_HX,
    By,
    Case,
    editors,
    page,
    seers,
    statuses,
)

TITLE = "Weekly pipeline review, team North"
ITEM = "Call Nora about rollout"  # ana's call, given as an action item last time
NEW_ITEM = "Matrix action item"
MAKERS = frozenset({"maria", "sam", "admin"})  # managers and admins make agendas
READERS = frozenset({"ben", "maria", "admin"})  # the agenda's team, its manager, the admin
EDITORS = frozenset({"maria", "admin"})  # who change the agenda
SEE = statuses(ben=200, outsiders=404, editors=200)
CHANGE_PAGE = statuses(ben=403, outsiders=404, editors=200)
CHANGE_POST = statuses(ben=403, outsiders=404, editors=302)
CHANGE_HX = statuses(ben=403, outsiders=404, editors=200)
# Ticking ana's call done, among those who may open the meeting: by access to the call.
TICK_POST = By(editors=302, seers=403, others=404, among=READERS)
TICK_HX = By(editors=200, seers=403, others=404, among=READERS)
# Making an agenda is for managers and admins, whatever team: reps are refused outright.
MAKE_PAGE = {"ben": 403, "carla": 403, "sam": 200, "maria": 200, "admin": 200}
MAKE_POST = {"ben": 403, "carla": 403, "sam": 302, "maria": 302, "admin": 302}
MAKE_HX = MAKE_PAGE  # an HX-Redirect once saved


def _agenda(r):
    """maria's North agenda, a meeting a week ago with ana's call as its item, and today's."""
    ana = r["activity"].owner
    north = ana.team
    maria = north.managers.get()
    agenda = Agenda.objects.create(title=TITLE, owner=maria, team=north)
    AgendaSection.objects.create(
        agenda=agenda, order=0, report_slug="pipeline", query=f"team={north.pk}"
    )
    previous = Meeting.objects.create(
        agenda=agenda, started_by=maria, started_at=timezone.now() - timedelta(days=7)
    )
    MeetingActionItem.objects.create(meeting=previous, activity=r["activity"])
    r |= {
        "agenda": agenda,
        "previous": previous,
        "meeting": Meeting.objects.create(agenda=agenda, started_by=maria),
    }


def _pk(key):
    return lambda r: {"pk": r[key].pk}


def _sections(prefix_rows: list[dict], initial: int = 0) -> dict:
    data = {
        "sections-TOTAL_FORMS": str(len(prefix_rows)),
        "sections-INITIAL_FORMS": str(initial),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(prefix_rows):
        data |= {f"sections-{i}-{name}": value for name, value in row.items()}
    return data


def _new_agenda(r, user):
    return {"title": "Matrix agenda", "team": ""} | _sections(
        [{"report_slug": "pipeline", "query": "", "ORDER": "1"}]
    )


def _agenda_edit(r, user):
    section = r["agenda"].sections.get()
    agenda = {
        "title": "Renamed agenda",
        "team": r["agenda"].team_id,
        "version": r["agenda"].version,
    }
    return agenda | _sections(
        [{"id": section.pk, "report_slug": "pipeline", "query": section.query, "ORDER": "1"}],
        initial=1,
    )


def _item(r, user):
    due = timezone.localdate() + timedelta(days=7)
    return {"text": NEW_ITEM, "assignee": r["activity"].owner_id, "due": due.isoformat()}


def _notes(r, user):
    """Notes as typed, with the version and the text they were typed over."""
    meeting = r["meeting"]
    return {"notes": "Matrix notes", "version": meeting.version, "base": meeting.notes}


def _tick(r, user):
    """The tick says the state wanted and the version seen (never a toggle)."""
    return {"done": "true", "version": r["activity"].version}


CASES: list[Case] = [
    # The list: everyone may open it; maria's agenda only reaches those who may see it.
    page("reports:meetings:agendas", EVERYONE_200, setup=_agenda, shows=TITLE, shown_to=READERS),
    Case(
        "reports:meetings:agenda-create",
        {GET: MAKE_PAGE, POST: MAKE_POST, POST_HX: MAKE_HX},
        setup=_agenda,
        data=_new_agenda,
        changed=lambda r: Agenda.objects.filter(title="Matrix agenda").exists(),
        changers=MAKERS,
        shows=">North</option>",  # the team picker offers only the teams one manages
        shown_to=EDITORS,
    ),
    page(
        "reports:meetings:agenda",
        SEE,
        kwargs=_pk("agenda"),
        setup=_agenda,
        shows=TITLE,
        shown_to=READERS,
    ),
    Case(
        "reports:meetings:agenda-edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk("agenda"),
        setup=_agenda,
        data=_agenda_edit,
        changed=lambda r: Agenda.objects.filter(pk=r["agenda"].pk, title="Renamed agenda").exists(),
        changers=EDITORS,
        shows=TITLE,
        shown_to=EDITORS,
    ),
    Case(
        "reports:meetings:agenda-run",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk("agenda"),
        setup=_agenda,
        changed=lambda r: r["agenda"].meetings.count() == 3,
        changers=EDITORS,
        shows=TITLE,
        shown_to=frozenset(),
    ),
    # The run page: last time's items (ana's call) open it, for whoever may see the agenda —
    # the item itself only for those who may also see ana's call.
    Case(
        "reports:meetings:meeting",
        {GET: SEE, GET_HX: SEE, POST: SEE},
        kwargs=_pk("meeting"),
        setup=_agenda,
        shows=ITEM,
        shown_to=seers("activity") & READERS,
        fragment='id="stage"',
    ),
    Case(
        "reports:meetings:item-add",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk("meeting"),
        setup=_agenda,
        data=_item,
        changed=lambda r: Activity.objects.filter(
            subject=NEW_ITEM, kind="task", meeting_items__meeting=r["meeting"]
        ).exists(),
        changers=EDITORS,
        shows=NEW_ITEM,
        shown_to=EDITORS,
        fragment='id="action-items"',
    ),
    # Ticking an item done changes the task: whoever may change ana's task may (ben may not).
    Case(
        "reports:meetings:item-done",
        {GET: METHOD_NOT_ALLOWED, POST: TICK_POST, POST_HX: TICK_HX},
        kwargs=lambda r: {"pk": r["previous"].pk, "activity_pk": r["activity"].pk},
        kinds=("activity",),
        setup=_agenda,
        data=_tick,
        changed=lambda r: Activity.objects.get(pk=r["activity"].pk).done,
        changers=editors("activity") & READERS,
        shows=ITEM,
        shown_to=editors("activity") & READERS,
        fragment='id="item-',
    ),
    Case(
        "reports:meetings:notes",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk("meeting"),
        setup=_agenda,
        data=_notes,
        changed=lambda r: Meeting.objects.filter(pk=r["meeting"].pk, notes="Matrix notes").exists(),
        changers=EDITORS,
        fragment='id="notes-status"',
    ),
]
