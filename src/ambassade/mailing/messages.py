"""The mailing app's messages in the reader's language (codes made in ``mailing/``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "mailing.demo_account": _(
            "Demo mailbox: it has no real server behind it, so no e-mail is sent or read. "
            "Connect a real mailbox to send campaigns."
        ),
        "mailing.no_connection": _(
            "The campaign has no e-mail connection to send from: choose one."
        ),
        "mailing.worker_died": _(
            "The sending stopped while this e-mail was being sent: it may have gone, so it is "
            "not sent again."
        ),
        "mailing.cannot_write": _("The e-mail cannot be written: %(detail)s"),
        "mailing.scheduled_not_started": _(
            "The scheduled sending did not start and the campaign is a draft again: %(reason)s"
        ),
    }
)
