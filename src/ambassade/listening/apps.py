from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "ambassade.listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from ambassade.listening import audit, permissions, signals  # noqa: F401  (declarations)
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "listening",
                _("Listening"),
                "listening:stream",
                permissions.LISTENING_VIEW,
                order=20,
                icon="radio",
                active_prefixes=("listening:stream", "listening:mention", "listening:export"),
            )
        )
        register(
            NavItem(
                "listening_insights",
                _("Share of voice"),
                "listening:insights",
                permissions.LISTENING_VIEW,
                order=21,
                icon="chart",
                active_prefixes=("listening:insights", "listening:competitor"),
            )
        )
        register(
            NavItem(
                "listening_queries",
                _("Queries"),
                "listening:queries",
                permissions.LISTENING_VIEW,
                order=22,
                icon="search",
                active_prefixes=("listening:quer",),
            )
        )
        register(
            NavItem(
                "listening_sources",
                _("Sources"),
                "listening:sources",
                permissions.LISTENING_VIEW,
                order=23,
                icon="rss",
                active_prefixes=("listening:source",),
            )
        )
