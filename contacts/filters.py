import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from contacts.models import Activity, Company, Contact
from contacts.normalize import normalize_email, normalize_text


def _owners(request):
    return get_user_model().objects.filter(is_active=True)


def _companies(request):
    return Company.objects.visible_to(request.user) if request else Company.objects.none()


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or domain", method="filter_q")
    owner = django_filters.ModelChoiceFilter(queryset=_owners)
    city = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Company
        fields = ["q", "owner", "city"]

    def filter_q(self, queryset, name, value):
        text = normalize_text(value)
        return queryset.filter(Q(name_normalized__startswith=text) | Q(domain__startswith=text))


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or e-mail", method="filter_q")
    # Hidden: set by links from a company page; a select of every company would be huge.
    company = django_filters.ModelChoiceFilter(queryset=_companies, widget=forms.HiddenInput)
    owner = django_filters.ModelChoiceFilter(queryset=_owners)

    class Meta:
        model = Contact
        fields = ["q", "company", "owner"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name_normalized__startswith=normalize_text(value))
            | Q(email_normalized__startswith=normalize_email(value))
        )


class ActivityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices)
    done = django_filters.BooleanFilter()
    owner = django_filters.ModelChoiceFilter(queryset=_owners)
    after = django_filters.DateFilter(field_name="occurs_at", lookup_expr="date__gte", label="From")
    before = django_filters.DateFilter(field_name="occurs_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = Activity
        fields = ["kind", "done", "owner", "after", "before"]
