from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "ambassade.suggestions"
    verbose_name = _("Suggested replies")

    def ready(self) -> None:
        from ambassade.inbox import panels
        from ambassade.suggestions import views

        # Above the reply composer (inbox-replies' panel): three answers to insert.
        panels.register(
            panels.Panel(
                "suggestions",
                "composer",
                "suggestions/panel.html",
                order=5,
                context=views.panel_context,
            )
        )
