"""Settings → Users and teams: the URLs (included under settings/users/ by crm/urls.py)."""

from django.urls import path

from crm import user_settings as views

urlpatterns = [
    path("", views.users_page, name="settings-users"),
    path("new/", views.user_create, name="settings-user-create"),
    path("<id:pk>/", views.user_edit, name="settings-user-edit"),
    path("<id:pk>/link/", views.user_link, name="settings-user-link"),
    path("<id:pk>/deactivate/", views.user_deactivate, name="settings-user-deactivate"),
    path("<id:pk>/reactivate/", views.user_reactivate, name="settings-user-reactivate"),
    path("teams/new/", views.team_create, name="settings-team-create"),
    path("teams/<id:pk>/", views.team_edit, name="settings-team-edit"),
]
