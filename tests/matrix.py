"""The visibility matrix's vocabulary and its core cases; tests/test_url_matrix.py runs them.

The records under test are `north_records` (tests/conftest.py), owned by ana (rep, North). Who
gets what is not written down per role but derived from the organisation's visibility policy,
the way DECISIONS.md states the rules (and independently of crm/visibility.py, which is under
test): the admin sees and changes everything; a rep sees ana's records of a kind if the policy
lets reps see "everyone"'s, or "team" and they are in ana's team (ben, not carla), and changes
them if they may see them and reps edit their "team"'s; a manager sees the rep scope plus the
teams they manage (maria manages North, sam South) and changes what they see. Anonymous users
are sent to the login page by everything but the exempt patterns.

The matrix runs under every policy in `POLICIES`: the default one (reps see their team's records
and edit their own) and the combinations issue 12 names. Under each, for every case, every role:

- the status each role gets (`By`: editors, those who only see, the rest — 404 for a record one
  may not see, 403 for one one may see but not change);
- no leak: the text of each of ana's records (`RECORD_TEXTS`) is absent from every answer to a
  role that may not see that kind of record, whatever page it is — lists, details, labels of a
  related record, timelines, searches, reports, exports;
- every permitted edit saves (`changed`, for `changers`), and nothing else changes data.

A `Case` is one URL name with what each role gets per method; `kinds` names the kind(s) of
record whose access decides it. `CASES` here covers the core apps; any module
`tests/matrix_<topic>.py` adds its own `CASES` list (built from the helpers below), and
tests/test_url_matrix.py collects them all. To cover a new URL, add a `Case` there (or its name
to `EXEMPT` in tests/test_url_matrix.py, with the reason); the coverage guard fails the build for
a pattern that is neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.utils import timezone

from contacts.models import Activity, Company, Contact
from crm.models import ReportSwitch, VisibilityPolicy
from deals.models import Deal

ROLES = ("anonymous", "ben", "carla", "maria", "sam", "admin")
LOGGED_IN = frozenset(ROLES) - {"anonymous"}
NOBODY = frozenset()
KINDS = ("company", "contact", "deal", "activity")

# What ana's records read as: none of these may reach a role that may not see that kind.
RECORD_TEXTS = {
    "company": "Nordwind GmbH",
    "contact": "Secretname",
    "deal": "Nordwind rollout",
    "activity": "Call Nora about rollout",
}

GET, POST, GET_HX, POST_HX = "GET", "POST", "GET-htmx", "POST-htmx"
PAGE, HTMX_LIST = (GET, POST), (GET, POST, GET_HX)


# ---- policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One setting of the organisation's policy: per kind, what reps see and what they edit."""

    name: str
    levels: dict[str, str]

    def see(self, kind: str) -> str:
        return self.levels[f"{kind}_see"]

    def edit(self, kind: str) -> str:
        return self.levels[f"{kind}_edit"]

    def apply(self) -> None:
        """Save it as the settings page does (the model's save() forgets the cached policy)."""
        row = VisibilityPolicy.objects.filter(pk=1).first() or VisibilityPolicy(pk=1)
        for name, value in self.levels.items():
            setattr(row, name, value)
        row.save()


DEFAULT_LEVELS = {f"{k}_see": "team" for k in KINDS} | {f"{k}_edit": "own" for k in KINDS}


def policy(name: str, **levels: str) -> Policy:
    return Policy(name, DEFAULT_LEVELS | levels)


POLICIES = [
    policy("default"),
    policy("all-own", **{f"{k}_{a}": "own" for k in KINDS for a in ("see", "edit")}),
    policy("activities-own-deals-team", activity_see="own", deal_see="team"),
    policy("activities-everyone-rest-team", activity_see="everyone"),
    policy("contacts-edited-by-team", contact_edit="team"),
    # Contacts and deals everyone sees, linked to a company only its owner's people see: every
    # label of a company next to a contact or deal is put to the test.
    policy(
        "companies-own-rest-everyone",
        company_see="own",
        contact_see="everyone",
        deal_see="everyone",
        activity_see="everyone",
    ),
    policy("everyone-sees-everything", **{f"{k}_see": "everyone" for k in KINDS}),
]
DEFAULT_POLICY = POLICIES[0]


