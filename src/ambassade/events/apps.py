from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "ambassade.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from ambassade.community import timeline
        from ambassade.events import audit, messages, permissions, services, tasks  # noqa: F401
        from ambassade.workspaces.nav import NavItem, register

        # An RSVP and an attendance on the member's timeline read as such.
        timeline.KINDS["rsvp"] = _("Registered for an event")
        timeline.KINDS["event"] = _("Attended an event")
        timeline.DESCRIBERS["events.rsvp"] = services.describe
        timeline.DESCRIBERS["events.attended"] = services.describe
        register(
            NavItem(
                "events",
                _("Events"),
                "events:events",
                permissions.EVENTS_VIEW,
                order=53,
                icon="calendar",
                active_prefixes=("events:",),
            )
        )
