"""python manage.py import_contacts PATH --user U [--dry-run] [--on-match update|skip|create] [--json]

Imports contacts (and the companies they name) from a CSV/TSV/TXT file, an Excel workbook or
vCards, exactly as the upload pages do, with the column mapping the user last chose for a file
of this shape (else the guessed one). Prints {"batch", "new", "updated", "unchanged", "skipped",
"errors", "warnings"}; a dry run writes nothing and returns no batch. Exit 1, with nothing
changed, when the file cannot be read; rows with errors are left out and listed (exit 0).
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports import services


class Command(BaseCommand):
    help = "Import contacts from a CSV, XLSX or vCard file on behalf of a user."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="the username importing (and owning)")
        parser.add_argument("--dry-run", action="store_true", help="plan only; write nothing")
        parser.add_argument(
            "--on-match",
            choices=["update", "skip", "create"],
            default="update",
            help="what a row matching an existing record does (default: update it)",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, path, user, dry_run, on_match, as_json, kind="contact", **options):
        try:
            importer = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}.") from None
        try:
            result = services.import_records(
                kind=kind,
                user=importer,
                data=data,
                filename=Path(path).name,
                on_match=on_match,
                dry_run=dry_run,
            )
        except services.ImportFileError as error:
            raise CommandError(f"Nothing imported: {error}") from None
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
            return
        counts = result.counts
        head = "Would import" if dry_run else f"Import {result.batch.pk}"
        self.stdout.write(
            f"{head}: {counts['new']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, "
            f"{counts['errors']} with errors; {counts['companies_new']} new companies."
        )
        for error in result.plan.errors:
            self.stdout.write(
                f"  {result.record_name} {error.row}, {error.column}: {error.message}"
            )
        for warning in result.plan.warnings:
            self.stdout.write(f"  {warning}")
        if result.unknown:
            self.stdout.write("  not imported: " + ", ".join(result.unknown))
