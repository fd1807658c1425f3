"""The moderation app's messages in the reader's language: why a rule matched, what a network
cannot do, and the engine's refusals of a rule (``moderation.*`` codes of
``ambassade.engine.moderation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ambassade.workspaces.messages import register_all

register_all(
    {
        # Why a rule matched.
        "moderation.why_words": _("Watched words found: %(words)s"),
        "moderation.why_score": _("%(score)s score %(value)s, above the rule's %(threshold)s"),
        "moderation.score_offensive": _("Offensive"),
        "moderation.score_hateful": _("Hateful"),
        "moderation.score_spam": _("Spam"),
        "moderation.why_link": _("A link to %(domain)s"),
        "moderation.why_network": _("Written on %(network)s"),
        "moderation.why_denied": _("%(author)s is on the deny list"),
        "moderation.why_allowed": _("%(author)s is on the allow list"),
        "moderation.why_other": _("Condition met: %(condition)s"),
        "moderation.why_query": _("Matches the rule's listening query"),
        "moderation.why_language": _("Written in %(language)s"),
        "moderation.why_caps": _("Written in capitals (%(share)s %% of its letters)"),
        "moderation.why_mentions": ngettext_lazy(
            "%(count)s @mention", "%(count)s @mentions", "count"
        ),
        "moderation.why_first": _("The first message of this member"),
        "moderation.why_strikes": ngettext_lazy(
            "The author has %(count)s strike", "The author has %(count)s strikes", "count"
        ),
        "moderation.why_raid": ngettext_lazy(
            "%(count)s different author wrote the same message within %(minutes)s minutes",
            "%(count)s different authors wrote the same message within %(minutes)s minutes",
            "count",
        ),
        # Actions on the networks.
        "moderation.act_hide": _("hide"),
        "moderation.act_unhide": _("show again"),
        "moderation.act_delete": _("delete"),
        "moderation.act_hold": _("hold for review"),
        "moderation.act_approve": _("approve"),
        "moderation.act_mute": _("mute the author"),
        "moderation.act_unmute": _("lift the mute"),
        "moderation.act_ban": _("ban the author"),
        "moderation.act_unban": _("lift the ban"),
        "moderation.action_line": _("%(network)s: %(action)s — %(state)s"),
        "moderation.state_scheduled": _("to do"),
        "moderation.state_publishing": _("in progress"),
        "moderation.state_published": _("done"),
        "moderation.state_failed": _("failed"),
        "moderation.state_unknown": _("being checked"),
        "moderation.network_cannot": _("%(network)s does not let Ambassade %(action)s."),
        "moderation.no_connection": _(
            "No connected %(network)s account can moderate: connect one in the workspace's "
            "settings, or act on the network itself."
        ),
        "moderation.cancelled": _("Not sent: a person approved the message first."),
        "moderation.no_author": _("The message names no author to act on."),
        "moderation.cannot_undo": _("This action cannot be undone from Ambassade."),
        "moderation.already_undone": _("This action was already undone."),
        "moderation.failed": _("%(network)s could not %(action)s."),
        "moderation.refused": _("%(network)s refused to %(action)s: %(reason)s"),
        "moderation.gave_up": _(
            "%(network)s could not %(action)s after %(count)s attempts: %(reason)s"
        ),
        # What a rule did inside Ambassade, or why it could not.
        "moderation.assigned": _("A message was assigned to you by the rule “%(rule)s”."),
        "moderation.escalated": _("The rule “%(rule)s” escalates a message to you."),
        "moderation.escalated_text": _("The message: %(text)s"),
        "moderation.nobody_to_notify": _("No owner or manager to notify."),
        "moderation.cannot_assign": _(
            "Not assigned: the person chosen in the rule can no longer decide in the queue."
        ),
        "moderation.no_tag": _("Not tagged: the rule names no tag."),
        "moderation.no_saved_reply": _("Not sent: the rule's saved reply was deleted."),
        "moderation.no_sender": _(
            "Not sent: the rule has no person to write in the name of. Save the rule again."
        ),
        "moderation.not_sent": _("Not sent to the author: %(reason)s"),
        "moderation.no_reply_account": _(
            "Not sent to the author: no connected %(network)s account can answer. Connect one, or "
            "write to them on the network."
        ),
        "moderation.appeal_decided": _("This appeal was already decided."),
        "moderation.raid_alert": ngettext_lazy(
            "Raid: %(count)s different author wrote the same message within %(minutes)s minutes "
            "(rule “%(rule)s”)",
            "Raid: %(count)s different authors wrote the same message within %(minutes)s "
            "minutes (rule “%(rule)s”)",
            "count",
        ),
        # The engine's refusals of a rule.
        "moderation.action_needs": _("The action %(action)s needs its %(name)s."),
        "moderation.bad_list": _("%(name)s must be a list of texts."),
        "moderation.bad_number": _("%(name)s must be a number from %(low)s to %(high)s."),
        "moderation.bad_query": _("The listening query cannot be read."),
        "moderation.bad_rule": _("A rule needs a name and must be complete."),
        "moderation.duplicate_rule": _("Two rules have the same name."),
        "moderation.list_too_long": _("%(name)s holds at most %(limit)s entries, not %(count)s."),
        "moderation.no_actions": _("Choose at least one action."),
        "moderation.no_authors": _("The list of authors is empty."),
        "moderation.no_conditions": _(
            "Give the rule at least one condition: watched words, a listening query, a score, "
            "links, a language, capitals, mentions, a network, authors, a first message, strikes "
            "or a raid."
        ),
        "moderation.no_languages": _("Choose at least one language."),
        "moderation.no_networks": _("Choose at least one network."),
        "moderation.no_query": _("The listening query is empty."),
        "moderation.no_words": _("The list of watched words is empty."),
        "moderation.too_many_rules": _("A workspace has at most %(limit)s rules."),
        "moderation.too_many_words": _(
            "A list holds at most %(limit)s watched words, not %(count)s."
        ),
        "moderation.unknown_action": _("Unknown action."),
        "moderation.unknown_condition": _("Unknown condition."),
        "moderation.unknown_mode": _("Unknown mode."),
        "moderation.unknown_score": _("Unknown score."),
        "moderation.word_too_long": _(
            "The watched word “%(word)s…” is longer than %(limit)s characters."
        ),
        "moderation.word_too_short": _(
            "The watched word “%(word)s” needs at least %(minimum)s letters or digits besides its *."
        ),
    }
)
