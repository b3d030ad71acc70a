"""The Calendars page and the feed out (included under calendars/ by crm/urls.py)."""

from django.urls import path

from calendars import views

app_name = "calendars"

urlpatterns = [
    path("", views.calendars_page, name="page"),
    path("upload/", views.upload, name="upload"),
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/<id:pk>/sync/", views.sync_now, name="sync"),
    path("subscriptions/<id:pk>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("preferences/", views.preferences, name="preferences"),
    path("feed/regenerate/", views.regenerate_feed, name="feed-regenerate"),
    path("imports/<id:pk>/contact/", views.create_contact, name="create-contact"),
    # The feed: no login (calendar apps cannot log in); the secret in the address is the key.
    path("feed/<slug:token>.ics", views.feed_view, name="feed"),
]
