from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Bringing records in from files (and taking them back out): it reads companies and
    contacts and, later, deals and activities, so it sits above `deals` in the layers."""

    name = "imports"
    verbose_name = "Imports"
