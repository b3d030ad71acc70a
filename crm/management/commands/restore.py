"""python manage.py restore PATH [--force]

Replaces the database in use (DATABASE_URL) by a backup made with `manage.py backup`, in one
transaction, then checks it: integrity (SQLite), Django's system checks with the database ones,
no unapplied migration. A missing, damaged or foreign file, a backup of the other kind of
database, or a database that already holds tables (without --force) is refused with the reason,
exit 1, and nothing is changed. Stop the app (gunicorn, cron jobs) while restoring.
"""

from django.core.management.base import BaseCommand, CommandError

from crm import backups


class Command(BaseCommand):
    help = (
        "Restore the backup at PATH (made by `manage.py backup`) into the database in use, then "
        "check it. Refuses a database that is not empty unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that is not empty: everything in it is lost",
        )

    def handle(self, *args, path, force=False, **options):
        try:
            self.stdout.write(backups.restore(path, force=force))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
