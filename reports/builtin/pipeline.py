"""Pipeline by stage and forecast by expected close month."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import BigIntegerField, Case, CharField, Count, F, Func, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.utils import timezone

from deals.models import Deal, Stage
from reports import grouping
from reports.base import Column, Params, Report, Shape, money, row_id
from reports.registry import register


def open_deals(user, params: Params):
    deals = params.owned(Deal.objects.visible_to(user).open())
    if params.pipeline is not None:
        deals = deals.filter(pipeline=params.pipeline)
    return deals


def weighted_cents():
    """A deal's weighted value in whole cents, round(amount × probability / 100, 2) half up
    (DECISIONS: Money), computed by the database in integers: summed per row of a report, so no
    report reads one row per deal amount to round each in Python. Integer division truncates
    towards zero on both databases, so adding half (50) before it rounds half away from zero."""
    cents = Cast(Round(F("amount") * 100), BigIntegerField()) * F("stage__probability")
    return Case(
        When(amount__lt=0, then=-((-cents + Value(50)) / Value(100))),
        default=(cents + Value(50)) / Value(100),
        output_field=BigIntegerField(),
    )


def from_cents(cents) -> Decimal:
    return money(Decimal(int(cents or 0)) / 100)


class CloseMonth(Func):
    """A date's month as "YYYY-MM", natively on both databases (TruncMonth calls a Python
    function per row on SQLite: most of the forecast's time)."""

    template = "to_char(%(expressions)s, 'YYYY-MM')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)")


def _figures(groups) -> dict:
    """{count, value, weighted_value} of one row of `_summed`."""
    return {
        "count": groups["n"],
        "value": money(groups["value"]),
        "weighted_value": from_cents(groups["weighted"]),
    }


def _summed(deals):
    """Per group of a `.values(…)` queryset of deals: how many, their amount, their weighted
    value in cents."""
    return deals.annotate(n=Count("id"), value=Sum("amount"), weighted=Sum(weighted_cents()))


@register
class PipelineReport(Report):
    slug = "pipeline"
    title = "Pipeline"
    question = "What is open, at which stage, and what is it worth?"
    audience = ("rep", "manager", "admin")
    filters = ("team", "owner", "pipeline")
    columns = (
        Column("pipeline", "Pipeline"),
        Column("stage", "Stage"),
        Column("count", "Deals", "int", drill=True),
        Column("value", "Value", "money", drill=True),
        Column("weighted_value", "Weighted", "money", drill=True),
    )
    row_key = "stage_id"
    chart = ("stage", "value")
    completeness_noun = "open deals"
    group_by_kind = "deal"  # "Group by": the stages, or a choice, yes/no or user field of deals
    group_by_label = "Stage"

    def shape(self, params: Params) -> Shape:
        spec = params.group_by
        if spec is None:
            return super().shape(params)
        return Shape(
            (Column("group", spec.label), *self.columns[2:]), "group_key", ("group", "value")
        )

    def compute(self, user, params: Params):
        if params.group_by is not None:
            return self._by_field(user, params, params.group_by)
        # Weighted value is rounded per deal, in the database (weighted_cents), and summed.
        groups = _summed(open_deals(user, params).values("stage_id").order_by())
        per_stage = {g["stage_id"]: _figures(g) for g in groups}
        stages = {
            s.pk: s
            for s in Stage.objects.select_related("pipeline").filter(is_won=False, is_lost=False)
        }
        rows = []
        for stage in sorted(
            stages.values(), key=lambda s: (s.pipeline.order, s.pipeline_id, s.order)
        ):
            if params.pipeline is not None and stage.pipeline_id != params.pipeline.pk:
                continue
            figures = per_stage.get(
                stage.pk, {"count": 0, "value": money(0), "weighted_value": money(0)}
            )
            rows.append(
                {
                    "pipeline": stage.pipeline.name,
                    "stage": stage.name,
                    "stage_id": stage.pk,
                    "probability": stage.probability,
                    **figures,
                }
            )
        totals = {
            "count": sum(r["count"] for r in rows),
            "value": sum((r["value"] for r in rows), money(0)),
            "weighted_value": sum((r["weighted_value"] for r in rows), money(0)),
        }
        return rows, totals

    def _by_field(self, user, params: Params, spec):
        """Rows per value of an admin's field (reports/grouping.py): the same open deals, so
        the same totals; one grouped query, whatever the number of rows."""
        groups = _summed(
            open_deals(user, params)
            .annotate(group_value=grouping.expression(spec))
            .values("group_value")
            .order_by()
        )
        figures: dict[str, dict] = defaultdict(
            lambda: {"count": 0, "value": money(0), "weighted_value": money(0)}
        )
        for g in groups:  # several database values may read as one key (grouping.key)
            row = figures[grouping.key(spec, g["group_value"])]
            for name, figure in _figures(g).items():
                row[name] += figure
        rows = [
            {"group": label, "group_key": key, **figures[key]}
            for key, label in grouping.rows(spec, set(figures))
        ]
        totals = {
            "count": sum(r["count"] for r in rows),
            "value": sum((r["value"] for r in rows), money(0)),
            "weighted_value": sum((r["weighted_value"] for r in rows), money(0)),
        }
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        deals = open_deals(user, params)
        if row and params.group_by is not None:
            return grouping.drill(deals, params.group_by, row)
        if row:
            deals = deals.filter(stage_id=row_id(row))
        return deals

    def completeness_queryset(self, user, params: Params):
        return open_deals(user, params)


