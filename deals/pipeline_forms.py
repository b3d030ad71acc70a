"""Settings → Pipelines: the forms. They parse what the admin typed and say, in words, why a
change is refused; deals/pipeline_settings.py does the writing.

The rules that keep the deals sound:
- a stage's name is unique in its pipeline (whatever the case: "Lead" and "lead" would read as
  one stage on the board), a pipeline's name among pipelines;
- a probability is a whole percent from 0 to 100; a won stage counts 100 and a lost one 0
  (reports weigh open stages only, so anything else would be a number nobody reads);
- a pipeline keeps at least one open stage, so a new deal always has somewhere to start;
- a stage that holds deals keeps its kind (the field is disabled): turning "Proposal" into a
  lost stage would close its deals without anyone deciding it for each (and without a lost
  reason). Move them first.
"""

from __future__ import annotations

from django import forms

from deals.models import Pipeline, Stage

OPEN, WON, LOST = "open", "won", "lost"
KIND_CHOICES = [(OPEN, "Open"), (WON, "Won"), (LOST, "Lost")]
CLOSED_PROBABILITY = {WON: 100, LOST: 0}


def kind_of(stage: Stage) -> str:
    return WON if stage.is_won else LOST if stage.is_lost else OPEN


def _taken(queryset, name: str) -> bool:
    return queryset.filter(name__iexact=name).exists()


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name"]
        labels = {"name": "Pipeline name"}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the pipeline a name.")
        if _taken(Pipeline.objects.exclude(pk=self.instance.pk), name):
            raise forms.ValidationError(f"There is already a pipeline called “{name}”.")
        return name

    def validate_unique(self):
        """clean_name() said it in words already (case-insensitively); skip the second query."""


class StageForm(forms.ModelForm):
    """A new stage of `pipeline`, or a change to one. `deal_count` is how many deals (in the
    trash too) the stage holds: while it holds any, its kind is fixed."""

    probability = forms.IntegerField(
        label="Probability (%)",
        min_value=0,
        max_value=100,
        initial=10,
        help_text="The chance a deal here is won, for the weighted pipeline. Won counts 100, lost 0.",
        error_messages={
            "required": "Give a probability from 0 to 100.",
            "invalid": "Give a probability from 0 to 100, as a whole number.",
            "min_value": "Give a probability from 0 to 100: it cannot be below 0.",
            "max_value": "Give a probability from 0 to 100: it cannot be above 100.",
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=KIND_CHOICES,
        initial=OPEN,
        help_text="Deals moved to a won or lost stage are closed; to an open one, open.",
    )

    class Meta:
        model = Stage
        fields = ["name", "probability"]
        labels = {"name": "Stage name"}

    def __init__(self, *args, pipeline: Pipeline, deal_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.pipeline = pipeline
        self.instance.pipeline = pipeline
        if self.instance.pk:
            self.fields["kind"].initial = kind_of(self.instance)
        if deal_count:
            self.fields["kind"].disabled = True  # whatever is posted: see clean_kind()
            self.fields["kind"].help_text = (
                f"Fixed while the stage holds deals ({deal_count}): move them to another "
                "stage first (Remove)."
            )

    def _others(self):
        return Stage.objects.filter(pipeline=self.pipeline).exclude(pk=self.instance.pk)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the stage a name.")
        if _taken(self._others(), name):
            raise forms.ValidationError(
                f"“{self.pipeline.name}” already has a stage called “{name}”."
            )
        return name

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        was = kind_of(self.instance) if self.instance.pk else None
        if was is None or kind == was:  # always so while it holds deals: the field is disabled
            return kind
        if was == OPEN and not self._others().filter(is_won=False, is_lost=False).exists():
            raise forms.ValidationError(
                f"“{self.pipeline.name}” needs at least one open stage, and this is its last."
            )
        return kind

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            self.instance.is_won, self.instance.is_lost = kind == WON, kind == LOST
            if kind in CLOSED_PROBABILITY and "probability" in cleaned:
                cleaned["probability"] = CLOSED_PROBABILITY[kind]
        return cleaned

    def validate_unique(self):
        """clean_name() said it in words already (case-insensitively); skip the second query."""


class TargetStageField(forms.ModelChoiceField):
    def label_from_instance(self, stage: Stage) -> str:
        kind = kind_of(stage)
        return f"{stage.name} ({stage.probability} %)" if kind == OPEN else f"{stage.name} ({kind})"


class StageRemoveForm(forms.Form):
    """Where the deals of a stage being removed go: another stage of the same pipeline (asked
    only when it holds deals). A lost stage needs a reason for the deals that have none yet."""

    into = TargetStageField(
        label="Move its deals to",
        queryset=Stage.objects.none(),
        empty_label="Choose a stage…",
        error_messages={
            "required": "Choose where its deals go.",
            "invalid_choice": "Choose one of the other stages of this pipeline.",
        },
    )
    lost_reason = forms.CharField(
        label="Lost reason",
        max_length=200,
        required=False,
        help_text="Only if they go to a lost stage: given to each deal that has no reason yet.",
    )

    def __init__(self, *args, stage: Stage, deal_count: int, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.needs_reason = needs_reason
        others = Stage.objects.filter(pipeline_id=stage.pipeline_id).exclude(pk=stage.pk)
        self.fields["into"].queryset = others.order_by("order", "id")
        if not deal_count:
            del self.fields["into"], self.fields["lost_reason"]
            return
        self.fields["into"].widget.attrs["autofocus"] = True  # the question the page asks
        if not any(s.is_lost for s in self.fields["into"].queryset):
            del self.fields["lost_reason"]

    def clean(self):
        cleaned = super().clean()
        into = cleaned.get("into")
        reason = (cleaned.get("lost_reason") or "").strip()
        cleaned["lost_reason"] = reason
        if into and into.is_lost and self.needs_reason and not reason:
            self.add_error("lost_reason", f"Say why they were lost: “{into.name}” is a lost stage.")
        return cleaned