def sees(role: str, kind: str, policy: Policy) -> bool:
    """Whether `role` may see ana's record of this kind (DECISIONS.md "Teams", "Policy")."""
    if role == "anonymous":
        return False
    if role == "admin" or policy.see(kind) == "everyone":
        return True
    if role == "maria":  # North's manager: the teams she manages, whatever the rep scope
        return True
    return role == "ben" and policy.see(kind) == "team"  # carla and sam are in South


def edits(role: str, kind: str, policy: Policy) -> bool:
    """Whether `role` may change ana's record of this kind: what one may not see one may not
    change; managers and the admin change what they see; a rep only under "edit team"."""
    if not sees(role, kind, policy):
        return False
    if role in ("admin", "maria", "sam"):
        return True
    return role == "ben" and policy.edit(kind) == "team"


@dataclass(frozen=True)
class Access:
    """Who sees and who changes ana's records under one policy."""

    policy: Policy

    def seers(self, kinds) -> frozenset[str]:
        return frozenset(r for r in LOGGED_IN if all(sees(r, k, self.policy) for k in kinds))

    def editors(self, kinds) -> frozenset[str]:
        return frozenset(r for r in LOGGED_IN if all(edits(r, k, self.policy) for k in kinds))


@dataclass(frozen=True)
class Who:
    """Roles that the policy decides: those who see (or change) ana's records of `kinds` (the
    case's kinds when empty), narrowed to `within`. `SEERS & {"maria", "admin"}` narrows."""

    action: str  # "see" | "edit"
    kinds: tuple[str, ...] = ()
    within: frozenset[str] = LOGGED_IN

    def __and__(self, roles) -> Who:
        return replace(self, within=self.within & frozenset(roles))

    __rand__ = __and__

    def roles(self, access: Access, case_kinds: tuple[str, ...]) -> frozenset[str]:
        kinds = self.kinds or case_kinds
        if not kinds:
            raise ValueError("A case that says SEERS or EDITORS must name its kinds.")
        found = access.seers(kinds) if self.action == "see" else access.editors(kinds)
        return found & self.within


SEERS = Who("see")  # may see ana's records of the case's kinds
EDITORS = Who("edit")  # may change them


def seers(*kinds: str) -> Who:
    return Who("see", kinds)


def editors(*kinds: str) -> Who:
    return Who("edit", kinds)


@dataclass(frozen=True)
class By:
    """Status per role by its access to ana's records of the case's kinds (or `kinds`): those
    who may change them, those who may only see them, the rest. Roles outside `among` (who may
    not reach the page at all, whatever the records) get `others`."""

    editors: int
    seers: int
    others: int
    kinds: tuple[str, ...] = ()
    among: frozenset[str] = LOGGED_IN

    def statuses(self, access: Access, case_kinds: tuple[str, ...]) -> dict[str, int]:
        kinds = self.kinds or case_kinds
        if not kinds:
            raise ValueError("A case whose statuses depend on the policy must name its kinds.")
        can_edit, can_see = access.editors(kinds), access.seers(kinds)
        return {
            role: self.others
            if role not in self.among
            else self.editors
            if role in can_edit
            else self.seers
            if role in can_see
            else self.others
            for role in LOGGED_IN
        }


def statuses(*, ben: int, outsiders: int, editors: int, admin: int | None = None) -> dict:
    """Fixed statuses, whatever the policy (pages whose access is not ana's records': the
    settings, the reports' audiences, team-scoped agendas). carla and sam are the outsiders."""
    return {
        "ben": ben,
        "carla": outsiders,
        "sam": outsiders,
        "maria": editors,
        "admin": editors if admin is None else admin,
    }


