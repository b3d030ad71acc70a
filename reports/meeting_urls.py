"""Meeting mode, under /reports/meetings/ (namespace `reports:meetings`)."""

from django.urls import path

from reports import meeting_views as views

urlpatterns = [
    path("", views.agenda_list, name="agendas"),
    path("new/", views.agenda_create, name="agenda-create"),
    path("<int:pk>/", views.agenda_detail, name="agenda"),
    path("<int:pk>/edit/", views.agenda_edit, name="agenda-edit"),
    path("<int:pk>/run/", views.agenda_run, name="agenda-run"),
    path("m/<int:pk>/", views.meeting_detail, name="meeting"),
    path("m/<int:pk>/items/", views.action_item_add, name="item-add"),
    path("m/<int:pk>/items/<int:activity_pk>/done/", views.action_item_done, name="item-done"),
    path("m/<int:pk>/notes/", views.meeting_notes, name="notes"),
]
