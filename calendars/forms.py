"""The Calendars page's forms: they parse and check input; calendars/services.py does the work."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings

from calendars import fetch
from calendars.models import CalendarSource


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Calendar file (.ics)",
        help_text="An export from Google Calendar, Outlook, Apple Calendar or any other.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.HUDDLE_CALENDAR_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit // (1024 * 1024)} MB; export a shorter span."
            )
        return upload


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = CalendarSource
        fields = ["url", "name", "private_details"]
        labels = {"url": "Calendar address", "name": "Name"}
        help_texts = {
            "url": "The secret address of the calendar in iCal format (https:// or webcal://).",
            "name": "How it is called here, e.g. “Work”.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["url"].required = True
        self.fields["name"].required = False

    def clean_url(self):
        try:
            url = fetch.normalize_url(self.cleaned_data["url"])
        except fetch.FetchFailed as error:
            raise forms.ValidationError(str(error)) from None
        taken = CalendarSource.objects.filter(
            owner=self.user, kind=CalendarSource.Kind.SUBSCRIPTION, url=url
        )
        if taken.exists():
            raise forms.ValidationError("You subscribe to this calendar already.")
        return url

    def save(self, commit=True):
        source = super().save(commit=False)
        source.owner = self.user
        source.kind = CalendarSource.Kind.SUBSCRIPTION
        source.name = source.name or _name_from(source.url)
        if commit:
            source.save()
        return source


def _name_from(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host[:120]


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Times a calendar gives without a zone are read in it.",
    )
    private_details = forms.BooleanField(
        label="Import private events' details from uploaded files",
        required=False,
        help_text="Otherwise private and confidential events come in as “Busy”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