EVERYONE_200 = statuses(ben=200, outsiders=200, editors=200)
SEE = By(editors=200, seers=200, others=404)
CHANGE_PAGE = By(editors=200, seers=403, others=404)
CHANGE_POST = By(editors=302, seers=403, others=404)
CHANGE_HX = By(editors=200, seers=403, others=404)  # HX-Redirect or fragment
LOG_POST = By(editors=302, seers=302, others=404)
LOG_HX = By(editors=200, seers=200, others=404)
# POST-only URLs answer GET with 405 before looking anything up, the same for any pk:
# nothing leaks, so there is no 404 to expect.
METHOD_NOT_ALLOWED = statuses(ben=405, outsiders=405, editors=405)
# A create form naming ana's company/deal: a forged id of one the user may not see is an
# invalid choice (200, the form again).
LINK_POST = By(editors=302, seers=302, others=200)
ADMIN_PAGE = statuses(ben=403, outsiders=403, editors=403, admin=200)
ADMIN_POST = statuses(ben=403, outsiders=403, editors=403, admin=302)
ADMIN_HX = statuses(ben=403, outsiders=403, editors=403, admin=200)
# A page for managers and the admin only (a report whose audience has no reps): reps get 404
# whoever owns what; sam opens it but finds in it only what the policy lets him see.
MANAGERS = frozenset({"maria", "sam", "admin"})
MANAGERS_200 = statuses(ben=404, outsiders=404, editors=200) | {"sam": 200}

WHEN = "2030-01-07T10:00"
LOGGED_SUBJECT = "Logged by the visibility matrix"


def no_kwargs(records: dict) -> dict:
    return {}


def user_pk(user) -> str:
    return str(user.pk) if user is not None else ""


Expectation = dict[str, int] | By
Audience = frozenset[str] | Who


@dataclass(frozen=True)
class Case:
    """One URL, what each role gets per method, and how to tell whether a POST changed anything."""

    url_name: str
    expect: dict[str, Expectation]  # method -> statuses; anonymous is always the login page
    kwargs: Callable[[dict], dict] = no_kwargs
    id: str = ""  # test-id prefix when one URL name has several cases
    kinds: tuple[str, ...] = ()  # whose access decides `By` statuses and SEERS / EDITORS
    query: dict = field(default_factory=dict)
    data: Callable[[dict, object], dict] | None = None  # (records, user) -> POST body
    setup: Callable[[dict], None] | None = None  # (records) -> None, before the requests
    changed: Callable[[dict], bool] | None = None  # did the POST's change happen?
    changers: Audience = NOBODY  # roles whose POST must make that change
    shows: str | None = None  # text in a 200 answer for `shown_to`, else absent
    shown_to: Audience = SEERS
    fragment: str | None = None  # marker of the fragment an HTMX request gets
    hx_trigger: str | None = None  # the HX-Trigger a changer's HTMX POST answers with

    @property
    def name(self) -> str:
        return self.id or self.url_name

    def statuses(self, method: str, access: Access) -> dict[str, int]:
        expected = self.expect[method]
        return expected.statuses(access, self.kinds) if isinstance(expected, By) else expected

    def roles(self, audience: Audience, access: Access) -> frozenset[str]:
        return audience.roles(access, self.kinds) if isinstance(audience, Who) else audience


def page(url_name, expect, methods=PAGE, **kw) -> Case:
    return Case(url_name, dict.fromkeys(methods, expect), **kw)


# ---- POST bodies and effects ---------------------------------------------------------------


def _contact_edit(r, user):
    c = r["contact"]
    return {
        "first_name": c.first_name,
        "last_name": "Renamed",
        "company": r["company"].pk,
        "email": c.email,
        "phone": c.phone,
        "owner": c.owner_id,
        "version": c.version,
    }


def _company_edit(r, user):
    return {
        "name": "Nordwind Renamed AG",
        "owner": r["company"].owner_id,
        "version": r["company"].version,
    }


