"""Meeting mode, under /reports/meetings/ (namespace `reports:meetings`)."""

from django.urls import path

from crm import converters  # noqa: F401 (registers <id:…>)
from reports import meeting_views as views

urlpatterns = [
    path("", views.agenda_list, name="agendas"),
    path("new/", views.agenda_create, name="agenda-create"),
    path("add/", views.section_add, name="section-add"),
    path("<id:pk>/", views.agenda_detail, name="agenda"),
    path("<id:pk>/edit/", views.agenda_edit, name="agenda-edit"),
    path("<id:pk>/run/", views.agenda_run, name="agenda-run"),
    path("m/<id:pk>/", views.meeting_detail, name="meeting"),
    path("m/<id:pk>/items/", views.action_item_add, name="item-add"),
    path("m/<id:pk>/items/<id:activity_pk>/done/", views.action_item_done, name="item-done"),
    path("m/<id:pk>/notes/", views.meeting_notes, name="notes"),
]
