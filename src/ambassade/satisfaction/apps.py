from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "ambassade.satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from ambassade.inbox import messages as inbox_messages
        from ambassade.inbox import panels
        from ambassade.satisfaction import messages, tasks, views  # noqa: F401  (periodic task)

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
