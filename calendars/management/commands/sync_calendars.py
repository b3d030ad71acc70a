"""python manage.py sync_calendars [--json]

Fetches every subscription of every active user and imports what changed. Run it from cron or a
systemd timer, e.g. every 15 minutes:

    */15 * * * *  cd /srv/huddle && .venv/bin/python manage.py sync_calendars

A subscription that fails (the server, the limits, not a calendar) keeps its meetings as they
were and shows the reason on its owner's Calendars page; the others sync all the same. Exit 0
when every subscription synced, 1 when any failed.

One run at a time (crm.jobs.exclusive_job): a run started while another is still syncing prints
"sync_calendars is already running, skipped." (on stderr with --json) and exits 0, so cron may
start it as often as it likes.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from calendars import services
from crm.jobs import exclusive_job, skipped_message

JOB = "sync_calendars"


class Command(BaseCommand):
    help = "Sync every calendar subscription."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the results as JSON"
        )

    def handle(self, *args, as_json=False, **options):
        with exclusive_job(JOB) as acquired:
            if not acquired:  # with --json, stdout stays JSON-only
                (self.stderr if as_json else self.stdout).write(skipped_message(JOB))
                return
            self.report(services.sync_all(), as_json)

    def report(self, results, as_json: bool) -> None:
        if as_json:
            rows = [
                {"id": source.pk, "user": source.owner.username, "url": source.url}
                | result.as_json()
                for source, result in results
            ]
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            for source, result in results:
                outcome = services.summary(result) if result.ok else " ".join(result.errors)
                self.stdout.write(f"{source.owner.username} · {source}: {outcome}")
        failed = sum(not result.ok for _, result in results)
        if failed:
            raise CommandError(f"{failed} of {len(results)} subscriptions failed.")
