"""Visibility matrix cases for setting up meetings from the reports: "Add to a meeting".

Only managers and admins make or change agendas, so reps (ben, carla) are refused outright.
Every maker may start a new agenda with the report; adding it to maria's North agenda is for
those who may change that agenda (maria, the admin): for sam (South) it is not a choice — the
form comes back with its error and the agenda's title never reaches him.
"""

from __future__ import annotations

from reports.models import Agenda, AgendaSection
from tests.matrix import GET, POST, POST_HX, Case

TITLE = "Weekly pipeline review, team North"
NEW_TITLE = "Matrix agenda from a report"
MAKERS = frozenset({"maria", "sam", "admin"})
EDITORS = frozenset({"maria", "admin"})
ASK = {"ben": 403, "carla": 403, "sam": 200, "maria": 200, "admin": 200}
MAKE = {"ben": 403, "carla": 403, "sam": 302, "maria": 302, "admin": 302}
MAKE_HX = ASK  # an HX-Redirect to the agenda's editor once added
ADD = {"ben": 403, "carla": 403, "sam": 200, "maria": 302, "admin": 302}
ADD_HX = ASK  # sam: the form again, with its error
QUERY = {"report": "pipeline", "query": "period=this-week"}


def _agenda(r):
    ana = r["activity"].owner
    north = ana.team
    agenda = Agenda.objects.create(title=TITLE, owner=north.managers.get(), team=north)
    AgendaSection.objects.create(agenda=agenda, order=0, report_slug="forecast", query="")
    r["agenda"] = agenda


def _new(r, user):
    return QUERY | {"title": NEW_TITLE}


def _existing(r, user):
    return QUERY | {"agenda": r["agenda"].pk}


CASES: list[Case] = [
    Case(
        "reports:meetings:section-add",
        {GET: ASK, POST: MAKE, POST_HX: MAKE_HX},
        query=QUERY,
        setup=_agenda,
        data=_new,
        changed=lambda r: Agenda.objects.filter(
            title=NEW_TITLE, sections__report_slug="pipeline"
        ).exists(),
        changers=MAKERS,
        shows=TITLE,  # offered as a choice only to those who may change it
        shown_to=EDITORS,
    ),
    Case(
        "reports:meetings:section-add",
        {GET: ASK, POST: ADD, POST_HX: ADD_HX},
        id="section-add-to-an-agenda",
        query=QUERY,
        setup=_agenda,
        data=_existing,
        changed=lambda r: r["agenda"].sections.filter(report_slug="pipeline").exists(),
        changers=EDITORS,
        shows=TITLE,
        shown_to=EDITORS,
    ),
]
