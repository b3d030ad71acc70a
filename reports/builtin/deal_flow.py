"""How deals move: win rate and conversion, stale and slipped deals, the leaderboard, what changed.

Everything starts from `Deal.objects.visible_to(user)` (and `Activity.objects.visible_to(user)`),
narrowed by the report's team, owner and pipeline filters. Where a report needs to know what a
deal *was* (the stages it has been in, an earlier close date, the value before an edit), it reads
the deal history that django-simple-history writes on every save, restricted to the ids of the
deals in scope by a subquery, so the number of queries never grows with the number of deals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contacts.models import Activity
from crm.planner import Rare
from deals.models import Deal, Stage
from deals.selectors import start_of_today
from reports.base import Column, Params, Report, money
from reports.registry import register

HistoricalDeal = Deal.history.model

# A won stage comes after every open stage of its pipeline, whatever its `order` says.
WON_RANK = 100_000
NO_STAGE = -1

PERSON = ("owner_id", "owner__first_name", "owner__last_name", "owner__username")


# ---- shared selectors ----------------------------------------------------------------------------


def scoped_deals(user, params: Params) -> QuerySet:
    """Deals this user may see, narrowed to the chosen team, owner and pipeline."""
    deals = params.owned(Deal.objects.visible_to(user))
    if params.pipeline is not None:
        deals = deals.filter(pipeline=params.pipeline)
    return deals


def within(field: str, params: Params) -> Q:
    """`field` inside the period: from its first day's midnight to the midnight after its last."""
    q = Q()
    if params.start is not None:
        q &= Q(**{f"{field}__gte": params.start_dt()})
    if params.end is not None:
        q &= Q(**{f"{field}__lt": params.end_dt()})
    return q


def closed_deals(user, params: Params) -> QuerySet:
    """Deals won or lost within the period (a reopened deal has no `closed_at` and is not here)."""
    return scoped_deals(user, params).filter(
        within("closed_at", params), Q(stage__is_won=True) | Q(stage__is_lost=True)
    )


def percent(part: int, whole: int) -> int | None:
    """A whole percent, rounded half up like money; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(100 * part) / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def person(first: str | None, last: str | None, username: str | None) -> str:
    """What `str(user)` shows, from values already selected (no query per row)."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _owner_name(row: dict) -> str:
    return person(row["owner__first_name"], row["owner__last_name"], row["owner__username"])


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _pk(value: str) -> int:
    """A row key as a primary key. Anything else, or a number too big for the database, is a
    ValueError, which the drill view answers with 404 (not a 500 from the driver)."""
    pk = int(value)
    if not 0 < pk < 2**63:
        raise ValueError(value)
    return pk


def _int_key(row: str, prefix: str) -> int:
    """`owner-12` → 12."""
    kind, _, pk = row.partition("-")
    if kind != prefix:
        raise ValueError(row)
    return _pk(pk)


# ---- win rate and conversion -------------------------------------------------------------------


def stage_rank(prefix: str = "") -> Case:
    """A stage's place in its funnel: open stages by order, the won stage after all of them."""
    return Case(
        When(**{f"{prefix}is_won": True}, then=F(f"{prefix}order") + WON_RANK),
        default=F(f"{prefix}order"),
        output_field=IntegerField(),
    )


def rank_of(stage: Stage) -> int:
    return stage.order + WON_RANK if stage.is_won else stage.order


def with_furthest_stage(deals: QuerySet) -> QuerySet:
    """Annotate `furthest`: the rank of the furthest open or won stage each deal has been in.

    The deal's history says which stages it has been in; its current stage counts too (a deal
    whose history was not recorded, e.g. bulk-loaded, has still reached the stage it is in).
    Lost stages are not a step of the funnel, and stages of another pipeline (before a pipeline
    change) do not count. NO_STAGE means the deal never reached an open or won stage.
    """
    visited = (
        HistoricalDeal.objects.filter(
            id=OuterRef("pk"), stage__pipeline_id=OuterRef("pipeline_id"), stage__is_lost=False
        )
        .order_by()
        .values("id")
        .annotate(top=Max(stage_rank("stage__")))
        .values("top")
    )
    current = Case(
        When(stage__is_lost=True, then=Value(NO_STAGE)),
        default=stage_rank("stage__"),
        output_field=IntegerField(),
    )
    return deals.annotate(
        furthest=Greatest(
            Coalesce(Subquery(visited, output_field=IntegerField()), Value(NO_STAGE)), current
        )
    )


