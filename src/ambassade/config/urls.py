"""Root URLs. Every app mounts its own urls.py here; tests/test_access.py walks them all."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ambassade.workspaces.urls")),
    path("", include("ambassade.crisis.urls")),
    path("", include("ambassade.listening.urls")),
    path("", include("ambassade.publishing.urls")),
    path("", include("ambassade.community.urls")),
]
