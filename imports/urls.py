"""The contact import pages and the import history (included under imports/ by crm/urls.py)."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("contacts/", views.contacts_page, name="contacts"),
    path("uploads/<id:pk>/mapping/", views.mapping, name="mapping"),
    path("uploads/<id:pk>/preview/", views.preview, name="preview"),
    path("uploads/<id:pk>/confirm/", views.confirm, name="confirm"),
    path("<id:pk>/", views.batch, name="batch"),
    path("<id:pk>/undo/", views.undo, name="undo"),
]
