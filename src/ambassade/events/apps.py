from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "ambassade.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from ambassade.community import timeline
        from ambassade.events import audit, messages, permissions, services, tasks, tracking  # noqa: F401
        from ambassade.publishing import links
        from ambassade.workspaces.nav import NavItem, register

        # Clicks in events' e-mails go through the short links, as the campaigns' do.
        links.register_resolver(tracking.click)

        # An RSVP and an attendance on the member's timeline read as such.
        timeline.KINDS["rsvp"] = _("Registered for an event")
        timeline.KINDS["event"] = _("Attended an event")
        timeline.DESCRIBERS["events.rsvp"] = services.describe
        timeline.DESCRIBERS["events.attended"] = services.describe
        # Opens and clicks of its e-mails (the kinds' labels are the campaigns' own).
        for (model, _what), source in tracking.SOURCES.items():
            timeline.DESCRIBERS[source] = (
                tracking.describe if model.__name__ == "Email" else tracking.describe_invitations
            )
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
