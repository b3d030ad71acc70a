"""Users, teams, the organisation's settings row, and the base every owned record shares."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from crm import visibility


def new_session_token() -> str:
    return secrets.token_hex(16)


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Team(models.Model):
    name = models.CharField(max_length=80, unique=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="managed_teams", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        REP = "rep", "Rep"
        MANAGER = "manager", "Manager"
        ADMIN = "admin", "Admin"

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Stamped at login and by crm.middleware.LastSeenMiddleware (at most every few minutes):
    # the adoption report's "last seen".
    last_seen = models.DateTimeField(null=True, blank=True, editable=False)
    # Part of every session's auth hash: replacing it (at logout) ends every session of the
    # user server-side, although the sessions themselves are signed cookies.
    session_token = models.CharField(max_length=32, default=new_session_token, editable=False)
    # An IANA zone name: where a calendar's floating times (no zone given) are read.
    time_zone = models.CharField(max_length=64, default=default_time_zone)

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request with the user row it loads anyway: binding
        # it to session_token as well as the password costs no query.
        return salted_hmac(
            "crm.User.session_auth_hash",
            f"{self.password}:{self.session_token}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_sessions(self) -> None:
        """Make every session cookie of this user useless (logout, deactivation)."""
        self.session_token = new_session_token()
        type(self)._default_manager.filter(pk=self.pk).update(session_token=self.session_token)

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMIN or self.is_superuser)

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class VisibilityPolicy(models.Model):
    """The organisation's one row saying what reps see and edit, per kind of record.

    Managers and admins are not configured here: a manager always sees the rep scope plus the
    teams they manage, an admin sees everything (see crm/visibility.py).
    """

    class See(models.TextChoices):
        OWN = "own", "Own records"
        TEAM = "team", "Their team's records"
        EVERYONE = "everyone", "Everyone's records"

    class Edit(models.TextChoices):
        OWN = "own", "Own records"
        TEAM = "team", "Their team's records"

    company_see = models.CharField(max_length=10, choices=See.choices, default=See.TEAM)
    company_edit = models.CharField(max_length=10, choices=Edit.choices, default=Edit.OWN)
    contact_see = models.CharField(max_length=10, choices=See.choices, default=See.TEAM)
    contact_edit = models.CharField(max_length=10, choices=Edit.choices, default=Edit.OWN)
    deal_see = models.CharField(max_length=10, choices=See.choices, default=See.TEAM)
    deal_edit = models.CharField(max_length=10, choices=Edit.choices, default=Edit.OWN)
    activity_see = models.CharField(max_length=10, choices=See.choices, default=See.TEAM)
    activity_edit = models.CharField(max_length=10, choices=Edit.choices, default=Edit.OWN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "visibility policy"

    def __str__(self) -> str:
        return "Visibility policy"

    def save(self, *args, **kwargs):
        self.pk = 1  # one row for the organisation
        super().save(*args, **kwargs)
        visibility.forget_policy()

    @classmethod
    def current(cls) -> "VisibilityPolicy":
        return visibility.current_policy()


class OwnedQuerySet(models.QuerySet):
    """Every list, search and lookup of an owned record starts from one of these two methods."""

    def visible_to(self, user):
        return visibility.visible(self, user)

    def editable_by(self, user):
        return visibility.editable(self, user)


class LiveManager(models.Manager.from_queryset(OwnedQuerySet)):
    """Soft-deleted records vanish here, so no caller can forget to filter them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class StaleRecord(Exception):
    """The row changed since this instance was read: the guarded UPDATE matched nothing."""

    def __init__(self, record):
        self.record = record
        super().__init__(f"{type(record).__name__} {record.pk} changed since it was read.")


class VersionedModel(models.Model):
    """A record whose every UPDATE is conditional on the version it was read at.

    `save()` of a row read from the database writes `… WHERE id = %s AND version = %s` (the
    version it was loaded with) and bumps the version; if someone else saved in between, the
    UPDATE matches no row and `StaleRecord` is raised, so the check and the write are one
    database operation on SQLite and PostgreSQL alike. Whatever saves the record — the record
    services, Django admin, a management command — is guarded; only queryset `.update()` is not,
    and the project uses it for no versioned field.
    """

    # Incremented by every save; an edit posted against an older version is stale.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None and not kwargs["update_fields"]:
            return super().save(*args, **kwargs)  # Django writes nothing: neither do we
        guarded = not self._state.adding and self.loaded_version is not None
        if guarded and self.version == self.loaded_version:
            self.version = self.loaded_version + 1  # every change makes a new version
        update_fields = kwargs.get("update_fields")
        if guarded and update_fields is not None and "version" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)
        self._loaded_version = self.version

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_version = instance.__dict__.get("version")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_version = self.__dict__.get("version")

    @property
    def loaded_version(self) -> int | None:
        """The version this instance was read at (None: not read from the database)."""
        return getattr(self, "_loaded_version", None)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = self.loaded_version
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, True
        )
        if not updated:
            raise StaleRecord(self)
        return updated


