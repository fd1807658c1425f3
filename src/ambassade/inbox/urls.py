from django.urls import path

from ambassade.inbox import views

app_name = "inbox"

W = "w/<slug:workspace_slug>/inbox/"
C = W + "<int:conversation_id>/"

urlpatterns = [
    path(W, views.conversation_list, name="list"),
    path(W + "bulk/", views.conversation_bulk, name="bulk"),
    path(W + "availability/", views.availability, name="availability"),
    path(W + "views/", views.saved_view_create, name="view_create"),
    path(W + "views/<int:saved_view_id>/delete/", views.saved_view_delete, name="view_delete"),
    path(W + "from-mention/<int:mention_id>/", views.send_mention, name="send_mention"),
    path(W + "settings/", views.inbox_settings, name="settings"),
    path(W + "settings/teams/new/", views.team_edit, name="team_create"),
    path(W + "settings/teams/<int:team_id>/", views.team_edit, name="team_edit"),
    path(W + "settings/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path(W + "settings/labels/new/", views.label_edit, name="label_create"),
    path(W + "settings/labels/<int:label_id>/", views.label_edit, name="label_edit"),
    path(W + "settings/labels/<int:label_id>/delete/", views.label_delete, name="label_delete"),
    path(W + "settings/rules/new/", views.rule_edit, name="rule_create"),
    path(W + "settings/rules/<int:routing_rule_id>/", views.rule_edit, name="rule_edit"),
    path(W + "settings/rules/<int:routing_rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path(C, views.conversation_detail, name="conversation"),
    path(C + "status/", views.conversation_status, name="status"),
    path(C + "assign/", views.conversation_assign, name="assign"),
    path(C + "take/", views.conversation_take, name="take"),
    path(C + "labels/", views.conversation_labels, name="labels"),
    path(C + "presence/", views.conversation_presence, name="presence"),
]
