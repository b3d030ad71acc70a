from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crm import converters, inline, palette, pickers, quick_add, views  # noqa: F401 (converters: <id:…>)

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("contacts.urls")),
    path("deals/", include("deals.urls")),
    path("search/", views.search, name="search"),
    path("quick-add/", quick_add.quick_add, name="quick-add"),
    path("quick-add/<slug:key>/", quick_add.quick_add_form, name="quick-add-form"),
    path("palette/", palette.palette, name="palette"),
    path("pick/", pickers.picker, name="picker"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/reports/<slug:slug>/", views.report_switch, name="report-switch"),
    path("restore/<str:label>/<id:pk>/", views.restore, name="restore"),
    path("inline/<str:label>/<id:pk>/<str:field>/", inline.inline_edit, name="inline-edit"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
