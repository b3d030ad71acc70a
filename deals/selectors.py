"""Reads about deals that several pages share: the next step, derived from activities."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from contacts.models import Activity

NEXT_STEP_KINDS = (Activity.Kind.TASK, Activity.Kind.MEETING)


def start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _open_steps(user):
    """The deal's open tasks and meetings that this user may see.

    A next step is an activity: under a policy where activities are seen more narrowly than
    deals ("own" activities, "team" deals), a teammate's task must not show through the deal as
    its next step — so the steps come from `visible_to`, like a timeline's entries.
    """
    return Activity.objects.visible_to(user).filter(
        deal=OuterRef("pk"), kind__in=NEXT_STEP_KINDS, done__in=[False], cancelled=False
    )  # `done=False` compiles to `NOT done`, which skips the index


def with_next_step(deals, user):
    """Annotate `next_step_at` (earliest open task/meeting from today on), `next_step_subject`
    and `has_overdue_step`, from the activities this user may see.

    A deal whose steps are all overdue shows "next step overdue"; one with none, "no next step".
    """
    today = start_of_today()
    upcoming = _open_steps(user).filter(occurs_at__gte=today).order_by("occurs_at")
    return deals.annotate(
        next_step_at=Subquery(upcoming.values("occurs_at")[:1]),
        next_step_subject=Subquery(upcoming.values("subject")[:1]),
        has_overdue_step=Exists(_open_steps(user).filter(occurs_at__lt=today)),
    )


def without_next_step(deals, user):
    """Deals with no open step from today on that this user may see."""
    today = start_of_today()
    return deals.filter(~Q(Exists(_open_steps(user).filter(occurs_at__gte=today))))
