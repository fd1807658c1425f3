from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "ambassade.inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from ambassade.inbox import audit, messages, permissions, routing  # noqa: F401  (declarations)
        from ambassade.listening import routing as listening_routing
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "inbox",
                _("Inbox"),
                "inbox:list",
                permissions.INBOX_VIEW,
                order=10,
                icon="inbox",
                active_prefixes=("inbox:",),
            )
        )
        # New mentions for the inbox (own accounts named, replies to own posts, rules), and the
        # private messages listening never stores (docs/inbox.md).
        listening_routing.register("inbox", routing.route_mentions)
        listening_routing.register_private("inbox", routing.route_private)
