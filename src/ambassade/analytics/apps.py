from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ambassade.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from ambassade.analytics import dashboard, permissions, reports_services  # noqa: F401
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
                active_prefixes=("analytics:objective", "analytics:kpi"),
            )
        )
        register(
            NavItem(
                "analytics_reports",
                _("Reports"),
                "analytics:reports",
                permissions.ANALYTICS_VIEW,
                order=16,
                icon="chart",
                active_prefixes=("analytics:report",),
            )
        )
        home.register(
            home.HomeSection(
                "dashboard", "analytics/includes/dashboard.html", dashboard.context, order=10
            )
        )
