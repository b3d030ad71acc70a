"""python manage.py import_records {companies,deals,activities,contacts} PATH --user U
[--dry-run] [--on-match update|skip|create] [--json]

Imports a CSV/TSV/TXT file or an Excel workbook (contacts: also vCards) of one kind of record,
exactly as the upload pages do, with the column mapping the user last chose for a file of this
kind and shape (else the guessed one). Prints what import_contacts prints; a dry run writes
nothing and returns no batch. Exit 1, with nothing changed, when the file cannot be read; rows
with errors are left out and listed (exit 0).
"""

from imports.management.commands.import_contacts import Command as ImportContacts

KINDS = {"companies": "company", "deals": "deal", "activities": "activity", "contacts": "contact"}


class Command(ImportContacts):
    help = "Import companies, deals, activities or contacts from a file on behalf of a user."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        super().add_arguments(parser)

    def handle(self, *args, kind, **options):
        return super().handle(*args, kind=KINDS[kind], **options)
