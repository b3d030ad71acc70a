from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from contacts import addresses, birthdays
from contacts.addresses import AddressesField, Label
from contacts.normalize import normalize_email, normalize_phone, normalize_text
from crm.dates import validate_date_in_range
from crm.links import record_url
from crm.models import OwnedModel, OwnedQuerySet


class Company(OwnedModel):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=120, blank=True, help_text="e.g. example.com")
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=80, blank=True)
    notes = models.TextField(blank=True)

    # Normalised copies for search and duplicate detection, kept by save().
    name_normalized = models.CharField(max_length=200, editable=False, db_index=True)
    phone_normalized = models.CharField(max_length=40, editable=False, blank=True, db_index=True)

    history = HistoricalRecords()
    policy_key = "company"

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name_normalized", "id"]
        indexes = [
            models.Index(fields=["owner", "name_normalized"]),
            models.Index(fields=["domain"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["updated_by", "updated_at"]),  # the adoption report
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("contacts:company-detail", self.pk)

    def save(self, *args, **kwargs):
        self.name_normalized = normalize_text(self.name)
        self.phone_normalized = normalize_phone(self.phone)
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class Contact(OwnedModel):
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    job_title = models.CharField(max_length=120, blank=True)
    # The primary e-mail and phone (lists, sorting, inline edit, quick add, exports read these);
    # the others, labelled, in `emails` / `phones` (contacts/addresses.py).
    email = models.EmailField("e-mail", blank=True)
    email_label = models.CharField(
        "e-mail label", max_length=10, choices=Label.choices, default=Label.WORK
    )
    emails = AddressesField("other e-mails", default=list, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_label = models.CharField(
        "phone label", max_length=10, choices=Label.choices, default=Label.WORK
    )
    phones = AddressesField("other phones", default=list, blank=True)
    # "1985-04-23", or "--04-23" when the year is not known (contacts/birthdays.py).
    birthday = models.CharField(
        max_length=10, blank=True, validators=[birthdays.validate], help_text=birthdays.HELP
    )
    city = models.CharField(max_length=80, blank=True)
    notes = models.TextField(blank=True)

    name_normalized = models.CharField(max_length=170, editable=False, db_index=True)
    email_normalized = models.CharField(max_length=254, editable=False, blank=True, db_index=True)
    phone_normalized = models.CharField(max_length=40, editable=False, blank=True, db_index=True)

    history = HistoricalRecords()
    policy_key = "contact"

    class Meta:
        ordering = ["name_normalized", "id"]
        indexes = [
            models.Index(fields=["owner", "name_normalized"]),
            models.Index(fields=["company", "name_normalized"]),
            models.Index(fields=["created_at"]),
            # Who changed what lately (the adoption report): a range per person. By the
            # foreign key's own index SQLite read every record each person ever touched.
            models.Index(fields=["updated_by", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return record_url("contacts:detail", self.pk)

    @property
    def birthday_shown(self) -> str:
        return birthdays.display(self.birthday)

    def clean_fields(self, exclude=None):
        """The addresses are checked together (none twice, a primary while there are others),
        each error on a field being written (contacts/addresses.py `check`)."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        for field, messages in addresses.check(self, skip).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def normalize(self) -> None:
        """The normalised copies search and duplicate checks read; save() keeps them, and the
        bulk paths that bypass save() (imports) call this themselves."""
        self.name_normalized = normalize_text(self.full_name)
        self.email_normalized = normalize_email(self.email)
        self.phone_normalized = normalize_phone(self.phone)

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)


class ContactHandle(models.Model):
    """One normalised address of a contact (any of its e-mails or phones, the primary ones
    included): how the duplicate check and imports find a contact by any address with one
    indexed lookup. Derived from the contact's row and rewritten with it
    (contacts/addresses.py `contact_saved`); never edited by itself."""

    class Kind(models.TextChoices):
        EMAIL = "email", "e-mail"
        PHONE = "phone", "phone"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="handles")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    normalized = models.CharField(max_length=254)

    class Meta:
        indexes = [models.Index(fields=["kind", "normalized"])]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "normalized"], name="contact_handle_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.normalized}"


class Activity(OwnedModel):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "E-mail"
        TASK = "task", "Task"
        NOTE = "note", "Note"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered in Huddle"
        CALENDAR = "calendar", "Calendar"
        IMPORT = "import", "Import"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CALL)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # One "when" for every kind: the start of a call or meeting, the due time of a task.
    occurs_at = models.DateTimeField(
        "when",
        help_text="Start of a call or meeting; due time of a task.",
        validators=[validate_date_in_range],
    )
    ends_at = models.DateTimeField(null=True, blank=True, validators=[validate_date_in_range])
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="activities")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    # By string: deals builds on contacts, never the other way round in code.
    deal = models.ForeignKey(
        "deals.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # NULL for records made in Huddle: NULLs never collide, so the uniquenesses below cost no
    # query to validate for them. A calendar meeting's is its occurrence key within its calendar
    # source (calendars/ics.py): the UID, and for an instance of a series its RECURRENCE-ID.
    external_id = models.CharField(max_length=255, null=True, blank=True, default=None)  # noqa: DJ001
    # Meetings imported from a calendar (the calendars app): which of the user's calendars
    # (their uploads, or one subscription) it came from — by string, as `deal`: the calendars
    # app builds on contacts. Two colleagues importing the same invite each get their own.
    calendar_source = models.ForeignKey(
        "calendars.CalendarSource",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    # SEQUENCE and LAST-MODIFIED of the calendar version stored: only a newer one updates it
    # (DTSTAMP never counts); the digest tells the same content imported again.
    ical_sequence = models.IntegerField(null=True, blank=True, editable=False)
    ical_last_modified = models.DateTimeField(null=True, blank=True, editable=False)
    ical_digest = models.CharField(max_length=64, blank=True, editable=False)
    # A date, not a time: occurs_at is the start of that day in the organisation's time zone.
    all_day = models.BooleanField(default=False)
    # Cancelled in the calendar: kept (never deleted), shown struck through.
    cancelled = models.BooleanField(default=False)

    history = HistoricalRecords()
    policy_key = "activity"

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurs_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "occurs_at"]),
            models.Index(fields=["owner", "kind", "done", "occurs_at"]),
            models.Index(fields=["deal", "done", "occurs_at"]),
            models.Index(fields=["company", "occurs_at"]),
            models.Index(fields=["occurs_at"]),
        ]
        constraints = [
            # Imports other than calendars: one record per external id and source.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(source="calendar"),
                name="activity_external_id_unique_per_source",
            ),
            # Calendars: one meeting per occurrence key within each calendar source.
            models.UniqueConstraint(
                fields=["calendar_source", "external_id"],
                condition=models.Q(source="calendar"),
                name="activity_external_id_unique_per_calendar",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return record_url("contacts:activity-detail", self.pk)

    @property
    def is_open_task(self) -> bool:
        return self.kind == self.Kind.TASK and not self.done


class ActivityDay(models.Model):
    """How many activities of one kind one owner has on one day, and how many of them are done.

    Reports over a million activities read these rows instead (DECISIONS: Measuring). They are
    derived data: contacts/rollups.py recomputes the affected rows from the activities on every
    write, and rebuilds them all after a bulk load. `day` is the date in the organisation time
    zone (settings.TIME_ZONE), as weeks and "today" are.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Activity.Kind.choices)
    count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)

    # Scoped like the activities it counts: visible_to(user) filters owner_id (crm/visibility.py).
    objects = OwnedQuerySet.as_manager()
    policy_key = "activity"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "day", "kind"], name="activity_day_unique"),
        ]
        indexes = [models.Index(fields=["day", "owner"])]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.day} {self.kind}: {self.count}"
