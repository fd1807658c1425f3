"""The events' messages in the reader's language (codes made in ``events/services.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        # Invitations to a segment (events/invitations.py).
        "event.segment_unknown": _("Choose a segment of this workspace."),
        "event.segment_broken": _(
            "The segment “%(segment)s” names a custom field deleted since: fix it on the Segments "
            "page first. Nobody was invited."
        ),
        "event.invite_closed": _(
            "This event no longer takes registrations (closed or over): nobody was invited."
        ),
        "event.invite.no_address": _("no e-mail address"),
        "event.invite.no_consent": _("no consent to event e-mails"),
        "event.invite.already_invited": _("invited already"),
        "event.invite.registered": _("registered already"),
        "event.invite.duplicate": _("the same address as another member"),
        # The e-mails' states (events/deliveries.py).
        "event.mail.kind.invitation": _("Invitation"),
        "event.mail.kind.confirmed": _("Ticket"),
        "event.mail.kind.waitlisted": _("Place in line"),
        "event.mail.kind.cancelled": _("Cancellation"),
        "event.mail.kind.reminder": _("Reminder"),
        "event.mail.kind.followup": _("Follow-up"),
        "event.mail.state.queued": pgettext_lazy("e-mail state", "Queued"),
        "event.mail.state.sending": pgettext_lazy("e-mail state", "Sending"),
        "event.mail.state.sent": pgettext_lazy("e-mail state", "Sent"),
        "event.mail.state.bounced": pgettext_lazy("e-mail state", "Bounced"),
        "event.mail.state.failed": pgettext_lazy("e-mail state", "Failed"),
        "event.mail.state.unknown": pgettext_lazy("e-mail state", "Perhaps sent"),
        "event.mail.state.skipped": pgettext_lazy("e-mail state", "No longer due"),
        "event.mail.address_refused": _("The e-mail server refused the address."),
        "event.mail.sender_refused": _("The e-mail server refused the sender’s address."),
        "event.mail.login_refused": _("The e-mail server refused the login (check the settings)."),
        "event.mail.message_refused": _("The e-mail server refused the message."),
        "event.mail.unreachable": _("The e-mail server could not be reached."),
        "event.mail.other": _("Not sent: %(detail)s"),
    }
)
