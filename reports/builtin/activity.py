"""Activity per rep per week, data completeness per report and rep, and adoption per user.

Counting a million activities per request cannot meet the 150 ms budget, so activity figures
come from the per-owner, per-day rollup (contacts.ActivityDay, kept by contacts/rollups.py);
only a drill-down reads the activities themselves, one page of them. Rollup rows are scoped
like the activities they count: `ActivityDay.objects.visible_to(user)` keeps the owners whose
activities the user may see (crm.visibility.scope_q on owner_id).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from contacts.models import Activity, ActivityDay, Company, Contact
from contacts.rollups import day_bounds
from crm import formatting, requirements, visibility
from deals.models import Deal
from reports import registry
from reports.base import Column, Params, Report, missing_q, row_id
from reports.registry import register

PERSON = ("owner_id", "owner__first_name", "owner__last_name", "owner__username")


def person(first: str, last: str, username: str) -> str:
    """How a user reads in a report row: as str(User) would, without loading the user."""
    return f"{first} {last}".strip() or username


def period_days(params: Params) -> tuple[date, date]:
    today = timezone.localdate()
    return params.start or today - timedelta(days=27), params.end or today


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _key(*parts) -> str:
    return ":".join(str(p) for p in parts)


def _split_key(row: str, parts: int) -> list[str]:
    values = row.split(":")
    if len(values) != parts:
        raise ValueError(f"Not a row of this report: {row!r}")
    return values


# ---- activity per rep per week -------------------------------------------------------------------

# Column -> (kind, whether only done ones count). Calls, e-mails and notes are logged after the
# fact; a meeting counts when it is held or booked; a task counts, in the week it is due, once
# it is done.
COUNTED = {
    "calls": (Activity.Kind.CALL, False),
    "meetings": (Activity.Kind.MEETING, False),
    "tasks_done": (Activity.Kind.TASK, True),
    "notes": (Activity.Kind.NOTE, False),
    "emails": (Activity.Kind.EMAIL, False),
}


def _counted_q(column: str) -> Q:
    """The activities behind one column; every counted activity for the total."""
    if column in COUNTED:
        kind, done_only = COUNTED[column]
        return Q(kind=kind, done=True) if done_only else Q(kind=kind)
    return ~Q(kind=Activity.Kind.TASK) | Q(done=True)


@register
class ActivityReport(Report):
    slug = "activity"
    title = "Activity per rep"
    question = "Who did what, week by week: calls, meetings, tasks done, notes and e-mails?"
    audience = ("manager", "admin")
    filters = ("period", "team", "owner")
    columns = (
        Column("owner", "Rep"),
        Column("week", "Week of", "date"),
        Column("calls", "Calls", "int", drill=True),
        Column("meetings", "Meetings", "int", drill=True),
        Column("tasks_done", "Tasks done", "int", drill=True),
        Column("notes", "Notes", "int", drill=True),
        Column("emails", "E-mails", "int", drill=True),
        Column("total", "All", "int", drill=True),
    )
    row_key = "key"
    chart = ("label", "total")

    def default_params(self) -> Params:
        """The last four ISO weeks, this one included: whole weeks, as the rows are."""
        params = Params()
        today = timezone.localdate()
        params.start, params.end = monday(today) - timedelta(weeks=3), today
        return params

    def compute(self, user, params: Params):
        start, end = period_days(params)
        groups = (
            params.owned(ActivityDay.objects.visible_to(user))
            .filter(day__gte=start, day__lte=end)
            .annotate(week=TruncWeek("day"))
            .values(*PERSON, "week", "kind")
            .annotate(n=Sum("count"), done=Sum("done_count"))
            .order_by()
        )
        per_row: dict[tuple, dict] = {}
        for g in groups:
            week = g["week"]
            week = week.date() if hasattr(week, "date") else week
            name = person(g["owner__first_name"], g["owner__last_name"], g["owner__username"])
            row = per_row.setdefault(
                (name, g["owner_id"], week),
                {
                    "key": _key(g["owner_id"], week.isoformat()),
                    "owner": name,
                    "owner_id": g["owner_id"],
                    "week": week.isoformat(),
                    "iso_week": "{}-W{:02}".format(*week.isocalendar()[:2]),
                    "label": f"{name} · {formatting.date(week)}",
                    **dict.fromkeys((*COUNTED, "total"), 0),
                },
            )
            for column, (kind, done_only) in COUNTED.items():
                if g["kind"] == kind:
                    figure = g["done"] if done_only else g["n"]
                    row[column] += figure
                    row["total"] += figure
        rows = [per_row[k] for k in sorted(per_row)]
        totals = {c: sum(r[c] for r in rows) for c in (*COUNTED, "total")}
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        start, end = period_days(params)
        activities = params.owned(Activity.objects.visible_to(user))
        if row:
            owner_id, week = _split_key(row, 2)
            first = date.fromisoformat(week)
            if first != monday(first):
                raise ValueError("A week starts on a Monday.")
            activities = activities.filter(owner_id=row_id(owner_id))
            start, end = max(start, first), min(end, first + timedelta(days=6))
        return activities.filter(
            _counted_q(column),
            occurs_at__gte=day_bounds(start)[0],
            occurs_at__lt=day_bounds(end)[1],
        )


# ---- data completeness per report and per rep ------------------------------------------------


def _checked_reports() -> list[Report]:
    return [
        r
        for r in registry.all_reports()
        if r.needs() and r.slug != "completeness" and requirements.is_enabled(r.slug)
    ]


def _their_params(report: Report, params: Params) -> Params:
    """The report's own defaults, narrowed to this report's team and owner."""
    theirs = report.default_params()
    theirs.team, theirs.owner = params.team, params.owner
    return theirs


def _lacking(model, fields) -> Q:
    """Records missing at least one of these fields (as reports.base counts them)."""
    lacking = Q(pk__in=[])
    for name in fields:
        lacking |= missing_q(model, name)
    return lacking


def _percent(complete: int, total: int) -> int:
    return 100 if not total else round(100 * complete / total)


@register
class CompletenessReport(Report):
    slug = "completeness"
    title = "Data completeness"
    question = "Which reports lack data, and whose records need filling in?"
    audience = ("manager", "admin")
    filters = ("team", "owner")
    columns = (
        Column("report", "Report"),
        Column("owner", "Owner"),
        Column("records", "Records", "int"),
        Column("complete", "Complete", "int"),
        Column("incomplete", "Incomplete", "int", drill=True),
        Column("percent", "Complete %", "percent"),
        Column("report_percent", "Report overall", "percent"),
    )
    row_key = "key"
    chart = ("label", "percent")

    def compute(self, user, params: Params):
        rows, by_report = [], {}
        for report in _checked_reports():
            queryset = report.completeness_queryset(user, _their_params(report, params))
            if queryset is None:
                continue
            model = queryset.model
            fields = report.needs().get(model._meta.label, ())
            # One aggregate query per report: each owner's records, and how many lack something.
            groups = (
                queryset.values(*PERSON)
                .annotate(
                    records=Count("pk"),
                    incomplete=Count("pk", filter=_lacking(model, fields)),
                )
                .order_by()
            )
            mine = []
            for g in groups:
                name = person(g["owner__first_name"], g["owner__last_name"], g["owner__username"])
                complete = g["records"] - g["incomplete"]
                mine.append(
                    {
                        "key": _key(report.slug, g["owner_id"]),
                        "slug": report.slug,
                        "report": report.title,
                        "owner": name,
                        "owner_id": g["owner_id"],
                        "label": f"{report.title} · {name}",
                        "records": g["records"],
                        "complete": complete,
                        "incomplete": g["incomplete"],
                        "percent": _percent(complete, g["records"]),
                    }
                )
            records = sum(r["records"] for r in mine)
            complete = sum(r["complete"] for r in mine)
            by_report[report.slug] = {
                "title": report.title,
                "records": records,
                "complete": complete,
                "incomplete": records - complete,
                "percent": _percent(complete, records),
            }
            for r in mine:
                r["report_percent"] = by_report[report.slug]["percent"]
            rows += sorted(mine, key=lambda r: (r["owner"], r["owner_id"]))
        records = sum(r["records"] for r in rows)
        complete = sum(r["complete"] for r in rows)
        totals = {
            "records": records,
            "complete": complete,
            "incomplete": records - complete,
            "percent": _percent(complete, records),
            "reports": by_report,
        }
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        """The fix list records of one report for one owner; all of them for the total."""
        if row:
            slug, owner_id = _split_key(row, 2)
            report = next((r for r in _checked_reports() if r.slug == slug), None)
            if report is None:
                raise ValueError(f"No checked report {slug!r}.")
            incomplete = report.incomplete(user, _their_params(report, params))
            if incomplete is None:
                raise ValueError(f"{slug!r} checks no fields.")
            return incomplete.filter(owner_id=row_id(owner_id))
        # Every report's gaps at once can only be one table when they are records of one kind.
        lists = [r.incomplete(user, _their_params(r, params)) for r in _checked_reports()]
        lists = [q for q in lists if q is not None]
        if not lists or len({q.model for q in lists}) != 1:
            raise ValueError("Pick one report's figure to see its records.")
        combined = lists[0]
        for more in lists[1:]:
            combined = combined | more
        return combined


# ---- adoption --------------------------------------------------------------------------------

# Model, and the row's column prefix.
# Activities are counted from the per-day rollup ("activities logged"): counting their creators
# and editors in a million rows would cost a second per report.
TRACKED = ((Company, "companies"), (Contact, "contacts"), (Deal, "deals"))
_CREATED, _UPDATED = 1, 2


def people_in_scope(user) -> QuerySet:
    """Whose adoption this user may watch: everyone for an admin, a manager's teams' members,
    a rep themselves — the people crm/visibility.py lets them assign work to."""
    return visibility.assignable_owners(user).select_related("team")


@register
class AdoptionReport(Report):
    slug = "adoption"
    title = "Adoption"
    question = "Who uses Huddle: when were they last seen, and what did they enter and change?"
    audience = ("manager", "admin")
    filters = ("period", "team", "owner")
    columns = (
        Column("user", "User"),
        Column("team", "Team"),
        Column("last_seen", "Last seen", "datetime"),
        *(
            Column(
                f"{prefix}_{what}",
                f"{model._meta.verbose_name_plural} {what}".capitalize(),
                "int",
                drill=True,
            )
            for model, prefix in TRACKED
            for what in ("created", "updated")
        ),
        Column("activities_logged", "Activities logged", "int", drill=True),
    )
    row_key = "user_id"
    chart = ("user", "activities_logged")
    default_period_days = 28

    def _people(self, user, params: Params) -> QuerySet:
        people = people_in_scope(user)
        if params.owner is not None:
            people = people.filter(pk=params.owner.pk)
        if params.team is not None:
            people = people.filter(team_id=params.team.pk)
        return people

    def compute(self, user, params: Params):
        start, end = period_days(params)
        since, until = day_bounds(start)[0], day_bounds(end)[1]
        people = list(self._people(user, params))
        ids = [p.pk for p in people]
        figures: dict[int, dict] = defaultdict(lambda: defaultdict(int))
        for model, prefix in TRACKED:
            # One query per model: who created what in the period, and who last changed what
            # (a record's latest change only: history is not counted here). Creating a record
            # stamps it updated too, so a change is a save after the first (version > 1).
            records = model.objects.visible_to(user).order_by()
            created = (
                records.filter(created_by_id__in=ids, created_at__gte=since, created_at__lt=until)
                .values("created_by_id")
                .annotate(what=Value(_CREATED), n=Count("pk"))
                .values_list("created_by_id", "what", "n")
            )
            updated = (
                records.filter(
                    updated_by_id__in=ids,
                    updated_at__gte=since,
                    updated_at__lt=until,
                    version__gt=1,
                )
                .values("updated_by_id")
                .annotate(what=Value(_UPDATED), n=Count("pk"))
                .values_list("updated_by_id", "what", "n")
            )
            for person_id, what, n in created.union(updated, all=True):
                label = "created" if what == _CREATED else "updated"
                figures[person_id][f"{prefix}_{label}"] += n
        logged = (
            ActivityDay.objects.visible_to(user)
            .filter(owner_id__in=ids, day__gte=start, day__lte=end)
            .values("owner_id")
            .annotate(n=Sum("count"))
            .order_by()
        )
        for g in logged:
            figures[g["owner_id"]]["activities_logged"] = g["n"]
        counted = [c.key for c in self.columns if c.kind == "int"]
        rows = []
        for p in sorted(people, key=lambda p: (str(p).lower(), p.pk)):
            seen = p.last_seen and timezone.localtime(p.last_seen).replace(second=0, microsecond=0)
            rows.append(
                {
                    "user_id": p.pk,
                    "user": str(p),
                    "username": p.username,
                    "role": p.role,
                    "team": p.team.name if p.team else "",
                    "last_seen": seen,
                    **{key: figures[p.pk][key] for key in counted},
                }
            )
        totals = {key: sum(r[key] for r in rows) for key in counted}
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        start, end = period_days(params)
        since, until = day_bounds(start)[0], day_bounds(end)[1]
        people = self._people(user, params)
        if row:
            people = people.filter(pk=row_id(row))
        ids = people.values("pk")
        if column == "activities_logged" or not column:
            return Activity.objects.visible_to(user).filter(
                owner_id__in=ids, occurs_at__gte=since, occurs_at__lt=until
            )
        prefix, _, what = column.rpartition("_")
        model = next(m for m, p in TRACKED if p == prefix)
        records = model.objects.visible_to(user)
        if what == "created":
            return records.filter(
                created_by_id__in=ids, created_at__gte=since, created_at__lt=until
            )
        return records.filter(
            updated_by_id__in=ids, updated_at__gte=since, updated_at__lt=until, version__gt=1
        )
