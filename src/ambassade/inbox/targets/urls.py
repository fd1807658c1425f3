from django.urls import path

from ambassade.inbox.targets import views

app_name = "inbox_targets"

W = "w/<slug:workspace_slug>/inbox/"
T = W + "targets/"

urlpatterns = [
    path(T, views.targets_settings, name="settings"),
    path(T + "holidays/", views.holiday_create, name="holiday_create"),
    path(T + "holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
    path(T + "new/", views.target_edit, name="target_create"),
    path(T + "<int:target_id>/", views.target_edit, name="target_edit"),
    path(T + "<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path(W + "report/", views.team_report, name="report"),
    path(W + "report.csv", views.team_report_csv, name="report_csv"),
]
