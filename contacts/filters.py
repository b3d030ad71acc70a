import django_filters
from django import forms

from contacts.models import Activity, Company, Contact
from crm.dates import DateFilter
from crm.list_filters import owner_choices
from crm.pickers import PickerFilterSet
from crm.search import matching


def visible_companies(request):
    """The company filter's choices: the companies the viewer may see."""
    return Company.objects.visible_to(request.user) if request else Company.objects.none()


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name, domain or phone", method="filter_q")
    owner = django_filters.ModelChoiceFilter(
        queryset=owner_choices(Company), empty_label="Any owner"
    )
    city = django_filters.CharFilter(lookup_expr="iexact", label="City")

    class Meta:
        model = Company
        fields = ["q", "owner", "city"]

    def filter_q(self, queryset, name, value):
        # Any word of the name, the domain, any part of the phone: the global search's index.
        return queryset.filter(matching("company", value))


class ContactFilter(PickerFilterSet, django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name, e-mail or phone", method="filter_q")
    company = django_filters.ModelChoiceFilter(
        queryset=visible_companies, empty_label="Any company"
    )
    pickers = ("company",)  # a type-ahead, not a select of every company
    owner = django_filters.ModelChoiceFilter(
        queryset=owner_choices(Contact), empty_label="Any owner"
    )

    class Meta:
        model = Contact
        fields = ["q", "company", "owner"]

    def filter_q(self, queryset, name, value):
        # First or last name, e-mail, phone, company: the global search's index, one subquery.
        return queryset.filter(matching("contact", value))


class ActivityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, empty_label="Any kind")
    done = django_filters.BooleanFilter(
        label="Done",
        widget=forms.Select(choices=[("", "Done or not"), ("true", "Done"), ("false", "Not done")]),
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=owner_choices(Activity), empty_label="Any owner"
    )
    after = DateFilter(field_name="occurs_at", lookup_expr="date__gte", label="From")
    before = DateFilter(field_name="occurs_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = Activity
        fields = ["kind", "done", "owner", "after", "before"]
