"""python manage.py undo_import BATCH_ID

Undoes an import as its history page does: what it changed is put back and what it created is
removed, where nobody changed it since (those records are listed and left alone). Exit 0 also
when the batch changed nothing; exit 1 for an unknown or already undone batch.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.models import ImportBatch


class Command(BaseCommand):
    help = "Undo an import batch."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, batch_id, as_json, **options):
        batch = ImportBatch.objects.filter(pk=batch_id).select_related("user").first()
        if batch is None:
            raise CommandError(f"There is no import {batch_id}.")
        try:
            result = services.undo_import(batch=batch, by=batch.user)
        except services.UndoRefused as refused:
            raise CommandError(str(refused)) from None
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"Import {batch_id} undone: {result.restored} restored, {result.removed} removed."
        )
        for left in result.left:
            self.stdout.write(f"  changed since the import, left as it is: {left}")
