"""Settings → Pipelines: the URLs (included under settings/pipelines/ by crm/urls.py)."""

urlpatterns: list = []
