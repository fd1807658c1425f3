from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BugReportsConfig(AppConfig):
    name = "ambassade.bugreports"
    verbose_name = _("Bug reports")

    def ready(self) -> None:
        from ambassade.bugreports import messages, tasks, views  # noqa: F401  (periodic tasks)
        from ambassade.inbox import messages as inbox_messages
        from ambassade.inbox import panels

        for code, words in messages.EVENTS.items():
            inbox_messages.register_event(code, words)

        panels.register(
            panels.Panel(
                "bugreports_prompt",
                "composer",
                "bugreports/prompt.html",
                order=1,
                context=views.prompt_context,
            )
        )
        panels.register(
            panels.Panel(
                "bugreports",
                "side",
                "bugreports/panel.html",
                order=10,
                context=views.panel_context,
            )
        )
