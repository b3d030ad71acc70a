from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from crm.models import Team, User, VisibilityPolicy


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
