"""Every endpoint the benchmark measures, as one list per role. Later features add theirs here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse

ROLES = ["ana", "maria", "admin"]  # a rep, a manager, the admin


@dataclass
class Case:
    name: str
    kind: str  # a key of bench.budgets.BUDGETS
    url: str
    method: str = "get"
    htmx: bool = False
    data: Callable[[int], dict] | None = None
    headers: dict = field(default_factory=dict)

    def payload(self, i: int) -> dict:
        """The i-th POST body, built before the clock starts (it may read the record's version)."""
        return self.data(i) if self.data else {}

    def send(self, client, payload: dict):
        headers = {"HX-Request": "true"} if self.htmx else {}
        if self.method == "post":
            return client.post(self.url, payload, headers=headers)
        return client.get(self.url, headers=headers)

    def request(self, client, i: int):
        return self.send(client, self.payload(i))


def prepare(client, username: str) -> dict:
    """Log in and pick records this user may see (and change) to measure the detail pages on."""
    from contacts.models import Activity, Company, Contact
    from deals.models import Deal
    from reports import registry

    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    contact = Contact.objects.editable_by(user).filter(company__isnull=False).order_by("id").first()
    deal = Deal.objects.editable_by(user).open().order_by("id").first()
    stages = list(deal.pipeline.stages.filter(is_won=False, is_lost=False).order_by("order")[:2])
    return {
        "user": user,
        "contact": contact,
        "company": Company.objects.visible_to(user).order_by("id").first(),
        "deal": deal,
        "stages": stages,
        "activity": Activity.objects.editable_by(user).order_by("id").first(),
        "task": Activity.objects.editable_by(user).filter(kind="task").order_by("id").first(),
        "search_terms": ["mü", contact.email[:6].upper(), contact.phone[-6:]],
        "reports": registry.for_user(user),
        "meeting": _bench_meeting(),
    }


def _bench_meeting():
    """A weekly review of team North (maria's), run once, so meeting pages can be measured;
    ana (a rep of North) may watch it, the admin sees every agenda."""
    from crm.models import Team
    from reports.models import Agenda, AgendaSection, Meeting

    maria = get_user_model().objects.get(username="maria")
    agenda, created = Agenda.objects.get_or_create(
        title="Weekly pipeline review (bench)", owner=maria, team=Team.objects.get(name="North")
    )
    if created:
        for order, slug in enumerate(["pipeline", "forecast", "changes"]):
            AgendaSection.objects.create(agenda=agenda, order=order, report_slug=slug)
    return Meeting.objects.filter(agenda=agenda).first() or Meeting.objects.create(
        agenda=agenda, started_by=maria
    )


def _lists() -> list[Case]:
    cases = []
    for url_name, other_sort, a_filter in [
        ("contacts:list", "-email", "q=ann"),
        ("contacts:company-list", "-created_at", "q=nord"),
        ("contacts:activity-list", "occurs_at", "kind=task&done=false"),
        ("deals:list", "-amount", "status=open"),
    ]:
        url = reverse(url_name)
        label = {
            "contacts:list": "contacts",
            "contacts:company-list": "companies",
            "contacts:activity-list": "activities",
            "deals:list": "deals",
        }[url_name]
        cases += [
            Case(f"{label} list", "list", url),
            Case(f"{label} list sort {other_sort}", "list", f"{url}?sort={other_sort}"),
            Case(f"{label} list filter {a_filter}", "list", f"{url}?{a_filter}"),
            # A filter typed into a list answers with the list's first page (its rows only):
            # DESIGN's list budget ("any list page, first page"), not the one for a write.
            Case(f"{label} list htmx filter", "list", f"{url}?{a_filter}", htmx=True),
        ]
    # Custom fields (issue 14; the seed adds Region to contacts, Seats and Signed on to deals).
    contacts, deals = reverse("contacts:list"), reverse("deals:list")
    signed = "custom_signed_from=2026-01-01&custom_signed_to=2026-03-31"
    cases += [
        Case("contacts list filter custom choice", "list", f"{contacts}?custom_region=Alps"),
        Case("deals list filter custom date range", "list", f"{deals}?{signed}"),
        Case("deals list sort custom number", "list", f"{deals}?sort=-custom_seats"),
    ]
    return cases


def _version(record) -> int:
    return type(record).objects.values_list("version", flat=True).get(pk=record.pk)


def build_cases(ctx: dict) -> list[Case]:
    contact, company, deal, activity, task = (
        ctx[k] for k in ("contact", "company", "deal", "activity", "task")
    )
    stage_a, stage_b = ctx["stages"]
    search = reverse("search")
    cases = _lists()
    cases += [
        Case(f"search '{term}'", "search", f"{search}?q={term}", htmx=True)
        for term in ctx["search_terms"]
    ]
    # The type-ahead pickers of the forms and quick add ("with whom"): the search budget too.
    picker = reverse("picker")
    cases += [
        Case(f"picker {kinds} '{term}'", "search", f"{picker}?kinds={kinds}&q={term}", htmx=True)
        for kinds in ("company", "contact,company,deal")
        for term in ctx["search_terms"]
    ]
    cases += [
        Case("my day", "report", reverse("home")),
        Case("deals board", "report", reverse("deals:board")),
        Case("contact detail", "page", contact.get_absolute_url()),
        Case("company detail", "page", company.get_absolute_url()),
        Case("deal detail", "page", deal.get_absolute_url()),
        Case("activity detail", "page", activity.get_absolute_url()),
        Case(
            "log a call on a contact",
            "htmx",
            reverse("contacts:contact-log", args=[contact.pk]),
            method="post",
            htmx=True,
            data=lambda i: {"kind": "call", "subject": f"Bench call {i}"},
        ),
        Case(
            "tick a task done",
            "htmx",
            reverse("contacts:activity-done", args=[task.pk]),
            method="post",
            htmx=True,
            # The state wanted (done, open, done, …) and the version seen, as the page sends them.
            data=lambda i: {"done": "false" if i % 2 else "true", "version": _version(task)},
        ),
        Case(
            "board stage move",
            "htmx",
            reverse("deals:move", args=[deal.pk]),
            method="post",
            htmx=True,
            data=lambda i: {
                "stage": (stage_a if i % 2 else stage_b).pk,
                "next": "board",
                "version": _version(deal),
                "from_stage": type(deal).objects.values_list("stage_id", flat=True).get(pk=deal.pk),
            },
        ),
        Case(
            "inline edit a deal amount",
            "htmx",
            reverse("inline-edit", args=["deals.Deal", deal.pk, "amount"]),
            method="post",
            htmx=True,
            data=lambda i: _inline_data(deal, "amount", str(1000 + i)),
        ),
        Case("dashboard page", "report", reverse("reports:dashboard")),
        *(
            Case(
                f"meeting, section {page}",
                "report",
                reverse("reports:meetings:meeting", args=[ctx["meeting"].pk]) + f"?p={page}",
            )
            for page in (1, 2, 3)
        ),
        Case(
            "duplicate check while typing",
            "search",
            f"{reverse('contacts:duplicates')}?kind=contact&email={contact.email.upper()}&first_name=Ann",
            htmx=True,
        ),
        Case(
            "palette '" + ctx["search_terms"][0] + "'",
            "search",
            f"{reverse('palette')}?q={ctx['search_terms'][0]}",
            htmx=True,
        ),
        Case(
            "quick add a call",
            "htmx",
            reverse("quick-add-form", args=["call"]),
            method="post",
            htmx=True,
            data=lambda i: {"subject": f"Bench quick call {i}"},
        ),
        Case(
            "task done, then its next step",
            "htmx",
            reverse("contacts:activity-next", args=[task.pk]),
            method="post",
            htmx=True,
            data=lambda i: {"subject": f"Next {i}", "due": "2030-01-15"},
        ),
    ]
    for report in ctx["reports"]:
        cases.append(
            Case(f"report {report.slug}", "report", reverse("reports:section", args=[report.slug]))
        )
        if report.requires:
            cases.append(
                Case(
                    f"fix list {report.slug}", "report", reverse("reports:fix", args=[report.slug])
                )
            )
    return cases


def _inline_data(deal, field: str, value: str) -> dict:
    """The inline edit as the page would post it: the current version and the value shown."""
    deal.refresh_from_db(fields=["version", field])
    return {field: value, "version": deal.version, "original": str(getattr(deal, field))}
