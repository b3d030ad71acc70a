"""My day: the rep's own dashboard — today's meetings and calls, due tasks, deals with no next step.

Every row is the user's own, but what it links to need not be: a task on a teammate's deal shows
the deal's title only if the user may see that deal (`with_related_flags`), and a deal's next step
counts only activities the user may see (deals/selectors.py).
"""

from datetime import timedelta

from contacts.linked import with_whom
from contacts.models import Activity
from deals.models import Deal
from deals.selectors import start_of_today, with_next_step, without_next_step

SECTION_LENGTH = 25


def todays_appointments(user):
    """Named by who and what they are with (contacts/linked.py), not by their owner: the user."""
    start = start_of_today()
    appointments = Activity.objects.filter(
        owner=user,
        kind__in=(Activity.Kind.MEETING, Activity.Kind.CALL),
        occurs_at__gte=start,
        occurs_at__lt=start + timedelta(days=1),
    )
    return with_whom(appointments, user).order_by("occurs_at", "id")[:SECTION_LENGTH]


def due_tasks(user):
    """Open tasks due today or earlier, oldest first, so the overdue ones lead."""
    end_of_today = start_of_today() + timedelta(days=1)
    tasks = Activity.objects.filter(
        owner=user, kind=Activity.Kind.TASK, done__in=[False], occurs_at__lt=end_of_today
    )
    return with_whom(tasks, user).order_by("occurs_at", "id")[:SECTION_LENGTH]


def deals_without_next_step(user):
    """The first of the user's open deals with no step ahead, then the steps of those alone: the
    steps annotated before the sort were computed for every such deal (SQLite computes a row's
    columns before it sorts), about two thirds of My day."""
    deals = without_next_step(Deal.objects.filter(owner=user).open(), user)
    first = deals.order_by("expected_close", "id").values("pk")[:SECTION_LENGTH]
    shown = Deal.objects.filter(pk__in=first).select_related("company", "stage")
    return with_next_step(shown, user).order_by("expected_close", "id")
