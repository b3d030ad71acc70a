from django import forms
from django.utils import timezone

from crm import dates, pickers
from crm.forms import OwnedModelForm
from deals.models import Deal, Pipeline, Stage


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage):
        return f"{stage.pipeline.name} · {stage.name}"


class DealForm(OwnedModelForm):
    primary_fields = ("title", "company", "pipeline", "stage", "amount")
    stage = StageChoiceField(queryset=Stage.objects.select_related("pipeline"))

    class Meta:
        model = Deal
        fields = [
            "title",
            "company",
            "pipeline",
            "stage",
            "amount",
            "expected_close",
            "owner",
            "lost_reason",
        ]
        field_classes = {"expected_close": dates.DateField}
        widgets = {"expected_close": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = self.fields["company"].queryset.only("name")
        pickers.scale(self, "company")
        if self.instance.pk:
            # An existing deal changes stage only through a move (board, detail page), which
            # closes or reopens it and asks for a lost reason.
            del self.fields["pipeline"], self.fields["stage"]
        elif not self.is_bound:  # defaults only matter to a form being shown
            pipeline = Pipeline.objects.first()
            if pipeline:
                self.fields["pipeline"].initial = pipeline.pk
                self.fields["stage"].initial = pipeline.stages.order_by("order").first()

    def clean(self):
        cleaned = super().clean()
        pipeline, stage = cleaned.get("pipeline"), cleaned.get("stage")
        if pipeline and stage and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", "Pick a stage of the chosen pipeline.")
        if stage and not self.instance.pk:
            self.instance.closed_at = None if stage.is_open else timezone.now()
        return cleaned


class MoveStageForm(forms.Form):
    """Move a deal to a stage of its own pipeline. The stages are read once and kept in
    `self.stages`, for the form and for whatever the response shows (the board's columns)."""

    stage = forms.TypedChoiceField(coerce=int)
    lost_reason = forms.CharField(max_length=200, required=False)
    # What the mover saw: a move never overwrites someone else's move (deals/services.py).
    version = forms.IntegerField(min_value=1, max_value=2**31, widget=forms.HiddenInput)
    from_stage = forms.IntegerField(required=False, max_value=2**63 - 1, widget=forms.HiddenInput)
    undo = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, deal: Deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("order"))
        self.fields["stage"].choices = [(s.pk, s.name) for s in self.stages]
        self.fields["version"].initial = deal.version
        self.fields["from_stage"].initial = deal.stage_id
        self.fields["version"].error_messages["required"] = (
            "This move carries no version. Reload the page and try again."
        )

    def clean_stage(self) -> Stage:
        return next(s for s in self.stages if s.pk == self.cleaned_data["stage"])

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage and stage.is_lost and not (cleaned.get("lost_reason") or "").strip():
            self.add_error("lost_reason", "Say why the deal was lost.")
        return cleaned
