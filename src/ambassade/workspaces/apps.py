from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "ambassade.workspaces"
    verbose_name = _("Workspaces")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ambassade.workspaces import locale, nav, permissions

        user_logged_in.connect(locale.remember_at_login, dispatch_uid="ambassade.remember_language")

        nav.register(
            nav.NavItem(
                "home", _("Overview"), "workspace_home", permissions.WORKSPACE_VIEW, 0, "home"
            )
        )
        nav.register(
            nav.NavItem(
                "members",
                _("Members"),
                "workspace_members",
                permissions.WORKSPACE_VIEW,
                900,
                "users",
                ("workspace_member", "workspace_invitation"),
            )
        )
        nav.register(
            nav.NavItem(
                "connections",
                _("Connections"),
                "workspace_connections",
                permissions.CONNECTIONS_VIEW,
                910,
                "plug",
                ("workspace_connection",),
            )
        )
        nav.register(
            nav.NavItem(
                "audit", _("Audit log"), "workspace_audit", permissions.AUDIT_VIEW, 920, "list"
            )
        )
        nav.register(
            nav.NavItem(
                "settings",
                _("Settings"),
                "workspace_settings",
                permissions.WORKSPACE_MANAGE,
                930,
                "settings",
            )
        )