OVERDUE = "Overdue"  # the forecast's row of open deals due to close in a past month
OVERDUE_KEY = ""  # sorts before every "YYYY-MM"


@register
class ForecastReport(Report):
    slug = "forecast"
    title = "Forecast"
    question = "What will close, month by month: weighted, and at best?"
    audience = ("manager", "admin")
    filters = ("team", "owner", "pipeline")
    requires = {"deals.Deal": ("expected_close", "amount")}
    columns = (
        Column("month", "Expected close", "month"),
        Column("count", "Deals", "int", drill=True),
        Column("weighted_value", "Weighted", "money", drill=True),
        Column("best_case", "Best case", "money", drill=True),
    )
    row_key = "month"
    chart = ("month", "weighted_value")
    completeness_noun = "open deals"

    def compute(self, user, params: Params):
        """Rows per month from this month on; open deals whose close date is in a past month
        are not to come: they lead, as one "Overdue" row."""
        this_month = timezone.localdate().strftime("%Y-%m")
        groups = _summed(
            open_deals(user, params)
            .filter(expected_close__isnull=False)
            .annotate(month=CloseMonth("expected_close"))
            .values("month")
            .order_by()
        )
        months: dict[str, dict] = {}
        for g in groups:
            row = months.setdefault(
                g["month"] if g["month"] >= this_month else OVERDUE_KEY,
                {"count": 0, "weighted_value": money(0), "best_case": money(0)},
            )
            figures = _figures(g)
            row["count"] += figures["count"]
            row["weighted_value"] += figures["weighted_value"]
            row["best_case"] += figures["value"]
        rows = [
            {"month": OVERDUE if m == OVERDUE_KEY else m, **figures}
            for m, figures in sorted(months.items())
        ]
        totals = {
            "count": sum(r["count"] for r in rows),
            "weighted_value": sum((r["weighted_value"] for r in rows), money(0)),
            "best_case": sum((r["best_case"] for r in rows), money(0)),
        }
        return rows, totals

    def drill(self, user, params: Params, row: str, column: str):
        deals = open_deals(user, params).filter(expected_close__isnull=False)
        if row == OVERDUE:
            this_month = timezone.localdate().replace(day=1)
            return deals.filter(expected_close__lt=this_month)
        if row:
            year, month = (int(x) for x in row.split("-"))
            deals = deals.filter(expected_close__year=year, expected_close__month=month)
        return deals

    def completeness_queryset(self, user, params: Params):
        return open_deals(user, params)