def created_deals(user, params: Params) -> QuerySet:
    return scoped_deals(user, params).filter(within("created_at", params))


@register
class WinRateReport(Report):
    slug = "win-rate"
    title = "Win rate and conversion"
    question = (
        "Of the deals closed in the period, how many were won, per rep? And of the deals created "
        "in it, how far down the pipeline did they get?"
    )
    audience = ("manager", "admin")
    filters = ("period", "team", "owner", "pipeline")
    columns = (
        Column("label", "Rep, or stage reached"),
        Column("closed", "Closed", "int", drill=True),
        Column("won", "Won", "int", drill=True),
        Column("won_value", "Won value", "money", drill=True),
        Column("lost", "Lost", "int", drill=True),
        Column("lost_value", "Lost value", "money", drill=True),
        Column("win_rate", "Win rate", "percent"),
        Column("reached", "Reached", "int", drill=True),
        Column("conversion", "Of created", "percent"),
        Column("step", "From previous stage", "percent"),
    )
    # Rows are per rep (`owner-ID`) and then per funnel stage (`stage-ID`).
    row_key = "key"

    def compute(self, user, params: Params):
        owner_rows = self._owner_rows(user, params)
        stage_rows, created = self._stage_rows(user, params)
        won = sum(r["won"] for r in owner_rows)
        closed = sum(r["closed"] for r in owner_rows)
        totals = {
            "closed": closed,
            "won": won,
            "won_value": sum((r["won_value"] for r in owner_rows), money(0)),
            "lost": sum(r["lost"] for r in owner_rows),
            "lost_value": sum((r["lost_value"] for r in owner_rows), money(0)),
            "win_rate": percent(won, closed),
            "reached": created,
            "created": created,
        }
        return owner_rows + stage_rows, totals

    def _owner_rows(self, user, params: Params) -> list[dict]:
        groups = (
            closed_deals(user, params)
            .values(*PERSON, "stage__is_won")
            .annotate(n=Count("id"), value=Sum("amount"))
            .order_by()
        )
        rows: dict[int, dict] = {}
        for g in groups:
            row = rows.setdefault(
                g["owner_id"],
                {
                    "kind": "owner",
                    "key": f"owner-{g['owner_id']}",
                    "owner_id": g["owner_id"],
                    "label": _owner_name(g),
                    "closed": 0,
                    "won": 0,
                    "won_value": money(0),
                    "lost": 0,
                    "lost_value": money(0),
                },
            )
            outcome = "won" if g["stage__is_won"] else "lost"
            row[outcome] += g["n"]
            row[f"{outcome}_value"] += money(g["value"])
            row["closed"] += g["n"]
        for row in rows.values():
            row["win_rate"] = percent(row["won"], row["closed"])
        return sorted(rows.values(), key=lambda r: (r["label"].lower(), r["owner_id"]))

    def _stage_rows(self, user, params: Params) -> tuple[list[dict], int]:
        groups = (
            with_furthest_stage(created_deals(user, params))
            .values("pipeline_id", "furthest")
            .annotate(n=Count("id"))
            .order_by()
        )
        furthest: dict[int, Counter] = defaultdict(Counter)
        for g in groups:
            furthest[g["pipeline_id"]][g["furthest"]] += g["n"]
        created = sum(sum(c.values()) for c in furthest.values())
        stages = Stage.objects.select_related("pipeline").filter(is_lost=False)
        if params.pipeline is not None:
            stages = stages.filter(pipeline=params.pipeline)
        else:
            stages = stages.filter(pipeline_id__in=list(furthest))
        rows = []
        previous: dict[int, int] = {}
        for stage in sorted(stages, key=lambda s: (s.pipeline.order, s.pipeline_id, rank_of(s))):
            counts = furthest[stage.pipeline_id]
            in_pipeline = sum(counts.values())
            reached = sum(n for top, n in counts.items() if top >= rank_of(stage))
            before = previous.get(stage.pipeline_id, in_pipeline)
            previous[stage.pipeline_id] = reached
            rows.append(
                {
                    "kind": "stage",
                    "key": f"stage-{stage.pk}",
                    "stage_id": stage.pk,
                    "label": f"{stage.pipeline.name} › {stage.name}",
                    "reached": reached,
                    "created": in_pipeline,
                    "conversion": percent(reached, in_pipeline),
                    "step": percent(reached, before),
                }
            )
        return rows, created

    def drill(self, user, params: Params, row: str, column: str):
        if row.startswith("stage-"):
            stage = Stage.objects.filter(pk=_int_key(row, "stage"), is_lost=False).first()
            if stage is None:
                raise ValueError(row)
            return with_furthest_stage(
                created_deals(user, params).filter(pipeline_id=stage.pipeline_id)
            ).filter(furthest__gte=rank_of(stage))
        if column in ("reached", "conversion", "step"):
            deals = created_deals(user, params)
        else:
            deals = closed_deals(user, params)
            if column in ("won", "won_value"):
                deals = deals.filter(stage__is_won=True)
            elif column in ("lost", "lost_value"):
                deals = deals.filter(stage__is_lost=True)
        if row:
            deals = deals.filter(owner_id=_int_key(row, "owner"))
        return deals


