from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "ambassade.satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from ambassade.inbox import messages as inbox_messages
        from ambassade.inbox import panels
        from ambassade.replies import signals as reply_signals
        from ambassade.satisfaction import messages, services, tasks, views  # noqa: F401  (task)

        services.register_sender(services.send_through_replies)
        reply_signals.reply_recorded.connect(
            services.reply_recorded, dispatch_uid="satisfaction.reply_recorded"
        )
        reply_signals.reply_failed.connect(
            services.reply_failed, dispatch_uid="satisfaction.reply_failed"
        )

        for code, words in messages.EVENTS.items():
            inbox_messages.register_event(code, words)
        panels.register(
            panels.Panel(
                "satisfaction",
                "side",
                "satisfaction/panel.html",
                order=20,
                context=views.panel_context,
            )
        )
