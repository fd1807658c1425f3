"""The missions' messages in the reader's language (codes made in ``missions/services.py`` and by
``ambassade.engine.missions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "mission.ends_before_start": _("The mission must end after it starts."),
        "mission.needs_url": _("Give the address of the post or of the question (http or https)."),
        "mission.needs_product": _("Choose the product to review."),
        "mission.bad_hashtag": _("A hashtag is letters, digits and _ only, without spaces."),
        "mission.needs_segment": _("Choose the segment."),
        "mission.needs_members": _("Choose at least one member."),
        "mission.too_many_members": _("At most %(limit)s chosen members: use a segment."),
        "mission.unknown_member": _("This member is not one of this workspace."),
        "mission.staff": _("Staff of the brand do not take part in missions."),
        "mission.no_account": _("This member has no account on a network."),
        "mission.already_done": _("This member has done this mission already."),
        # Why a completion counts (the evidence).
        "mission.linked": _("Links to the target: %(detail)s"),
        "mission.quoted": _("Quotes or reposts the post"),
        "mission.replied": _("Replies to the question"),
        "mission.reviewed": _("Reviews the product"),
        "mission.hashtag": _("Uses %(detail)s"),
        "mission.manual": _("Marked done by the team"),
        # The notification centre, and telling members by e-mail.
        "mission.completed": _("%(member)s completed the mission “%(mission)s”"),
        # (Two or more: no singular needed.)
        "mission.completed_many": _(
            "%(count)s members completed the mission “%(mission)s”, %(member)s among them"
        ),
        "mission.no_mail_account": _("Choose one of this workspace's e-mail accounts."),
        "mission.nobody_to_tell": _(
            "Nobody is left to tell: every member it is for who agreed to receive e-mails was "
            "told already."
        ),
        "mission.not_announced": _("The e-mail was not sent: %(detail)s"),
    }
)
