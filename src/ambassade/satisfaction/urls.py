from django.urls import path

from ambassade.satisfaction import views

app_name = "satisfaction"

W = "w/<slug:workspace_slug>/inbox/"

urlpatterns = [
    # The public page the question links to: no account, a signed unguessable token.
    path("s/<str:survey_token>/", views.survey_page, name="survey"),
    path(W + "satisfaction/", views.results, name="results"),
    path(W + "satisfaction/settings/", views.settings_update, name="settings"),
    path(W + "<int:conversation_id>/satisfaction/ask/", views.ask_now, name="ask"),
    path(W + "<int:conversation_id>/satisfaction/prepare/", views.prepare, name="prepare"),
    path(W + "<int:conversation_id>/satisfaction/sent/", views.mark_sent, name="sent"),
]
