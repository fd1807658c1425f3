from django.urls import path

from ambassade.mailing import views

app_name = "mailing"

W = "w/<slug:workspace_slug>/mailing/"
C = W + "<int:campaign_id>/"

urlpatterns = [
    path(W, views.campaigns, name="campaigns"),
    path(W + "new/", views.campaign_new, name="campaign_new"),
    path(W + "bounces/", views.read_bounces, name="read_bounces"),
    path(W + "settings/", views.mailing_settings, name="settings"),
    path(C, views.campaign_detail, name="campaign"),
    path(C + "edit/", views.campaign_edit, name="campaign_edit"),
    path(C + "preview/<str:lang>/", views.campaign_preview, name="campaign_preview"),
    path(C + "test/", views.campaign_test, name="campaign_test"),
    path(C + "send/", views.campaign_send, name="campaign_send"),
    path(C + "schedule/", views.campaign_schedule, name="campaign_schedule"),
    path(C + "unschedule/", views.campaign_unschedule, name="campaign_unschedule"),
    path(C + "pause/", views.campaign_pause, name="campaign_pause"),
    path(C + "resume/", views.campaign_resume, name="campaign_resume"),
    path(C + "cancel/", views.campaign_cancel, name="campaign_cancel"),
    path(C + "delete/", views.campaign_delete, name="campaign_delete"),
    path(C + "progress/", views.campaign_progress, name="campaign_progress"),
    path(C + "recipients/", views.campaign_recipients, name="campaign_recipients"),
    # Public, found by the recipient's unguessable token; show nothing else of the workspace.
    path("u/<str:recipient_token>/", views.unsubscribe, name="unsubscribe"),
    path("m/o/<str:recipient_token>.gif", views.open_pixel, name="open"),
]
