"""Hints to SQLite's query planner, written so the same queryset runs on PostgreSQL too."""

from __future__ import annotations

from django.db.models import BooleanField, Func


class Rare(Func):
    """`filter(Rare(Q(...)))`: the condition, which few rows meet. SQLite is told so with
    likelihood(condition, 0.001), and then reads the condition's index even where its statistics
    guess a range (a date since last week, say) matches a large part of the table. PostgreSQL
    estimates ranges from its histograms and gets the bare condition."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # The probability must be a literal.
        return self.as_sql(compiler, connection, template="likelihood(%(expressions)s, 0.001)")
