from django import forms

from crm.models import VisibilityPolicy


class VisibilityPolicyForm(forms.ModelForm):
    class Meta:
        model = VisibilityPolicy
        fields = [
            "company_see",
            "company_edit",
            "contact_see",
            "contact_edit",
            "deal_see",
            "deal_edit",
            "activity_see",
            "activity_edit",
        ]
        labels = {
            "company_see": "Reps see companies",
            "company_edit": "Reps edit companies",
            "contact_see": "Reps see contacts",
            "contact_edit": "Reps edit contacts",
            "deal_see": "Reps see deals",
            "deal_edit": "Reps edit deals",
            "activity_see": "Reps see activities",
            "activity_edit": "Reps edit activities",
        }
