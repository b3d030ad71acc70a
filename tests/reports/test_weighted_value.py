"""A deal's weighted value, round(amount × probability / 100, 2) half up (DECISIONS: Money), is
computed by the database in whole cents (reports/builtin/pipeline.py `weighted_cents`) and
matches Python's Decimal arithmetic exactly, on SQLite and PostgreSQL alike."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from deals.models import Deal
from reports.builtin.pipeline import weighted_cents
from tests.factories import DealFactory, PipelineFactory, StageFactory, UserFactory

pytestmark = pytest.mark.django_db

AMOUNTS = ["0.10", "0.01", "0.02", "2.50", "10.05", "333.33", "999999999999.99", "-0.10", "-2.50"]
PROBABILITIES = [0, 1, 10, 25, 33, 50, 99, 100]


def expected(amount: str, probability: int) -> Decimal:
    value = Decimal(amount) * probability / 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_weighted_cents_round_half_up_like_decimal_for_every_amount_and_probability():
    owner = UserFactory()
    pipeline = PipelineFactory()
    stages = {p: StageFactory(pipeline=pipeline, probability=p, order=p) for p in PROBABILITIES}
    for amount in AMOUNTS:
        for stage in stages.values():
            DealFactory(owner=owner, pipeline=pipeline, stage=stage, amount=Decimal(amount))

    rows = Deal.objects.annotate(cents=weighted_cents()).values_list(
        "amount", "stage__probability", "cents"
    )

    assert len(rows) == len(AMOUNTS) * len(PROBABILITIES)
    for amount, probability, cents in rows:
        assert Decimal(cents) / 100 == expected(str(amount), probability), (amount, probability)
