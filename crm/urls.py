from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from crm import (  # noqa: F401 (converters: <id:…>)
    converters,
    field_settings,
    inline,
    layout_settings,
    palette,
    pickers,
    quick_add,
    views,
)

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("contacts.urls")),
    path("deals/", include("deals.urls")),
    path("calendars/", include("calendars.urls")),
    path("imports/", include("imports.urls")),
    path("search/", views.search, name="search"),
    path("quick-add/", quick_add.quick_add, name="quick-add"),
    path("quick-add/<slug:key>/", quick_add.quick_add_form, name="quick-add-form"),
    path("palette/", palette.palette, name="palette"),
    path("pick/", pickers.picker, name="picker"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/reports/<slug:slug>/", views.report_switch, name="report-switch"),
    path("settings/fields/", field_settings.fields_page, name="settings-fields"),
    path("settings/fields/new/", field_settings.field_create, name="settings-field-create"),
    path("settings/fields/<id:pk>/", field_settings.field_edit, name="settings-field-edit"),
    path(
        "settings/fields/<id:pk>/archive/",
        field_settings.field_archive,
        name="settings-field-archive",
    ),
    path("settings/layout/<slug:kind>/", layout_settings.layout_page, name="settings-layout"),
    path("settings/pipelines/", include("deals.pipeline_urls")),
    path("settings/users/", include("crm.user_urls")),
    path("settings/history/", field_settings.history_page, name="settings-history"),
    path("restore/<str:label>/<id:pk>/", views.restore, name="restore"),
    path("inline/<str:label>/<id:pk>/<str:field>/", inline.inline_edit, name="inline-edit"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The one-time link an admin hands a new user (Settings → Users): choose a password, log in.
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/set_password.html",
            success_url=reverse_lazy("home"),
            post_reset_login=True,
            post_reset_login_backend="crm.signin.ScopedModelBackend",
        ),
        name="password-set",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
