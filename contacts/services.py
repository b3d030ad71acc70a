"""Changes to contacts and activities that span more than one model."""

from datetime import datetime, time

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Activity
from crm.records import record_create, record_update


@transaction.atomic
def activity_log(*, activity: Activity, by, contacts=(), company=None, deal=None) -> Activity:
    """Record an activity on a contact, company or deal, now, owned by whoever logs it.

    Calls, e-mails and notes are logged after the fact, so they are done; a task or a meeting
    logged this way is still to come.
    """
    activity.owner = by
    activity.occurs_at = activity.occurs_at or timezone.now()
    activity.company = company or (deal.company if deal else None)
    activity.deal = deal
    activity.done = activity.kind in (Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.NOTE)
    activity.done_at = timezone.now() if activity.done else None
    if contacts or not deal:
        return record_create(record=activity, by=by, m2m={"contacts": list(contacts)})
    record_create(record=activity, by=by)
    _copy_people(activity, type(deal).contacts.through, "deal_id", deal.pk)
    return activity


def _copy_people(activity: Activity, source, source_column: str, source_id: int) -> None:
    """Another record's people become the activity's in one INSERT … SELECT (no read, no loop)."""
    links = Activity.contacts.through
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(links._meta.db_table)} ({q('activity_id')}, {q('contact_id')}) "
            f"SELECT %s, {q('contact_id')} FROM {q(source._meta.db_table)} WHERE {q(source_column)} = %s",
            [activity.pk, source_id],
        )


@transaction.atomic
def activity_set_done(*, activity: Activity, done: bool, by) -> Activity:
    """Mark a task done or open again: the state wanted, never a toggle, so a click on a stale
    page cannot undo what someone else just did. Nothing is written if it already is so."""
    if activity.done == done:
        return activity
    activity.done = done
    activity.done_at = timezone.now() if done else None
    return record_update(record=activity, by=by, fields=["done", "done_at"])


@transaction.atomic
def activity_follow_up(*, done: Activity, by, subject: str, due) -> Activity:
    """The next step after `done`: a task due on `due` (end of the working day), on the same
    deal, company and people."""
    when = timezone.make_aware(datetime.combine(due, time(17, 0)))
    task = Activity(
        kind=Activity.Kind.TASK,
        subject=subject,
        occurs_at=when,
        owner=by,
        company=done.company,
        deal=done.deal,
    )
    record_create(record=task, by=by)
    _copy_people(task, Activity.contacts.through, "activity_id", done.pk)
    return task
