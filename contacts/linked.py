"""Who and what an activity is with — its people, company and deal — as its viewer may see them.

A row of My day names the meeting's contact and company, not its owner (the rep reading it).
Each label goes through crm/visibility.py: the company and deal by `with_related_flags`, the
people as the first visible contact's name and how many visible ones there are in all. Both
are subqueries of the row's own query, so a list costs no query more per row.
"""

from __future__ import annotations

from django.db.models import F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim

from contacts.models import Contact
from crm.visibility import with_related_flags


def with_whom(activities: QuerySet, user) -> QuerySet:
    """Annotate `contact_name`, `contact_count`, `company_visible` and `deal_visible`."""
    people = Contact.objects.visible_to(user).filter(activities=OuterRef("pk")).order_by()
    first = people.annotate(name=Trim(Concat("first_name", Value(" "), "last_name"))).order_by(
        "last_name", "first_name", "pk"
    )
    count = people.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return with_related_flags(
        activities.select_related("company", "deal"), user, "company", "deal"
    ).annotate(
        contact_name=Subquery(first.values("name")[:1]),
        contact_count=Subquery(count),
    )