def _activity_edit(r, user):
    a = r["activity"]
    return {
        "kind": a.kind,
        "subject": "Renamed call",
        "occurs_at": WHEN,
        "contacts": [r["contact"].pk],
        "company": r["company"].pk,
        "deal": r["deal"].pk,
        "owner": a.owner_id,
        "version": a.version,
    }


def _deal_edit(r, user):
    d = r["deal"]
    return {
        "title": "Renamed rollout",
        "company": r["company"].pk,
        "pipeline": d.pipeline_id,
        "stage": d.stage_id,
        "amount": "20000",
        "expected_close": "2030-02-01",
        "owner": d.owner_id,
        "version": d.version,
    }


def _contact_create(r, user):
    return {"last_name": "Newperson", "company": r["company"].pk, "owner": user_pk(user)}


def _company_create(r, user):
    return {"name": "Brandnew Ltd", "owner": user_pk(user)}


def _activity_create(r, user):
    return {
        "kind": "task",
        "subject": "Fresh task",
        "occurs_at": WHEN,
        "contacts": [r["contact"].pk],
        "company": r["company"].pk,
        "deal": r["deal"].pk,
        "owner": user_pk(user),
    }


def _deal_create(r, user):
    return {
        "title": "Fresh deal",
        "company": r["company"].pk,
        "pipeline": r["deal"].pipeline_id,
        "stage": r["stage"].pk,
        "amount": "500",
        "expected_close": "2030-03-01",  # required while the forecast report is on
        "owner": user_pk(user),
    }


def _log(r, user):
    return {"kind": "note", "subject": LOGGED_SUBJECT}


def _move(r, user):
    """A board move says the stage wanted and what the mover saw (never a toggle)."""
    deal = r["deal"]
    return {
        "stage": r["other_stage"].pk,
        "version": deal.version,
        "from_stage": deal.stage_id,
        "next": "board",
    }


def _done(r, user):
    """ "Done" on a task says the state wanted and the version seen (never a toggle)."""
    return {"done": "true", "version": r["activity"].version}


def _policy(r, user):
    return {
        "company_see": "team",
        "company_edit": "own",
        "contact_see": "everyone",
        "contact_edit": "own",
        "deal_see": "team",
        "deal_edit": "own",
        "activity_see": "team",
        "activity_edit": "own",
    }


INLINE_CLOSE = date(2030, 1, 31)  # ana's deal's close date before an inline edit
INLINE_CLOSE_SHOWN = "31 Jan 2030"
INLINE_NEW_CLOSE = date(2030, 2, 28)
INLINE_NEW_CLOSE_SHOWN = "28 Feb 2030"


def _inline_close_date(r, user):
    """An inline save as the edit form sends it: the version and value the user started from."""
    return {
        "expected_close": INLINE_NEW_CLOSE.isoformat(),
        "version": r["deal"].version,
        "original": INLINE_CLOSE.isoformat(),
    }


def _inline_kwargs(key, field_name):
    return lambda r: {"label": r[key]._meta.label, "pk": r[key].pk, "field": field_name}


def set_fields(key, **values):
    """Setup: give ana's record these field values (without touching its version)."""

    def setup(r):
        record = r[key]
        for name, value in values.items():
            setattr(record, name, value)
        record.save(update_fields=list(values))

    return setup


def soft_delete(key):
    def setup(r):
        record = r[key]
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at"])

    return setup


def live(model, key, **expected):
    """Effect: ana's record, reloaded (deleted or not), has these field values."""

    def changed(r):
        record = model.all_objects.get(pk=r[key].pk)
        return all(getattr(record, k) == v for k, v in expected.items())

    return changed


def deleted(model, key):
    return lambda r: model.all_objects.get(pk=r[key].pk).deleted_at is not None


def restored(model, key):
    return lambda r: model.all_objects.get(pk=r[key].pk).deleted_at is None


def exists(model, **lookup):
    """Effect: a row matching the lookup (values are keys of records, or literals) exists."""

    def changed(r):
        resolved = {k: r.get(v, v) if isinstance(v, str) else v for k, v in lookup.items()}
        return model.all_objects.filter(**resolved).exists()

    return changed


