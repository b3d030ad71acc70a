"""The activity timeline of a contact, company or deal: only what its viewer may see.

Each row says whether its viewer may change it (`is_editable`, in the same query): Done is
offered only where clicking it would be allowed.
"""

from contacts.models import Activity
from crm.visibility import with_editable_flag

TIMELINE_LENGTH = 50


def _timeline(user, **link):
    activities = Activity.objects.visible_to(user).filter(**link).select_related("owner")
    return list(
        with_editable_flag(activities, user).order_by("-occurs_at", "-id")[:TIMELINE_LENGTH]
    )


def for_contact(contact, user):
    return _timeline(user, contacts=contact)


def for_company(company, user):
    return _timeline(user, company=company)


def for_deal(deal, user):
    return _timeline(user, deal=deal)


def for_record(record, user):
    link = {"contact": "contacts", "company": "company", "deal": "deal"}[record._meta.model_name]
    return _timeline(user, **{link: record})
