from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "ambassade.replies"
    verbose_name = _("Replies")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from ambassade.inbox import panels
        from ambassade.inbox.messages import register_event
        from ambassade.replies import audit, messages, permissions, views  # noqa: F401  (declarations)

        panels.register(
            panels.Panel(
                "replies",
                "composer",
                "replies/composer.html",
                order=10,
                replies=True,  # it sends: the inbox's answer-on-network note gives way
                context=views.composer,
            )
        )
        register_event("reply_submitted", lambda p: gettext("%(actor)s wrote a reply") % p)
        register_event(
            "reply_pending", lambda p: gettext("%(actor)s wrote a reply that awaits approval") % p
        )
        register_event("reply_approved", lambda p: gettext("%(actor)s approved a reply") % p)
        register_event("reply_rejected", lambda p: gettext("%(actor)s sent a reply back") % p)
