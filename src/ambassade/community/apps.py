from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "ambassade.community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ambassade.community import activities, audit, permissions, services  # noqa: F401
        from ambassade.inbox.models import Message
        from ambassade.listening import routing
        from ambassade.moderation.models import Decision
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
        # Private messages, the brand's answers and moderation decisions land on members' timelines.
        post_save.connect(
            activities.on_message_saved, sender=Message, dispatch_uid="community.activity.message"
        )
        post_save.connect(
            activities.on_decision_saved,
            sender=Decision,
            dispatch_uid="community.activity.decision",
        )
