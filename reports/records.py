"""The tables that show the records behind a report figure: deals, activities, contacts or
companies (the adoption report counts all four)."""

import django_tables2 as tables

from contacts.models import Activity, Company, Contact
from contacts.tables import ActivityTable, CompanyTable, ContactTable
from crm.visibility import with_related_flags
from deals.models import Deal
from deals.tables import DealTable


def table_for(records, user):
    """A table for a drill-down queryset, with the relations it shows loaded up front, each
    labelled only where this user may see it."""
    if records.model is Deal:
        return DealTable(
            with_related_flags(records.select_related("company", "stage", "owner"), user, "company")
        )
    if records.model is Activity:
        related = records.select_related("owner", "company", "deal")
        return ActivityTable(with_related_flags(related, user, "company", "deal"))
    if records.model is Contact:
        related = records.select_related("owner", "company")
        return ContactTable(with_related_flags(related, user, "company"))
    if records.model is Company:
        return CompanyTable(records.select_related("owner"))
    return tables.Table(records)
