from django.urls import path

from ambassade.moderation import feedback, views

app_name = "moderation"

W = "w/<slug:workspace_slug>/moderation/"

urlpatterns = [
    path(W, views.queue, name="queue"),
    path(W + "decide/", views.decide, name="decide"),
    path(W + "actions/<int:network_action_id>/undo/", views.undo, name="undo"),
    path(W + "rules/", views.rules, name="rules"),
    path(W + "rules/new/", views.rule_new, name="rule_new"),
    path(W + "rules/<int:moderation_rule_id>/", views.rule_edit, name="rule_edit"),
    path(W + "rules/<int:moderation_rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path(W + "rules/<int:moderation_rule_id>/move/", views.rule_move, name="rule_move"),
    path(W + "rules/<int:moderation_rule_id>/dry-run/", views.rule_dry_run, name="rule_dry_run"),
    path(W + "charter/", views.charter, name="charter"),
    path(W + "log/", views.log, name="log"),
    path(W + "log.csv", views.log_csv, name="log_csv"),
    path(W + "appeals/<int:appeal_id>/", views.appeal_decide, name="appeal_decide"),
    path(W + "feedback.jsonl", feedback.download, name="feedback"),
    path("charter/<str:charter_token>/", views.public_charter, name="public_charter"),
    path("appeal/<str:appeal_token>/", views.appeal, name="appeal"),
]
