"""The tables that show the records behind a report figure: deals or activities."""

import django_tables2 as tables

from contacts.models import Activity
from contacts.tables import ActivityTable
from deals.models import Deal
from deals.tables import DealTable


def table_for(records):
    """A table for a drill-down queryset, with the relations it shows loaded up front."""
    if records.model is Deal:
        return DealTable(records.select_related("company", "stage", "owner"))
    if records.model is Activity:
        return ActivityTable(records.select_related("owner", "company", "deal"))
    return tables.Table(records)
