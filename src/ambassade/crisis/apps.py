from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "ambassade.crisis"
    verbose_name = _("Alerts and crises")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # audit and permissions only declare (their import registers them).
        from ambassade.crisis import audit, permissions, services, signals_feed  # noqa: F401
        from ambassade.publishing import notices
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "crisis_alerts",
                _("Alerts"),
                "crisis:alerts",
                permissions.ALERTS_VIEW,
                order=40,
                icon="alert",
                active_prefixes=("crisis:alert", "crisis:rule", "crisis:channel"),
            )
        )
        register(
            NavItem(
                "crisis",
                _("Crisis"),
                "crisis:crises",
                permissions.ALERTS_VIEW,
                order=41,
                icon="flag",
                active_prefixes=(
                    "crisis:cris",
                    "crisis:playbook",
                    "crisis:statement",
                    "crisis:contact",
                ),
            )
        )
        signals_feed.connect()
        # Publishing tells people of a failed post through the notification centre.
        notices.register_notifier(services.notify_people)
