"""python manage.py backup PATH [--force]

Copies the database in use (DATABASE_URL) to one file while the app keeps running: SQLite's
online backup API, or `pg_dump -Fc` for PostgreSQL. The copy is verified before it takes the name
PATH; exit 1, with the reason, when anything fails. Restore with `manage.py restore PATH`.
"""

from django.core.management.base import BaseCommand, CommandError

from crm import backups


class Command(BaseCommand):
    help = (
        "Back up the database in use to PATH, online: an SQLite file (SQLite's backup API) or a "
        "pg_dump -Fc archive (PostgreSQL), verified, readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="the file to write, e.g. /var/backups/huddle/2026-11-02.dump"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace PATH if it already exists"
        )

    def handle(self, *args, path, force=False, **options):
        try:
            self.stdout.write(backups.backup(path, force=force))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
