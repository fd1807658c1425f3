from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "ambassade.moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from ambassade.listening import routing
        from ambassade.moderation import audit, messages, permissions, services  # noqa: F401
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "moderation",
                _("Moderation"),
                "moderation:queue",
                permissions.MODERATION_VIEW,
                order=55,
                icon="check",
                active_prefixes=("moderation:",),
            )
        )
        # Every new mention is read by the workspace's moderation rules.
        routing.register("moderation", services.moderate_mentions)
