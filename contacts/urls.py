from django.urls import path

from contacts import views
from crm import converters  # noqa: F401 (registers <id:…>)

app_name = "contacts"

urlpatterns = [
    path("contacts/", views.contact_list, name="list"),
    path("contacts/new/", views.contact_create, name="create"),
    path("contacts/export.<str:fmt>", views.contact_export, name="export"),
    path("contacts/<id:pk>/", views.contact_detail, name="detail"),
    path("contacts/<id:pk>/edit/", views.contact_edit, name="edit"),
    path("contacts/<id:pk>/delete/", views.contact_delete, name="delete"),
    path("contacts/<id:pk>/log/", views.contact_log, name="contact-log"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/new/", views.company_create, name="company-create"),
    path("companies/export.<str:fmt>", views.company_export, name="company-export"),
    path("companies/<id:pk>/", views.company_detail, name="company-detail"),
    path("companies/<id:pk>/edit/", views.company_edit, name="company-edit"),
    path("companies/<id:pk>/delete/", views.company_delete, name="company-delete"),
    path("companies/<id:pk>/log/", views.company_log, name="company-log"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/export.<str:fmt>", views.activity_export, name="activity-export"),
    path("activities/<id:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<id:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<id:pk>/delete/", views.activity_delete, name="activity-delete"),
    path("activities/<id:pk>/done/", views.activity_done, name="activity-done"),
    path("activities/<id:pk>/next/", views.activity_next, name="activity-next"),
]
