from django.urls import path

from crm import converters  # noqa: F401 (registers <id:…>)
from deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.deal_create, name="create"),
    path("export.<str:fmt>", views.deal_export, name="export"),
    path("<id:pk>/", views.deal_detail, name="detail"),
    path("<id:pk>/edit/", views.deal_edit, name="edit"),
    path("<id:pk>/delete/", views.deal_delete, name="delete"),
    path("<id:pk>/move/", views.deal_move, name="move"),
    path("<id:pk>/log/", views.deal_log, name="log"),
]
