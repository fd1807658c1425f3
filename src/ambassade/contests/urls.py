from django.urls import path

from ambassade.contests import views

app_name = "contests"

W = "w/<slug:workspace_slug>/contests/"
P = "contests/<str:contest_token>/"

urlpatterns = [
    path(W, views.contests, name="contests"),
    path(W + "new/", views.contest_new, name="contest_new"),
    path(W + "<int:contest_id>/", views.contest_detail, name="contest"),
    path(W + "<int:contest_id>/edit/", views.contest_edit, name="contest_edit"),
    path(W + "<int:contest_id>/exclude/", views.contest_exclude, name="contest_exclude"),
    path(W + "<int:contest_id>/freeze/", views.contest_freeze, name="contest_freeze"),
    path(W + "<int:contest_id>/draw/", views.contest_draw, name="contest_draw"),
    path(
        W + "<int:contest_id>/entries/<int:entry_id>/notify/",
        views.entry_notify,
        name="entry_notify",
    ),
    # Public: anyone with the contest's address; the verification page is anyone's.
    path("contests/verify/", views.verify_page, name="verify"),
    path(P, views.public_contest, name="public"),
    path(P + "rules/", views.public_rules, name="rules"),
    path(P + "draw.json", views.public_draw, name="draw_file"),
]
