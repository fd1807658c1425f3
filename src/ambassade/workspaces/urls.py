"""URLs of the workspaces app, mounted at the root. tests/test_access.py walks every one of them."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ambassade.workspaces import views
from ambassade.workspaces.forms import LoginForm


class PasswordResetView(auth_views.PasswordResetView):
    """Reads the base URL when the mail is sent: `serve` sets it from its port after the URLs load."""

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"base_url": settings.BASE_URL}


auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

workspace_urlpatterns = [
    path("", views.workspace_home, name="workspace_home"),
    path("members/", views.members, name="workspace_members"),
    path("members/invite/", views.member_invite, name="workspace_member_invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="workspace_member_role"),
    path(
        "members/<int:membership_id>/remove/", views.member_remove, name="workspace_member_remove"
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="workspace_invitation_revoke",
    ),
    path("connections/", views.connections, name="workspace_connections"),
    path("connections/new/", views.connection_create, name="workspace_connection_create"),
    path(
        "connections/<int:connection_id>/remove/",
        views.connection_remove,
        name="workspace_connection_remove",
    ),
    path("audit/", views.audit_log, name="workspace_audit"),
    path("settings/", views.workspace_settings, name="workspace_settings"),
]

urlpatterns = [
    *auth_urlpatterns,
    path("", views.home, name="home"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path(
        "invitations/<str:invitation_token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path("w/<slug:workspace_slug>/", include(workspace_urlpatterns)),
]
