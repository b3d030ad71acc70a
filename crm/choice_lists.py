"""A select's choices, read in one round trip.

Django's ModelChoiceIterator reads a select's records with `QuerySet.iterator()`, which on
PostgreSQL opens a server-side cursor: DECLARE, FETCH, FETCH and CLOSE, four round trips for a
few dozen pipelines, stages or owners. A list page has three such selects (about 3 ms of a deals
list on PostgreSQL). A select shows every one of its choices anyway, so they are read as any
small queryset is, and a choice of none (`.none()`, a list's picker with nothing chosen) is not
compiled at all. Exports keep `iterator()`: they stream a whole list through such a cursor.

Installed once from CrmConfig.ready(); django-filter's iterator extends Django's.
"""

from __future__ import annotations

from django.forms.models import ModelChoiceIterator


def _choices(self):
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    if self.queryset.query.is_empty():  # `.none()`: a list's picker with nothing chosen
        return  # Django would compile the query before finding it empty (0.7 ms)
    for record in self.queryset.all():  # read afresh on each iteration, as iterator() was
        yield self.choice(record)


def install() -> None:
    ModelChoiceIterator.__iter__ = _choices
