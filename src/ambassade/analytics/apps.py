from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ambassade.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from ambassade.analytics import dashboard, permissions
        from ambassade.workspaces import home
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "analytics_objectives",
                _("Objectives"),
                "analytics:objectives",
                permissions.ANALYTICS_VIEW,
                order=15,
                icon="chart",
                active_prefixes=("analytics:",),
            )
        )
        home.register(
            home.HomeSection(
                "dashboard", "analytics/includes/dashboard.html", dashboard.context, order=10
            )
        )
