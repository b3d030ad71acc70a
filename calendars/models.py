"""A user's calendars: their uploads (one source), their subscriptions (one source each), what
each import did, and the secret address of their feed out."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class CalendarSource(models.Model):
    """Where a user's imported meetings come from. Every upload of a user (and every one-off
    `import_calendar` run) shares one source; each subscription is a source of its own. The
    meetings' occurrence keys are unique per source (contacts.Activity.calendar_source)."""

    class Kind(models.TextChoices):
        UPLOADS = "uploads", "Uploaded files"
        SUBSCRIPTION = "subscription", "Subscription"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_sources"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True)
    url = models.CharField("address", max_length=2000, blank=True)
    # CLASS:PRIVATE and CONFIDENTIAL events come in as "Busy" unless the user opts in here.
    private_details = models.BooleanField(
        "Import private events' details",
        default=False,
        help_text="Otherwise private and confidential events come in as “Busy”.",
    )
    # Conditional GET: what the server said last time.
    etag = models.CharField(max_length=200, blank=True)
    last_modified_header = models.CharField(max_length=100, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)
    last_result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(kind="uploads"),
                name="calendar_source_one_uploads_per_user",
            ),
            models.UniqueConstraint(
                fields=["owner", "url"],
                condition=models.Q(kind="subscription"),
                name="calendar_source_subscription_unique_url",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.UPLOADS:
            return "Uploaded files"
        return self.name or self.url


class CalendarImport(models.Model):
    """One import into a source (an upload, a command run, a sync): what it did, for the
    Calendars page, with the unknown addresses to add as contacts."""

    source = models.ForeignKey(CalendarSource, on_delete=models.CASCADE, related_name="imports")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    name = models.CharField(max_length=300, blank=True)  # the file's name or the address
    ok = models.BooleanField(default=True)
    result = models.JSONField(default=dict, blank=True)  # the command's JSON
    # Display names of the unknown addresses, as the calendar gave them (CN): e-mail -> name.
    names = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in the address of a user's feed: whoever has the address reads the feed, so
    regenerating it (a new token) revokes every copy of the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("calendars:feed", args=[self.token])
