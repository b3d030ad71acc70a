"""Settings → Pipelines: the URLs (included under settings/pipelines/ by crm/urls.py)."""

from django.urls import path

from crm import converters  # noqa: F401 (registers <id:…>)
from deals import pipeline_settings as views

urlpatterns = [
    path("", views.pipelines_page, name="settings-pipelines"),
    path("new/", views.pipeline_create, name="settings-pipeline-create"),
    path("<id:pk>/", views.pipeline_edit, name="settings-pipeline-edit"),
    path("<id:pk>/remove/", views.pipeline_remove, name="settings-pipeline-remove"),
    path("<id:pk>/order/", views.pipeline_order, name="settings-pipeline-order"),
    path("<id:pk>/stages/new/", views.stage_create, name="settings-stage-create"),
    path("stages/<id:pk>/", views.stage_edit, name="settings-stage-edit"),
    path("stages/<id:pk>/remove/", views.stage_remove_page, name="settings-stage-remove"),
]
