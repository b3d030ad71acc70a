from django.urls import include, path

from reports import views

report_patterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("meetings/", include(("reports.meeting_urls", "meetings"))),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/section/", views.section, name="section"),
    path("<slug:slug>/drill/", views.drill, name="drill"),
    path("<slug:slug>/fix/", views.fix_list, name="fix"),
    path("<slug:slug>/export.<str:fmt>", views.export, name="export"),
]

urlpatterns = [
    path("", views.my_day, name="home"),
    path("reports/", include((report_patterns, "reports"))),
]
