from django.urls import path

from reports import views

urlpatterns = [
    path("", views.my_day, name="home"),
]