# ---- stale deals ---------------------------------------------------------------------------------

STALE_DEFAULT_DAYS = 14
STALE_ROWS = 100


def _deal_activities(user, *, done: bool) -> QuerySet:
    """A deal's visible activities, done or not.

    `done__in` rather than `done=`: Django writes `done=True` as a bare `WHERE done`, which
    SQLite cannot match against the (deal, done, occurs_at) index; `done IN (1)` it can.
    """
    return Activity.objects.visible_to(user).filter(deal=OuterRef("pk"), done__in=[done])


def stale_deals(user, params: Params) -> QuerySet:
    """Open deals quiet for N days with nothing planned.

    Activity means something done: a logged call, e-mail or note, a meeting or task marked done
    (an overdue task still open is a reminder, not contact with the customer). Planned means an
    open activity from today on, as for a deal's "next step". A deal is quiet since the later
    of its creation and its last activity, so a deal entered yesterday is not stale yet. Only
    activities the viewer may see count, as everywhere else.
    """
    now = timezone.now()
    cutoff = now - timedelta(days=params.days or STALE_DEFAULT_DAYS)
    return (
        scoped_deals(user, params)
        .open()
        .filter(created_at__lt=cutoff)
        .filter(
            _no_activity(user, done=True, occurs_at__gte=cutoff, occurs_at__lte=now),
            _no_activity(user, done=False, occurs_at__gte=start_of_today()),
        )
    )


def _no_activity(user, *, done: bool, **when) -> Q:
    """The deal has no visible activity, done or not, in the range `when`.

    PostgreSQL turns NOT EXISTS into one hash of a range of its (done, occurs_at, deal_id)
    index. SQLite would probe every open deal in scope instead (12,655 for the admin on the
    bench's large database), so there the range is written as a set to look deals up in, read
    once from its partial (done, occurs_at, deal_id, owner_id) index: 80 → 38 ms of SQL. Both
    indexes: contacts 0010, 0011. `deal__isnull=False` keeps NULL out of the set (NOT IN a set
    holding NULL is never true) and matches the partial index's condition.
    """
    if connection.vendor == "sqlite":
        deals = (
            Activity.objects.visible_to(user)
            .filter(done__in=[done], deal__isnull=False, **when)
            .values("deal_id")
        )
        return ~Q(pk__in=deals)
    return ~Exists(_deal_activities(user, done=done).filter(**when))


def with_last_activity(deals: QuerySet, user) -> QuerySet:
    """Annotate `last_activity` (latest done activity up to now) and `quiet_since`."""
    last = (
        _deal_activities(user, done=True)
        .filter(occurs_at__lte=timezone.now())
        .order_by("-occurs_at")
        .values("occurs_at")[:1]
    )
    return deals.annotate(last_activity=Subquery(last)).annotate(
        quiet_since=Greatest(Coalesce("last_activity", "created_at"), "created_at")
    )


