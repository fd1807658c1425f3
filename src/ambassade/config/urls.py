"""Root URLs. Every app mounts its own urls.py here; tests/test_access.py walks them all."""

from django.urls import include, path

from ambassade.publishing import oauth_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ambassade.workspaces.urls")),
    path("", include("ambassade.crisis.urls")),
    path("", include("ambassade.listening.urls")),
    path("", include("ambassade.publishing.urls")),
    path("", include("ambassade.community.urls")),
    path("", include("ambassade.inbox.urls")),
    path("", include("ambassade.replies.urls")),
    path("", include("ambassade.inbox.targets.urls")),
    path("", include("ambassade.moderation.urls")),
    path("", include("ambassade.suggestions.urls")),
    path("", include("ambassade.satisfaction.urls")),
    path("", include("ambassade.bugreports.urls")),
    path("", include("ambassade.contests.urls")),
    path("", include("ambassade.events.urls")),
    path("", include("ambassade.referrals.urls")),
    path("", include("ambassade.mailing.urls")),
    path("", include("ambassade.products.urls")),
    path("", include("ambassade.missions.urls")),
    path("", include("ambassade.analytics.urls")),
    # The one redirect URI each network's app registers ("Connect with …", docs/publishing.md).
    path("oauth/<slug:network>/callback/", oauth_views.callback, name="oauth_callback"),
]
handler500 = "ambassade.config.errors.server_error"
