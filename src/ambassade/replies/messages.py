"""The replies' stored messages (a reply's failure, an attempt's log, notifications), worded when
shown in the reader's language (ambassade.workspaces.messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "replies.no_words": _("the reply has no words to recognise it by"),
        "replies.cannot_read": _("Ambassade cannot read the replies on %(network)s."),
        "replies.reconnect": _(
            "The account %(account)s must be reconnected: the network refused its access "
            "(%(reason)s). Reconnect it in Connections, then retry."
        ),
        "replies.unsupported": _("Ambassade cannot answer on %(network)s."),
        "replies.refused": _("%(network)s refused the reply: %(reason)s"),
        "replies.gave_up": _(
            "%(network)s could not be reached after %(count)s attempts (%(reason)s). "
            "Retry when the network is back."
        ),
        "replies.check_refused": _(
            "We could not check whether the reply went out on %(account)s: the network "
            "refused its access (%(reason)s). Look at the conversation on the network, and retry "
            "only if the reply is not there."
        ),
        "replies.ask": _(
            "We do not know whether the reply went out on %(account)s, and %(network)s "
            "cannot be checked (%(reason)s). Look at the conversation on the network, and retry "
            "only if the reply is not there."
        ),
        "replies.failed": _("A reply to %(person)s could not be sent (%(network)s)"),
        "replies.awaiting": _("%(author)s's reply to %(person)s awaits your approval"),
        "replies.rejected": _("Your reply to %(person)s was not approved"),
        "replies.mentioned": _("%(author)s mentioned you in a note about %(person)s"),
        # Why a reply cannot be written, sent or reviewed (ReplyError).
        "replies.cannot_answer": _(
            "Ambassade cannot answer on %(network)s: answer on the network itself."
        ),
        "replies.choose_account": _("Choose the account the reply goes out from."),
        "replies.too_long": _(
            "The text is %(length)s characters long; %(network)s accepts %(limit)s."
        ),
        "replies.against_rules": _("The network's rules refuse this reply: %(problems)s"),
        "replies.no_address": _("The person's address on the network is unknown: answer there."),
        "replies.nothing_to_answer": _(
            "No message of this conversation can be answered on the network."
        ),
        "replies.empty": _("The reply is empty."),
        "replies.answered_meanwhile": _(
            "Someone else answered this conversation while you were writing. Read their "
            "reply first: your text is kept below, send it if it is still needed."
        ),
        "replies.own_approval": _("Someone else must approve your own reply."),
        "replies.not_waiting": _("This reply no longer waits for approval."),
        "replies.say_why": _("Say why, so the author can write it again."),
        "replies.not_withdrawable": _("Only a reply awaiting approval can be withdrawn."),
        "replies.not_failed": _("Only a failed reply can be sent again."),
    }
)