def pk_of(key):
    return lambda r: {"pk": r[key].pk}


def restore_kwargs(label, key):
    return lambda r: {"label": label, "pk": r[key].pk}


def as_next_step(r):
    """Setup: ana's call becomes an open task due tomorrow on her deal: the deal's next step."""
    activity = r["activity"]
    activity.kind = Activity.Kind.TASK
    activity.occurs_at = timezone.now() + timedelta(days=1)
    activity.save(update_fields=["kind", "occurs_at"])


# ---- the matrix ----------------------------------------------------------------------------

CASES: list[Case] = [
    # Dashboards, lists and search: everyone gets 200; ana's records only reach those who see them.
    page("home", EVERYONE_200, shows="Nordwind", shown_to=NOBODY),  # My day: own records only
    page(
        "contacts:list",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("contact",),
        shows="Secretname",
        fragment='id="results"',
    ),
    page(
        "contacts:company-list",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("company",),
        shows="Nordwind GmbH",
        fragment='id="results"',
    ),
    page(
        "contacts:activity-list",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("activity",),
        shows="Call Nora about rollout",
        fragment='id="results"',
    ),
    page(
        "deals:list",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("deal",),
        shows="Nordwind rollout",
        fragment='id="results"',
    ),
    page(
        "deals:board",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("deal",),
        shows="Nordwind rollout",
        fragment='id="board"',
    ),
    page(
        "search",
        EVERYONE_200,
        HTMX_LIST,
        kinds=("contact",),
        query={"q": "nord"},
        shows="Secretname",
        fragment='id="search-results"',
    ),
    # Details: see or 404. A POST to a detail page changes nothing.
    page("contacts:detail", SEE, kinds=("contact",), kwargs=pk_of("contact"), shows="Secretname"),
    page(
        "contacts:company-detail",
        SEE,
        kinds=("company",),
        kwargs=pk_of("company"),
        shows="Nordwind GmbH",
    ),
    page(
        "contacts:activity-detail",
        SEE,
        kinds=("activity",),
        kwargs=pk_of("activity"),
        shows="Call Nora about rollout",
    ),
    page("deals:detail", SEE, kinds=("deal",), kwargs=pk_of("deal"), shows="Nordwind rollout"),
    # A deal's next step is ana's task: only those who may see the task read it on the deal.
    page(
        "deals:detail",
        SEE,
        id="deals:detail-next-step",
        kinds=("deal",),
        kwargs=pk_of("deal"),
        setup=as_next_step,
        shows="Call Nora about rollout",
        shown_to=seers("deal", "activity"),
    ),
    # Create: everyone may create; the pickers offer ana's records only to those who see them,
    # and a forged id of one is an invalid choice.
    Case(
        "contacts:create",
        {GET: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        kinds=("company",),
        data=_contact_create,
        changed=exists(Contact, last_name="Newperson", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        shown_to=NOBODY,  # the company picker offers the user's own recent ones (crm/pickers.py)
        fragment='id="record-form"',
    ),
    Case(
        "contacts:company-create",
        {GET: EVERYONE_200, POST: statuses(ben=302, outsiders=302, editors=302)}
        | {POST_HX: EVERYONE_200},
        data=_company_create,
        changed=exists(Company, name="Brandnew Ltd"),
        changers=LOGGED_IN,
        shows="Nordwind",
        shown_to=NOBODY,
    ),
    page(
        "contacts:activity-create",
        EVERYONE_200,
        (GET,),
        id="contacts:activity-create-form",
        kinds=("contact", "company", "deal"),
        shows="Nordwind rollout",  # the deal picker offers the user's own recent ones only
        shown_to=NOBODY,
    ),
    Case(
        "contacts:activity-create",
        {POST: LINK_POST, POST_HX: EVERYONE_200},
        kinds=("contact", "company", "deal"),  # it links all three
        data=_activity_create,
        changed=exists(Activity, subject="Fresh task", deal="deal"),
        changers=SEERS,
        shows="Nordwind rollout",  # a refused form keeps the deal its poster chose
        shown_to=seers("deal"),
        fragment='id="record-form"',
    ),
    Case(
        "deals:create",
        {GET: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        kinds=("company",),
        data=_deal_create,
        changed=exists(Deal, title="Fresh deal", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        shown_to=NOBODY,  # the company picker offers the user's own recent ones (crm/pickers.py)
        fragment='id="record-form"',
    ),
    # Edit and delete: whoever may change the record; 403 to those who only see it, else 404.
    # The full forms post ana's record as it is (her as owner, her company, deal and contact):
    # a permitted edit must save, even by someone who may not see what it links to.
    Case(
        "contacts:edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("contact",),
        kwargs=pk_of("contact"),
        data=_contact_edit,
        changed=live(Contact, "contact", last_name="Renamed"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "contacts:company-edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("company",),
        kwargs=pk_of("company"),
        data=_company_edit,
        changed=live(Company, "company", name="Nordwind Renamed AG"),
        changers=EDITORS,
        shows="Nordwind GmbH",
    ),
    Case(
        "contacts:activity-edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("activity",),
        kwargs=pk_of("activity"),
        data=_activity_edit,
        changed=live(Activity, "activity", subject="Renamed call"),
        changers=EDITORS,
        shows="Call Nora about rollout",
    ),
    Case(
        "deals:edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("deal",),
        kwargs=pk_of("deal"),
        data=_deal_edit,
        changed=live(Deal, "deal", title="Renamed rollout"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    Case(
        "contacts:delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("contact",),
        kwargs=pk_of("contact"),
        changed=deleted(Contact, "contact"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "contacts:company-delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("company",),
        kwargs=pk_of("company"),
        changed=deleted(Company, "company"),
        changers=EDITORS,
        shows="Nordwind GmbH",
    ),
    Case(
        "contacts:activity-delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("activity",),
        kwargs=pk_of("activity"),
        changed=deleted(Activity, "activity"),
        changers=EDITORS,
        shows="Call Nora about rollout",
    ),
    Case(
        "deals:delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("deal",),
        kwargs=pk_of("deal"),
        changed=deleted(Deal, "deal"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    # Log an activity on a record: whoever sees it may; the timeline fragment answers HTMX.
    Case(
        "contacts:contact-log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kinds=("contact",),
        kwargs=pk_of("contact"),
        data=_log,
        changed=exists(Activity, subject=LOGGED_SUBJECT, contacts="contact"),
        changers=SEERS,
        shows=LOGGED_SUBJECT,  # the new entry, put on top of the timeline
        fragment='id="log-form"',
    ),
    Case(
        "contacts:company-log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kinds=("company",),
        kwargs=pk_of("company"),
        data=_log,
        changed=exists(Activity, subject=LOGGED_SUBJECT, company="company"),
        changers=SEERS,
        shows=LOGGED_SUBJECT,  # the new entry, put on top of the timeline
        fragment='id="log-form"',
    ),
    Case(
        "deals:log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kinds=("deal",),
        kwargs=pk_of("deal"),
        data=_log,
        changed=exists(Activity, subject=LOGGED_SUBJECT, deal="deal"),
        changers=SEERS,
        shows=LOGGED_SUBJECT,  # the new entry, put on top of the timeline
        fragment='id="log-form"',
    ),
    # One-click changes: "done" and the board move, by whoever may change the record.
    Case(
        "contacts:activity-done",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("activity",),
        kwargs=pk_of("activity"),
        data=_done,
        changed=live(Activity, "activity", done=True),
        changers=EDITORS,
        shows="Call Nora about rollout",
        fragment='id="activity-',
    ),
    # The next step after a done task: a new task on the same deal, editors of the task only.
    Case(
        "contacts:activity-next",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("activity",),
        kwargs=pk_of("activity"),
        data=lambda r, role: {"subject": "Send the revised offer", "due": "2030-01-15"},
        changed=exists(Activity, subject="Send the revised offer", deal="deal"),
        changers=EDITORS,
        shows="Send the revised offer",
        fragment='id="activity-',
    ),
    Case(
        "deals:move",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kinds=("deal",),
        kwargs=pk_of("deal"),
        data=_move,
        changed=lambda r: Deal.all_objects.get(pk=r["deal"].pk).stage_id == r["other_stage"].pk,
        changers=EDITORS,
        shows="Nordwind rollout",
        fragment='id="column-head-',
    ),
    # Undo a delete: ana's record was soft-deleted first; only its editors may bring it back.
    Case(
        "restore",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST},
        id="restore-contact",
        kinds=("contact",),
        kwargs=restore_kwargs("contacts.contact", "contact"),
        setup=soft_delete("contact"),
        changed=restored(Contact, "contact"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "restore",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST},
        id="restore-deal",
        kinds=("deal",),
        kwargs=restore_kwargs("deals.deal", "deal"),
        setup=soft_delete("deal"),
        changed=restored(Deal, "deal"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    # The one inline-edit mechanism (fix lists, tables, detail pages): the value to whoever sees
    # the record, its input and the save to whoever may change it.
    page(
        "inline-edit",
        SEE,
        (GET, GET_HX),
        id="inline-edit-display",
        kinds=("deal",),
        kwargs=_inline_kwargs("deal", "expected_close"),
        setup=set_fields("deal", expected_close=INLINE_CLOSE),
        shows=INLINE_CLOSE_SHOWN,
        fragment='class="inline-field"',
    ),
    page(
        "inline-edit",
        CHANGE_PAGE,
        (GET, GET_HX),
        id="inline-edit-input",
        kinds=("deal",),
        kwargs=_inline_kwargs("deal", "expected_close"),
        query={"edit": "1"},
        setup=set_fields("deal", expected_close=INLINE_CLOSE),
        shows=INLINE_CLOSE.isoformat(),
        shown_to=EDITORS,
        fragment='name="version"',
    ),
    Case(
        "inline-edit",
        {POST: CHANGE_POST, POST_HX: CHANGE_HX},
        id="inline-edit-save",
        kinds=("deal",),
        kwargs=_inline_kwargs("deal", "expected_close"),
        setup=set_fields("deal", expected_close=INLINE_CLOSE),
        data=_inline_close_date,
        changed=live(Deal, "deal", expected_close=INLINE_NEW_CLOSE),
        changers=EDITORS,
        shows=INLINE_NEW_CLOSE_SHOWN,
        shown_to=EDITORS,
        fragment='class="inline-field saved"',
        hx_trigger="recordChanged",
    ),
    # Duplicates while typing: a similar name reveals only visible records; a record the user
    # may not see surfaces only on an exact e-mail, as "already in Huddle, owned by NAME".
    page(
        "contacts:duplicates",
        EVERYONE_200,
        (GET, GET_HX, POST),
        kinds=("contact",),
        query={
            "kind": "contact",
            "first_name": "Nora",
            "last_name": "Secretname",
            "email": "nora@nordwind.example",
        },
        shows="Secretname",
        fragment='class="duplicate-warning"',
    ),
    # The organisation's settings: admin only.
    Case(
        "settings",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        data=_policy,
        changed=lambda r: VisibilityPolicy.objects.filter(pk=1, contact_see="everyone").exists(),
        changers=frozenset({"admin"}),
        shows="Nordwind",
        shown_to=NOBODY,
    ),
    Case(
        "report-switch",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST, POST_HX: ADMIN_HX},
        kwargs=lambda r: {"slug": "forecast"},
        data=lambda r, user: {"enabled": "0"},
        changed=lambda r: ReportSwitch.objects.filter(slug="forecast", enabled=False).exists(),
        changers=frozenset({"admin"}),
        shows="Nordwind",
        shown_to=NOBODY,
        fragment='id="report-switches"',
    ),
]
