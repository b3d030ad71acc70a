"""The activity timeline of a contact, company or deal: only what its viewer may see."""

from contacts.models import Activity

TIMELINE_LENGTH = 50


def _timeline(user, **link):
    return list(
        Activity.objects.visible_to(user)
        .filter(**link)
        .select_related("owner")
        .order_by("-occurs_at", "-id")[:TIMELINE_LENGTH]
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
