from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.deal_create, name="create"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/edit/", views.deal_edit, name="edit"),
    path("<int:pk>/delete/", views.deal_delete, name="delete"),
    path("<int:pk>/move/", views.deal_move, name="move"),
    path("<int:pk>/log/", views.deal_log, name="log"),
]
