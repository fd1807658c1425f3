"""URLs of the publishing app, under /w/<workspace>/publishing/. tests/test_access.py walks them."""

from django.urls import path

from ambassade.publishing import calendar_views, oauth_views, views

app_name = "publishing"

P = "w/<slug:workspace_slug>/publishing/"

urlpatterns = [
    # Public: short links of published posts (no workspace in the address, no personal data kept).
    path("l/<str:code>", views.short_link, name="short_link"),
    # Public: a scheduled or published post's media, fetched by Instagram and Threads.
    path("m/<str:media_token>", views.public_media, name="public_media"),
    path(P, views.posts, name="posts"),
    path(P + "new/", views.compose, name="compose"),
    path(P + "check/", views.check, name="check"),
    path(P + "calendar/", calendar_views.calendar, name="calendar"),
    path(P + "accounts/connect/", views.connect, name="connect"),
    path(P + "accounts/oauth/<slug:network>/", oauth_views.start, name="oauth_start"),
    path(P + "accounts/oauth/<slug:network>/choose/", oauth_views.choose, name="oauth_choose"),
    path(P + "outbox/", views.outbox, name="outbox"),
    path(P + "outbox/pause/", views.outbox_pause, name="outbox_pause"),
    path(P + "outbox/resume/", views.outbox_resume, name="outbox_resume"),
    path(P + "outbox/approvals/", views.outbox_steps, name="outbox_steps"),
    path(P + "outbox/queue/", views.outbox_slots, name="outbox_slots"),
    path(P + "outbox/webhook/", views.outbox_webhook, name="outbox_webhook"),
    path(P + "<int:post_id>/", views.post_detail, name="post"),
    path(P + "<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path(P + "<int:post_id>/submit/", views.post_submit, name="post_submit"),
    path(P + "<int:post_id>/approve/", views.post_approve, name="post_approve"),
    path(P + "<int:post_id>/reject/", views.post_reject, name="post_reject"),
    path(P + "<int:post_id>/comment/", views.post_comment, name="post_comment"),
    path(P + "<int:post_id>/reschedule/", views.post_reschedule, name="post_reschedule"),
    path(P + "<int:post_id>/unschedule/", views.post_unschedule, name="post_unschedule"),
    path(P + "<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path(P + "variants/<int:variant_id>/retry/", views.variant_retry, name="variant_retry"),
    path(P + "media/<int:media_id>/", views.media_file, name="media"),
    path(P + "media/<int:media_id>/remove/", views.media_remove, name="media_remove"),
]
