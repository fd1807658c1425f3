"""The events' messages in the reader's language (codes made in ``events/services.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "event.ends_before_start": _("The event must end after it starts."),
        "event.online_needs_link": _("An online event needs its link."),
        "event.physical_needs_place": _("An event in person needs a place or an address."),
        "event.rsvp_closed": _("Registration for this event is closed."),
        "event.full": _("This event is full."),
        "event.throttled": _("Too many registrations from your connection: try again in an hour."),
        "event.followup_too_early": _("The follow-up can be sent once the event has started."),
        "event.followup_empty": _("Write the follow-up e-mail (in English or French) first."),
    }
)
