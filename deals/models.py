from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from contacts.models import Company, Contact
from contacts.normalize import normalize_text
from crm.dates import validate_date_in_range
from crm.links import record_url
from crm.models import LiveManager, OwnedModel, OwnedQuerySet


class Pipeline(models.Model):
    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0-100.")
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    class Meta:
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "name"], name="stage_name_unique_per_pipeline"
            ),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_at_most_100"
            ),
            models.CheckConstraint(
                condition=~(models.Q(is_won=True) & models.Q(is_lost=True)),
                name="stage_not_both_won_and_lost",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return not (self.is_won or self.is_lost)


class DealQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(stage__is_won=False, stage__is_lost=False)


class Deal(OwnedModel):
    title = models.CharField(max_length=200)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    contacts = models.ManyToManyField(Contact, blank=True, related_name="deals")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default=settings.HUDDLE_CURRENCY)
    expected_close = models.DateField(
        "expected close date", null=True, blank=True, validators=[validate_date_in_range]
    )
    lost_reason = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    title_normalized = models.CharField(max_length=200, editable=False, db_index=True)

    objects = LiveManager.from_queryset(DealQuerySet)()
    all_objects = models.Manager.from_queryset(DealQuerySet)()
    history = HistoricalRecords()
    policy_key = "deal"

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "updated_at"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["stage", "updated_at"]),
            models.Index(fields=["expected_close"]),
            models.Index(fields=["amount"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["updated_by", "updated_at"]),  # the adoption report
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("deals:detail", self.pk)

    def clean(self):
        if self.stage_id and self.pipeline_id and self.stage.pipeline_id != self.pipeline_id:
            raise ValidationError({"stage": "This stage belongs to another pipeline."})
        if self.stage_id and self.stage.is_lost and not self.lost_reason.strip():
            raise ValidationError({"lost_reason": "Say why the deal was lost."})

    def save(self, *args, **kwargs):
        self.title_normalized = normalize_text(self.title)
        super().save(*args, **kwargs)
