"""factory-boy factories for every model; owned records default to a fresh rep as owner."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from contacts.models import Activity, Company, Contact
from crm.models import Team, User
from deals.models import Deal, Pipeline, Stage


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    role = User.Role.REP
    password = factory.django.Password("pw")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda c: f"{c.last_name.lower()}@example.com")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline
        django_get_or_create = ["name"]

    name = "Sales"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage
        django_get_or_create = ["pipeline", "name"]

    pipeline = factory.SubFactory(PipelineFactory)
    name = "Qualified"
    order = 1
    probability = 25


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Deal {n}")
    stage = factory.SubFactory(StageFactory)
    pipeline = factory.SelfAttribute("stage.pipeline")
    amount = Decimal("10000.00")
    expected_close = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Activity {n}")
    occurs_at = factory.LazyFunction(timezone.now)
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