@register
class StaleDealsReport(Report):
    slug = "stale-deals"
    title = "Stale deals"
    question = "Which open deals has nobody touched for a while, with nothing planned?"
    audience = ("rep", "manager", "admin")
    filters = ("days", "team", "owner", "pipeline")
    columns = (
        Column("title", "Deal"),
        Column("owner", "Owner"),
        Column("stage", "Stage"),
        Column("value", "Amount", "money", drill=True),
        Column("last_activity", "Last activity", "date"),
        Column("days_quiet", "Days quiet", "int"),
    )
    row_key = "deal_id"

    def default_params(self) -> Params:
        params = super().default_params()
        params.days = STALE_DEFAULT_DAYS
        return params

    def compute(self, user, params: Params):
        deals = stale_deals(user, params)
        today = timezone.localdate()
        found = list(
            with_last_activity(deals, user)
            .annotate(total_count=Window(Count("id")), total_value=Window(Sum("amount")))
            .order_by("quiet_since", "id")
            .values(
                "id",
                "title",
                *PERSON,
                "stage__name",
                "amount",
                "last_activity",
                "quiet_since",
                "total_count",
                "total_value",
            )[:STALE_ROWS]
        )
        rows = [
            {
                "deal_id": d["id"],
                "title": d["title"],
                "owner": _owner_name(d),
                "stage": d["stage__name"],
                "value": money(d["amount"]),
                "last_activity": _local_date(d["last_activity"]),
                "days_quiet": (today - timezone.localdate(d["quiet_since"])).days,
            }
            for d in found
        ]
        # The totals of every stale deal ride on each row (window aggregates, computed before
        # the LIMIT): a second query would probe every open deal's activities again.
        first = found[0] if found else {"total_count": 0, "total_value": 0}
        totals = {
            "count": first["total_count"],
            "value": money(first["total_value"]),
            "shown": len(rows),
        }
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        deals = stale_deals(user, params)
        return deals.filter(pk=_pk(row)) if row else deals


# ---- slipped deals -------------------------------------------------------------------------------

SLIPPED_ROWS = 100