class OwnedModel(VersionedModel):
    """What every owned record (company, contact, deal, activity) carries from day one."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Admin-defined custom field values live here, keyed by CustomField.key (no migration per field).
    custom = models.JSONField(default=dict, blank=True)

    objects = LiveManager()
    all_objects = models.Manager.from_queryset(OwnedQuerySet)()

    # Which row of VisibilityPolicy applies (company, contact, deal, activity).
    policy_key: str = ""

    class Meta(VersionedModel.Meta):
        abstract = True

    def touch(self, by) -> None:
        """Stamp a change made by `by`: who, when, and the next version."""
        self.updated_by = by
        self.updated_at = timezone.now()
        self.version = (self.loaded_version or self.version or 0) + 1


class SearchEntry(models.Model):
    """One row per searchable record: what global search matches and shows, in one table.

    Search must answer in a single query over every kind of record, within visibility, so the
    apps' records are mirrored here (crm/search.py keeps it current). On SQLite an FTS5 table
    indexes `terms`; on PostgreSQL a GIN index over its words does (migration 0011).
    """

    kind = models.CharField(max_length=20)  # the record's policy_key: contact, company, deal
    object_id = models.BigIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    title_sort = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=200)
    terms = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchPrefix(models.Model):
    """PostgreSQL only: the first two and three letters of each word of a search entry, with
    what search ranks and scopes by, so that one to three letters typed are answered from one
    index without reading the entries (migration 0012 creates the table and the triggers on
    crm_searchentry that keep it; SQLite's FTS5 prefix index needs nothing like it).

    The words are the GIN index's own (the entry's tsvector), so a prefix here matches exactly
    the entries `word:*` matches there. Read-only to Django: the database writes it.
    """

    pk = models.CompositePrimaryKey("entry_id", "prefix")
    entry_id = models.BigIntegerField()
    prefix = models.CharField(max_length=3)
    kind = models.CharField(max_length=20)
    owner_id = models.BigIntegerField()
    object_id = models.BigIntegerField()
    title_sort = models.CharField(max_length=200)

    class Meta:
        managed = False
        db_table = "crm_searchprefix"

    def __str__(self) -> str:
        return f"{self.prefix}: {self.kind} {self.object_id}"


class ReportSwitch(models.Model):
    """Whether a report is on for the organisation; a report without a row is on.

    Kept in `crm` (not `reports`) because the forms read it: a field is asked for up front and
    required while any enabled report needs it (crm/requirements.py).
    """

    slug = models.SlugField(max_length=60, unique=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.slug}: {'on' if self.enabled else 'off'}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from crm import requirements

        requirements.forget_switches()


class CustomField(models.Model):
    """A field an admin adds to an owned model, without code: its values live in the record's
    `custom` JSON under `key`. crm/custom_fields.py knows the types (validation, form field,
    filter, display); crm/fields.py makes them one registry with the built-in fields."""

    class Model(models.TextChoices):
        CONTACT = "contact", "Contacts"
        COMPANY = "company", "Companies"
        DEAL = "deal", "Deals"
        ACTIVITY = "activity", "Activities"

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Number"
        MONEY = "money", "Money"
        DATE = "date", "Date"
        YES_NO = "yes_no", "Yes / no"
        CHOICE = "choice", "Choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        EMAIL = "email", "E-mail"
        URL = "url", "Web address"
        PHONE = "phone", "Phone"
        USER = "user", "User"

    model = models.CharField(max_length=20, choices=Model.choices)
    key = models.SlugField(max_length=40, help_text="Where the values are kept; fixed once set.")
    label = models.CharField(max_length=80)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)  # choice types: the options, in order
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    # Roles that see / may edit it; empty means every role.
    see_roles = models.JSONField(default=list, blank=True)
    edit_roles = models.JSONField(default=list, blank=True)
    in_list = models.BooleanField("Shown in lists", default=False)
    filterable = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    # Report slugs: while such a report is on, forms ask for this field up front and the report's
    # completeness and fix list count it, as for the report's own `requires`.
    needed_by = models.JSONField("Needed by reports", default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["model", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="custom_field_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_model_display()}: {self.label}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from crm import custom_fields

        custom_fields.forget()


class Layout(models.Model):
    """An admin's layout of one kind of record (crm/layouts.py): the order of the fields (built-in
    and custom, by form name) in its forms and on its detail page, which of them the forms ask up
    front, and which built-in columns its list shows to people who have not chosen their own
    (empty: all of them; a custom field's column follows its own `in_list`)."""

    kind = models.CharField(max_length=20, unique=True, choices=CustomField.Model.choices)
    order = models.JSONField(default=list, blank=True)
    up_front = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Layout of {self.get_kind_display().lower()}"


class SettingChange(models.Model):
    """One change made in Settings: who, when, what, and the values before and after."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    area = models.CharField(max_length=40)  # "custom field", "visibility policy", "report"
    subject = models.CharField(max_length=200)  # "Contacts: Region"
    action = models.CharField(max_length=40)  # "added", "changed", "archived", "restored"
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}: {self.action} {self.area} {self.subject}"
