"""Meeting mode: saved agendas of report sections, the meetings run from them, their action items.

Who may see an agenda follows the records' idea, by team instead of by owner: its owner, the
managers of its team and the admins see and change it; the reps of its team see it read-only
(the meeting is projected to them anyway, and every section is computed with the viewer's own
visibility, so nothing widens). Everyone else gets nothing. A meeting is seen by whoever sees its
agenda. crm/visibility.py decides (team_visible / team_editable), with subqueries that never
cost a query of their own and never duplicate rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from crm import visibility
from crm.models import Team, VersionedModel


class AgendaQuerySet(models.QuerySet):
    """The rules live in crm/visibility.py, with every other record's."""

    def visible_to(self, user):
        return visibility.team_visible(self, user)

    def editable_by(self, user):
        return visibility.team_editable(self, user)


class Agenda(VersionedModel):
    """A saved meeting plan: ordered report sections with their filters."""

    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agendas",
        help_text="Its managers may run and change the agenda; its reps may read it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AgendaQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:meetings:agenda", args=[self.pk])


class AgendaSection(models.Model):
    """One report of an agenda, with its filters as a query string (`team=1&pipeline=2`)."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    report_slug = models.SlugField("report", max_length=60)
    query = models.CharField(
        "filters", max_length=500, blank=True, help_text="e.g. team=1&pipeline=2"
    )
    walk_through = models.BooleanField(
        "walk through each rep",
        default=False,
        help_text="One page per rep of the team, the report filtered to their records.",
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.agenda}: {self.report_slug}"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(agenda_id__in=Agenda.objects.visible_to(user).values("id"))

    def editable_by(self, user):
        return self.filter(agenda_id__in=Agenda.objects.editable_by(user).values("id"))


class Meeting(VersionedModel):
    """One run of an agenda: when, by whom, the notes taken, the action items given."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="meetings")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    notes_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["agenda", "started_at"])]

    def __str__(self) -> str:
        return f"{self.agenda} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("reports:meetings:meeting", args=[self.pk])


class MeetingActionItem(models.Model):
    """Links a task (contacts.Activity, kind task) to the meeting it was given in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    activity = models.ForeignKey(
        "contacts.Activity", on_delete=models.CASCADE, related_name="meeting_items"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "activity"], name="meeting_action_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.activity_id}"
