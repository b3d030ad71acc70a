import django_filters

from contacts.filters import visible_companies
from crm.dates import DateFilter
from crm.list_filters import owner_choices
from crm.pickers import PickerFilterSet
from crm.search import matching
from deals.models import Deal, Pipeline, Stage


class DealFilter(PickerFilterSet, django_filters.FilterSet):
    q = django_filters.CharFilter(label="Title", method="filter_q")
    company = django_filters.ModelChoiceFilter(
        queryset=visible_companies, empty_label="Any company"
    )
    pickers = ("company",)  # a type-ahead, not a select of every company
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), empty_label="Any pipeline"
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=Stage.objects.select_related("pipeline"), empty_label="Any stage"
    )
    owner = django_filters.ModelChoiceFilter(queryset=owner_choices(Deal), empty_label="Any owner")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost")],
        empty_label="Open or closed",
        method="filter_status",
    )
    closes_before = DateFilter(
        field_name="expected_close", lookup_expr="lte", label="Closes before"
    )

    class Meta:
        model = Deal
        fields = ["q", "company", "pipeline", "stage", "owner", "status", "closes_before"]

    def filter_q(self, queryset, name, value):
        # Any word of the title or the company: the global search's index, one subquery.
        return queryset.filter(matching("deal", value))

    def filter_status(self, queryset, name, value):
        if value == "won":
            return queryset.filter(stage__is_won=True)
        if value == "lost":
            return queryset.filter(stage__is_lost=True)
        return queryset.open()
