from django.urls import path

from ambassade.missions import views

app_name = "missions"

W = "w/<slug:workspace_slug>/missions/"

urlpatterns = [
    path(W, views.missions, name="missions"),
    path(W + "new/", views.mission_new, name="mission_new"),
    path(W + "leaderboard/", views.leaderboard, name="leaderboard"),
    path(W + "<int:mission_id>/", views.mission_detail, name="mission"),
    path(W + "<int:mission_id>/edit/", views.mission_edit, name="mission_edit"),
    path(W + "<int:mission_id>/delete/", views.mission_delete, name="mission_delete"),
    path(W + "<int:mission_id>/done/", views.mission_mark_done, name="mission_mark_done"),
    path(W + "<int:mission_id>/announce/", views.mission_announce, name="mission_announce"),
    path(
        W + "<int:mission_id>/completions/<int:completion_id>/undo/",
        views.completion_undo,
        name="completion_undo",
    ),
]
