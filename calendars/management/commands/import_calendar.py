"""python manage.py import_calendar PATH_OR_URL --user USERNAME [--json]

Imports an .ics file (or the calendar at an https://, http:// or webcal:// address, fetched
once) into the user's uploaded calendars, exactly as the upload page does. Exit 0 when it
imported; non-zero, with nothing changed, when the file was refused or could not be fetched.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from calendars import services


class Command(BaseCommand):
    help = "Import an iCalendar file or address into a user's calendar meetings."

    def add_arguments(self, parser):
        parser.add_argument("path_or_url", help="an .ics file, or an http(s):// or webcal:// URL")
        parser.add_argument("--user", required=True, help="the username that owns the meetings")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the result as JSON"
        )

    def handle(self, *args, path_or_url, user, as_json=False, **options):
        try:
            owner = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        if "://" in path_or_url:
            result = services.import_url(user=owner, url=path_or_url)
        else:
            path = Path(path_or_url)
            try:
                data = path.read_bytes()
            except OSError as error:
                result = services.Result.failed(f"{path_or_url} cannot be read: {error.strerror}")
            else:
                result = services.import_upload(user=owner, data=data, name=path.name)
        self._report(result, as_json)
        if not result.ok:
            raise CommandError("Nothing imported: " + " ".join(result.errors))

    def _report(self, result, as_json: bool) -> None:
        if as_json:
            self.stdout.write(_dumps(result.as_json()))
            return
        if not result.ok:
            return  # CommandError says why
        self.stdout.write(services.summary(result))
        for skipped in result.skipped:
            self.stdout.write(f"  skipped {skipped['uid']}: {skipped['reason']}")
        if result.unknown_attendees:
            self.stdout.write("  not yet contacts: " + ", ".join(result.unknown_attendees))


def _dumps(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
