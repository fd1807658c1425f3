from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "ambassade.publishing"
    verbose_name = _("Publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ambassade.publishing import audit, permissions  # noqa: F401  (declarations)
        from ambassade.publishing.outbox import posts  # noqa: F401  (the posts kind hears the hold)
        from ambassade.workspaces.nav import NavItem, register
        from ambassade.workspaces.networks import NETWORKS

        # Networks with no listening side, so that connections to them read well everywhere.
        NETWORKS.setdefault("discord", "Discord")
        NETWORKS.setdefault("telegram", "Telegram")

        register(
            NavItem(
                "publishing",
                _("Publishing"),
                "publishing:posts",
                permissions.PUBLISHING_VIEW,
                order=30,
                icon="send",
                active_prefixes=("publishing:",),
            )
        )
