from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "ambassade.contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from ambassade.community import timeline
        from ambassade.contests import audit, messages, permissions, tasks  # noqa: F401
        from ambassade.workspaces.nav import NavItem, register

        # A contest entry on the member's timeline reads as such.
        timeline.KINDS["contest_entry"] = _("Contest entry")
        register(
            NavItem(
                "contests",
                _("Contests"),
                "contests:contests",
                permissions.CONTESTS_VIEW,
                order=51,
                icon="flag",
                active_prefixes=("contests:",),
            )
        )
