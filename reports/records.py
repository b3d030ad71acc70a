"""The tables that show the records behind a report figure: deals, activities, contacts or
companies (the adoption report counts all four)."""

import django_tables2 as tables

from contacts.models import Activity, Company, Contact
from contacts.tables import ActivityTable, CompanyTable, ContactTable
from deals.models import Deal
from deals.tables import DealTable


def table_for(records):
    """A table for a drill-down queryset, with the relations it shows loaded up front."""
    if records.model is Deal:
        return DealTable(records.select_related("company", "stage", "owner"))
    if records.model is Activity:
        return ActivityTable(records.select_related("owner", "company", "deal"))
    if records.model is Contact:
        return ContactTable(records.select_related("owner", "company"))
    if records.model is Company:
        return CompanyTable(records.select_related("owner"))
    return tables.Table(records)
