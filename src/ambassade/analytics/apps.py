from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ambassade.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from ambassade.analytics import (  # noqa: F401 (audit labels)
            audience_services,
            dashboard,
            permissions,
            reports_services,
        )
        from ambassade.workspaces import home
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "analytics_areas",
                _("Analytics"),
                "analytics:areas",
                permissions.ANALYTICS_VIEW,
                order=14,
                icon="chart",
                active_prefixes=("analytics:area",),
            )
        )
        register(
            NavItem(
                "analytics_objectives",
                _("Objectives"),
                "analytics:objectives",
                permissions.ANALYTICS_VIEW,
                order=15,
                icon="chart",
                active_prefixes=("analytics:objective", "analytics:kpi", "analytics:trend"),
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
        register(
            NavItem(
                "analytics_audience",
                _("Audience"),
                "analytics:audience",
                permissions.ANALYTICS_VIEW,
                order=17,
                icon="chart",
                active_prefixes=(
                    "analytics:audience",
                    "analytics:competitor",
                    "analytics:accounts_csv",
                    "analytics:posts_csv",
                    "analytics:traffic",
                ),
            )
        )
        home.register_list_link(home.ListLink("analytics:agency", _("Agency view")))
        home.register(
            home.HomeSection(
                "dashboard", "analytics/includes/dashboard.html", dashboard.context, order=10
            )
        )
