"""Form plumbing shared by every app: one field template, and choices scoped by visibility."""

from django import forms
from django.forms.renderers import TemplatesSetting

from crm import visibility


class HuddleFormRenderer(TemplatesSetting):
    form_template_name = "crm/form.html"
    field_template_name = "crm/field.html"


class OwnedModelForm(forms.ModelForm):
    """A ModelForm for an owned record, built for one user.

    Every choice of a related owned record (the company picker, the deal picker, contacts) offers
    only what this user may see, and the owner picker only whom they may assign to, so a forged
    id in a POST fails validation like any other invalid choice.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if name == "owner":
                field.queryset = visibility.assignable_owners(user)
                field.required = True
            elif hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
        if "owner" in self.fields and not self.instance.pk:
            self.fields["owner"].initial = user.pk
