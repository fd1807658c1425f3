from django.urls import path

from ambassade.crisis import views

app_name = "crisis"

W = "w/<slug:workspace_slug>/"

urlpatterns = [
    # Alerts, rules, channels.
    path(W + "alerts/", views.alerts, name="alerts"),
    path(W + "alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path(W + "alerts/<int:alert_id>/status/", views.alert_status, name="alert_status"),
    path(W + "alerts/rules/", views.rules, name="rules"),
    path(W + "alerts/rules/new/", views.rule_edit, name="rule_create"),
    path(W + "alerts/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path(W + "alerts/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path(W + "alerts/channels/", views.channels, name="channels"),
    path(W + "alerts/channels/new/", views.channel_edit, name="channel_create"),
    path(W + "alerts/channels/<int:channel_id>/", views.channel_edit, name="channel_edit"),
    path(
        W + "alerts/channels/<int:channel_id>/delete/", views.channel_delete, name="channel_delete"
    ),
    path(W + "alerts/channels/<int:channel_id>/test/", views.channel_test, name="channel_test"),
    # The notification centre.
    path(W + "notifications/", views.notifications, name="notifications"),
    path(
        W + "notifications/<int:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path(W + "notifications/read/", views.notifications_read, name="notifications_read"),
    # Crisis mode.
    path(W + "crisis/", views.crises, name="crises"),
    path(W + "crisis/open/", views.crisis_open, name="crisis_open"),
    path(W + "crisis/<int:crisis_id>/", views.crisis_detail, name="crisis"),
    path(
        W + "crisis/<int:crisis_id>/items/<int:item_id>/",
        views.crisis_item,
        name="crisis_item",
    ),
    path(W + "crisis/<int:crisis_id>/actions/", views.crisis_action, name="crisis_action"),
    path(
        W + "crisis/<int:crisis_id>/statements/<int:statement_id>/",
        views.crisis_statement,
        name="crisis_statement",
    ),
    path(W + "crisis/<int:crisis_id>/outbox/", views.crisis_outbox, name="crisis_outbox"),
    path(W + "crisis/<int:crisis_id>/close/", views.crisis_close, name="crisis_close"),
    path(W + "crisis/<int:crisis_id>/report.html", views.crisis_report, name="crisis_report"),
    path(
        W + "crisis/<int:crisis_id>/report.pdf", views.crisis_report_pdf, name="crisis_report_pdf"
    ),
    # The playbook: checklist template, holding statements, escalation contacts.
    path(W + "crisis/playbook/", views.playbook, name="playbook"),
    path(W + "crisis/statements/new/", views.statement_edit, name="statement_create"),
    path(W + "crisis/statements/<int:statement_id>/", views.statement_edit, name="statement_edit"),
    path(
        W + "crisis/statements/<int:statement_id>/delete/",
        views.statement_delete,
        name="statement_delete",
    ),
    path(W + "crisis/contacts/new/", views.contact_edit, name="contact_create"),
    path(W + "crisis/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        W + "crisis/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"
    ),
]