def _earlier_rows() -> QuerySet:
    """History rows of the same deal before the outer history row, newest first.

    "Before" is (history_date, history_id) < the outer row's. The leading `history_date <=`
    bounds the walk of the (id, history_date, history_id) index: with the bare OR, SQLite read
    every history row of the deal for each of its rows, quadratic in a much-edited deal's
    history (a deal moved 400 times: 68 ms of a 7 ms query)."""
    return (
        HistoricalDeal.objects.filter(id=OuterRef("id"), history_date__lte=OuterRef("history_date"))
        .filter(
            Q(history_date__lt=OuterRef("history_date")) | Q(history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
    )


def later_moves(params: Params) -> QuerySet:
    """History rows, within the period, that moved a deal's close date later than the row before.

    Compared with the row just before (not any earlier one), so a date pulled in and then pushed
    back counts once, and a date set for the first time is no slip. Annotated with `previous`.
    """
    before = _earlier_rows().values("expected_close")[:1]
    return (
        HistoricalDeal.objects.filter(id=OuterRef("pk"), expected_close__isnull=False)
        .filter(within("history_date", params))
        .annotate(previous=Subquery(before))
        .filter(previous__lt=F("expected_close"))
        .order_by("-history_date", "-history_id")
    )


def slipped_deals(user, params: Params) -> QuerySet:
    """Open deals whose close date is past, or was moved later within the period.

    Reads the expected close date but does not require it: only the forecast does (DECISIONS:
    Data). The conditions are filters, not annotations, so totals aggregate over it directly
    (an aggregate filtered on an `Exists` annotation is wrapped in a subquery that drops it).
    """
    overdue = Q(expected_close__lt=timezone.localdate())
    return scoped_deals(user, params).open().filter(overdue | Q(Exists(later_moves(params))))


def with_slip(deals: QuerySet, params: Params) -> QuerySet:
    """Annotate `moved` and `previous_close` (the date before the latest move later)."""
    moves = later_moves(params)
    return deals.annotate(
        moved=Exists(moves), previous_close=Subquery(moves.values("previous")[:1])
    )


@register
class SlippedDealsReport(Report):
    slug = "slipped-deals"
    title = "Slipped deals"
    question = "Which open deals are past their close date, or had it pushed back in the period?"
    audience = ("manager", "admin")
    filters = ("period", "team", "owner", "pipeline")
    columns = (
        Column("title", "Deal"),
        Column("owner", "Owner"),
        Column("stage", "Stage"),
        Column("value", "Amount", "money", drill=True),
        Column("previous_close", "Was to close", "date"),
        Column("expected_close", "Expected close", "date"),
        Column("why", "Slipped"),
    )
    row_key = "deal_id"
    default_period_days = 30

    def compute(self, user, params: Params):
        deals = slipped_deals(user, params)
        today = timezone.localdate()
        rows = []
        ordered = with_slip(deals, params).order_by(F("expected_close").asc(nulls_last=True), "id")
        for d in ordered.values(
            "id",
            "title",
            *PERSON,
            "stage__name",
            "amount",
            "expected_close",
            "moved",
            "previous_close",
        )[:SLIPPED_ROWS]:
            overdue = d["expected_close"] is not None and d["expected_close"] < today
            rows.append(
                {
                    "deal_id": d["id"],
                    "title": d["title"],
                    "owner": _owner_name(d),
                    "stage": d["stage__name"],
                    "value": money(d["amount"]),
                    "previous_close": d["previous_close"],
                    "expected_close": d["expected_close"],
                    "overdue": overdue,
                    "moved": d["moved"],
                    "why": ", ".join(
                        w for w, yes in (("overdue", overdue), ("moved later", d["moved"])) if yes
                    ),
                }
            )
        figures = deals.aggregate(
            count=Count("id"),
            value=Sum("amount"),
            overdue=Count("id", filter=Q(expected_close__lt=today)),
            moved=Count("id", filter=Q(Exists(later_moves(params)))),
        )
        totals = {**figures, "value": money(figures["value"]), "shown": len(rows)}
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        deals = slipped_deals(user, params)
        return deals.filter(pk=_pk(row)) if row else deals


# ---- leaderboard ---------------------------------------------------------------------------------


def won_deals(user, params: Params) -> QuerySet:
    return closed_deals(user, params).filter(stage__is_won=True)


@register
class LeaderboardReport(Report):
    slug = "leaderboard"
    title = "Leaderboard"
    question = "Who won the most in the period?"
    audience = ("rep", "manager", "admin")
    filters = ("period", "team", "pipeline")
    columns = (
        Column("rank", "#", "int"),
        Column("owner", "Rep"),
        Column("won_count", "Deals won", "int", drill=True),
        Column("won_value", "Won value", "money", drill=True),
    )
    row_key = "owner_id"
    chart = ("owner", "won_value")

    def compute(self, user, params: Params):
        groups = (
            won_deals(user, params)
            .values(*PERSON)
            .annotate(won_count=Count("id"), won_value=Sum("amount"))
            .order_by()
        )
        rows = sorted(
            (
                {
                    "owner_id": g["owner_id"],
                    "owner": _owner_name(g),
                    "won_count": g["won_count"],
                    "won_value": money(g["won_value"]),
                }
                for g in groups
            ),
            key=lambda r: (-r["won_value"], -r["won_count"], r["owner"].lower(), r["owner_id"]),
        )
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        totals = {
            "won_count": sum(r["won_count"] for r in rows),
            "won_value": sum((r["won_value"] for r in rows), money(0)),
        }
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        deals = won_deals(user, params)
        return deals.filter(owner_id=_pk(row)) if row else deals


# ---- what changed --------------------------------------------------------------------------------

CHANGE_KINDS = {
    "new": "New deal",
    "stage": "Stage moved",
    "won": "Won",
    "lost": "Lost",
    "amount": "Amount changed",
    "close_date": "Close date changed",
}
CHANGES_DEFAULT_DAYS = 7
CHANGES_ROWS = 200


def deal_changes(user, params: Params, since: datetime) -> list[dict]:
    """Every change to a deal in scope since `since`, newest first, one dict per change.

    Each history row written since then is compared with the row just before it for the same
    deal: a creation is a new deal; a different stage is a stage move, or "won" / "lost" when
    the new stage is a won or lost one; and a different amount or close date is a change of its
    own (one save can make several). Keys: when (aware datetime), deal_id, deal (title then),
    kind (of CHANGE_KINDS), what (its label), from, to, by (who saved it), by_id. Two queries,
    whatever the number of changes. Meetings call this for "what changed since last time".
    """
    earlier = _earlier_rows()
    history = (
        # The period's rows through the history_date index, each then checked against the
        # deals in scope; SQLite otherwise probed the history of every deal in scope.
        HistoricalDeal.objects.filter(
            Rare(Q(history_date__gte=since)),
            id__in=scoped_deals(user, params).values("pk"),
            history_type__in=("+", "~"),
        )
        .annotate(
            prev_stage_id=Subquery(earlier.values("stage_id")[:1]),
            prev_amount=Subquery(earlier.values("amount")[:1]),
            prev_close=Subquery(earlier.values("expected_close")[:1]),
        )
        .order_by("-history_date", "-history_id")
        .values(
            "id",
            "title",
            "history_type",
            "history_date",
            "stage_id",
            "amount",
            "expected_close",
            "prev_stage_id",
            "prev_amount",
            "prev_close",
            "history_user_id",
            "history_user__first_name",
            "history_user__last_name",
            "history_user__username",
        )
    )
    stages = {s.pk: s for s in Stage.objects.all()}

    def stage_name(pk):
        return stages[pk].name if pk in stages else ""

    changes = []
    for h in history:
        base = {
            "when": h["history_date"],
            "deal_id": h["id"],
            "deal": h["title"],
            "by": person(
                h["history_user__first_name"],
                h["history_user__last_name"],
                h["history_user__username"],
            ),
            "by_id": h["history_user_id"],
        }

        def add(kind, old, new, base=base):
            changes.append(
                {**base, "kind": kind, "what": CHANGE_KINDS[kind], "from": old, "to": new}
            )

        if h["history_type"] == "+":
            add("new", None, stage_name(h["stage_id"]))
            continue
        if h["prev_stage_id"] is None:
            continue  # history starts mid-life: nothing to compare with
        if h["stage_id"] != h["prev_stage_id"]:
            stage = stages.get(h["stage_id"])
            kind = (
                "won" if stage and stage.is_won else "lost" if stage and stage.is_lost else "stage"
            )
            add(kind, stage_name(h["prev_stage_id"]), stage_name(h["stage_id"]))
        if money(h["amount"]) != money(h["prev_amount"]):
            add("amount", money(h["prev_amount"]), money(h["amount"]))
        if h["expected_close"] != h["prev_close"]:
            add("close_date", h["prev_close"], h["expected_close"])
    return fold_undone(changes)


CHANGED_FIELD = {"stage": "stage", "won": "stage", "lost": "stage"}


def fold_undone(changes: list[dict]) -> list[dict]:
    """Drop each change that a later one of the same deal and field took back (a move and its
    Undo, an amount typed and put back): over the period, those are no change at all.

    Oldest first, per deal and field, a change that goes back exactly to where the last kept one
    came from cancels it, so A→B→A vanishes and A→B→C→B leaves A→B. `changes` is newest first.
    """
    kept: dict[tuple, list[dict]] = {}
    undone: set[int] = set()
    for change in reversed(changes):
        if change["kind"] == "new":
            continue
        stack = kept.setdefault(
            (change["deal_id"], CHANGED_FIELD.get(change["kind"], change["kind"])), []
        )
        last = stack[-1] if stack else None
        if last and last["from"] == change["to"] and last["to"] == change["from"]:
            undone |= {id(stack.pop()), id(change)}
        else:
            stack.append(change)
    return [change for change in changes if id(change) not in undone]


@register
class ChangesReport(Report):
    slug = "changes"
    title = "What changed"
    question = (
        "What happened to the deals since a date: new, moved, re-valued, re-dated, won, lost?"
    )
    audience = ("manager", "admin")
    filters = ("since", "team", "owner", "pipeline")
    columns = (
        Column("when", "When", "datetime"),
        Column("deal", "Deal"),
        Column("what", "What", drill=True),
        Column("from", "From"),
        Column("to", "To"),
        Column("by", "By"),
    )
    # A change's kind: its drill-down lists every deal with that kind of change since the date.
    row_key = "kind"

    def default_params(self) -> Params:
        params = super().default_params()
        params.since = timezone.localdate() - timedelta(days=CHANGES_DEFAULT_DAYS)
        return params

    def since(self, params: Params) -> datetime:
        day = params.since or timezone.localdate() - timedelta(days=CHANGES_DEFAULT_DAYS)
        return _midnight(day)

    def compute(self, user, params: Params):
        changes = deal_changes(user, params, self.since(params))
        rows = [
            {**c, "when": timezone.localtime(c["when"]).strftime("%Y-%m-%d %H:%M")}
            for c in changes[:CHANGES_ROWS]
        ]
        per_kind = Counter(c["kind"] for c in changes)
        totals = {"changes": len(changes), **{kind: per_kind[kind] for kind in CHANGE_KINDS}}
        totals["shown"] = len(rows)
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        if row and row not in CHANGE_KINDS:
            raise ValueError(row)
        changes = deal_changes(user, params, self.since(params))
        ids = {c["deal_id"] for c in changes if not row or c["kind"] == row}
        return scoped_deals(user, params).filter(pk__in=ids)
