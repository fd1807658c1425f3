from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "ambassade.missions"
    verbose_name = _("Missions")

    def ready(self) -> None:
        from ambassade.community import panels, timeline
        from ambassade.listening import routing
        from ambassade.missions import audit, member, messages, permissions, services, tasks  # noqa: F401
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "missions",
                _("Missions"),
                "missions:missions",
                permissions.MISSIONS_VIEW,
                order=50,
                icon="flag",
                active_prefixes=("missions:",),
            )
        )
        # A completed mission on the member's timeline, and their missions on their page.
        timeline.KINDS["mission"] = _("Mission completed")
        timeline.DESCRIBERS[services.ACTIVITY_SOURCE] = member.describe
        panels.register(
            panels.Panel(
                "missions",
                "missions/includes/member_missions.html",
                order=10,
                context=member.member_missions,
            )
        )
        # After the community (authors) and products (links) receivers: registered later.
        routing.register("missions", services.on_ingest)
