from django.urls import path

from ambassade.bugreports import views

app_name = "bugreports"

W = "w/<slug:workspace_slug>/inbox/"

urlpatterns = [
    path(W + "settings/trackers/", views.trackers, name="trackers"),
    path(W + "settings/trackers/new/", views.tracker_create, name="tracker_create"),
    path(W + "settings/trackers/<int:tracker_id>/", views.tracker_edit, name="tracker_edit"),
    path(
        W + "settings/trackers/<int:tracker_id>/delete/",
        views.tracker_delete,
        name="tracker_delete",
    ),
    path(W + "<int:conversation_id>/bugs/", views.reports_panel, name="panel"),
    path(W + "<int:conversation_id>/bugs/new/", views.report_create, name="report"),
    path(W + "bugs/<int:bug_report_id>/told/", views.prompt_done, name="told"),
    # Each tracker's webhook, checked with its secret.
    path("hooks/trackers/<uuid:hook>/", views.webhook, name="webhook"),
]
