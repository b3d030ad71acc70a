from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin

from crm.models import Team, User, VisibilityPolicy
from crm.records import changed_columns, record_create, record_update, retry_if_stale
from crm.stale import StaleEdit, add_version_fields


def _admins_only(request) -> bool:
    """The Django admin bypasses visibility, so only Huddle admins may enter it."""
    user = request.user
    return user.is_active and user.is_staff and user.is_admin


admin.site.has_permission = _admins_only
admin.site.site_header = "Huddle administration"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Huddle", {"fields": ["role", "team"]})]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    filter_horizontal = ["managers"]


admin.site.register(VisibilityPolicy)


class OwnedRecordForm(forms.ModelForm):
    """Django admin's form for an owned record: it carries version and base like the app's own
    forms, so an admin's save over someone's newer change merges or stops (crm/stale.py)."""

    # Declared, so that admin's fieldsets render them; their values are set per record.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            add_version_fields(self)
        else:
            del self.fields["version"], self.fields["base"]

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            StaleEdit(self).check()
        return cleaned


class OwnedRecordAdmin(SimpleHistoryAdmin):
    """Saves through the record services: stamped with who changed it, the version bumped, and
    written only over the version it was read at, like every other write in Huddle."""

    form = OwnedRecordForm
    # Custom values are validated by their field definitions, not edited as raw JSON here.
    readonly_fields = ["created_by", "updated_by", "custom"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # version and base are the form's own fields, not model fields to be edited.
        fields = kwargs.get("fields", ())
        if "fields" not in kwargs:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            kwargs["fields"] = [f for f in fields if f not in ("version", "base")]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            record_create(record=obj, by=request.user)
            return
        record_update(record=obj, by=request.user, fields=changed_columns(form, obj))

    @method_decorator(retry_if_stale)  # a save that lost a race runs again: merges or stops
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)
