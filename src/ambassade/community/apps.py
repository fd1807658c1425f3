from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "ambassade.community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from ambassade.community import audit, permissions, services  # noqa: F401  (declarations)
        from ambassade.listening import routing
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "community",
                _("Community"),
                "community:members",
                permissions.COMMUNITY_VIEW,
                order=50,
                icon="heart",
                active_prefixes=("community:",),
            )
        )
        # Every author of a new mention becomes (or updates) a community member.
        routing.register("community", services.record_authors)
