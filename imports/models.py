"""What an import did, so it can be shown, and undone exactly."""

from django.conf import settings
from django.db import models


class ImportUpload(models.Model):
    """An uploaded file between upload and confirmation: the mapping and preview steps read it
    again, and the import itself plans from it afresh inside its own transaction. Removed once
    imported (or after a day, by whoever next uploads)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="contact")
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    mapping = models.JSONField(null=True, blank=True)
    on_match = models.CharField(max_length=10, default="update")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class SavedMapping(models.Model):
    """The columns a user mapped for one shape of file (its headers), offered next time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    signature = models.CharField(max_length=64)
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "signature"], name="saved_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.signature[:8]}"


class ImportBatch(models.Model):
    class OnMatch(models.TextChoices):
        UPDATE = "update", "Update the existing record"
        SKIP = "skip", "Skip the row"
        CREATE = "create", "Create a new record anyway"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField(max_length=20, default="contact")
    filename = models.CharField(max_length=255)
    on_match = models.CharField(max_length=10, choices=OnMatch.choices, default=OnMatch.UPDATE)
    created_at = models.DateTimeField(auto_now_add=True)
    # new / updated / unchanged / skipped / errors / companies_new, as the command prints them
    counts = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undo_result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.filename}"


class ImportedRecord(models.Model):
    """One record the batch created or changed: for a change, the values it had before (only
    the fields the import wrote), and the version the import left, so undo can tell whether
    someone changed it since."""

    class Action(models.TextChoices):
        CREATED = "created", "created"
        UPDATED = "updated", "updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=40)  # "contacts.contact", "contacts.company"
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after_version = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["batch", "model"])]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_id}"
