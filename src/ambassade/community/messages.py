"""The community's messages in the reader's language: the explanations of the scores the engine
gives (``ambassade.engine.scoring``), each a code and numbers, worded here when shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ambassade.cli.verify_draw import WORDINGS as DRAW_WORDINGS
from ambassade.workspaces.messages import register_all

register_all(
    {
        # Scores, one line each on a member's page.
        "score.love": ngettext_lazy(
            "Engagement %(love)s: %(count)s activity in the past year, %(recent)s of it in the "
            "last %(days)s days",
            "Engagement %(love)s: %(count)s activities in the past year, %(recent)s of it in the "
            "last %(days)s days",
            "count",
        ),
        "score.level": _("Level %(level)s: engagement of at least %(floor)s"),
        "score.level_held": _(
            "Level %(level)s, kept until the end of the month (engagement alone gives level "
            "%(earned)s)"
        ),
        "score.reach": ngettext_lazy(
            "Reach %(reach)s: %(followers)s follower, reposts by others: %(amplified)s",
            "Reach %(reach)s: %(followers)s followers, reposts by others: %(amplified)s",
            "followers",
        ),
        "score.sentiment": ngettext_lazy(
            "Sentiment toward the brand %(sentiment)s over %(count)s activity (%(positive)s "
            "positive, %(negative)s negative)",
            "Sentiment toward the brand %(sentiment)s over %(count)s activities (%(positive)s "
            "positive, %(negative)s negative)",
            "count",
        ),
        "score.sentiment_none": _("No activity with a sentiment toward the brand this year"),
        # One number says singular or plural (ngettext_lazy's last argument names it).
        "score.influence": ngettext_lazy(
            "Influence %(influence)s: reach %(reach)s × relevance %(relevance)s (%(relevant)s "
            "activity of %(count)s matches the workspace’s queries)",
            "Influence %(influence)s: reach %(reach)s × relevance %(relevance)s (%(relevant)s "
            "activities of %(count)s match the workspace’s queries)",
            "relevant",
        ),
        "score.ambassador": _(
            "Ambassador: level %(level)s and a positive sentiment (%(sentiment)s)"
        ),
        "score.detractor": ngettext_lazy(
            "Detractor: sentiment %(sentiment)s, %(negative)s negative activity of %(count)s",
            "Detractor: sentiment %(sentiment)s, %(negative)s negative activities of %(count)s",
            "negative",
        ),
        "score.rising": _(
            "Rising: engagement %(recent)s in the last %(days)s days, against %(before)s a month "
            "before"
        ),
        "score.dormant": _(
            "Worth re-engaging: nothing for %(days)s days after an engagement of %(love)s this year"
        ),
        # Why an author who is not a member is suggested.
        "score.discover.influence": ngettext_lazy(
            "Influence %(influence)s: reach %(reach)s, %(relevant)s post of %(count)s matches "
            "the workspace’s queries",
            "Influence %(influence)s: reach %(reach)s, %(relevant)s posts of %(count)s match the "
            "workspace’s queries",
            "relevant",
        ),
        "score.discover.followers": ngettext_lazy(
            "%(followers)s follower", "%(followers)s followers", "followers"
        ),
        "score.discover.amplified": ngettext_lazy(
            "Reposted %(amplified)s time by others",
            "Reposted %(amplified)s times by others",
            "amplified",
        ),
        "score.discover.positive": _("Positive toward the brand (%(sentiment)s)"),
        # Refusals of the scorer (bad input from an app or an import).
        "score.unknown_kind": _("Activity %(position)s: unknown kind of activity “%(kind)s”"),
        "score.naive_time": _("Activity %(position)s: its time has no time zone"),
        "score.bad_sentiment": _("Activity %(position)s: the sentiment must be between −1 and 1"),
        "score.bad_amplified": _("Activity %(position)s: the repost count must be at least 0"),
        "score.bad_followers": _("%(person)s: the follower count must be at least 0"),
        "score.bad_weight": _("The weight of “%(kind)s” must be a number of at least 0"),
        "score.bad_levels": _("Level thresholds must decrease and stay above 0"),
        "score.bad_period": _("Periods are at least one day"),
        # Why two members are suggested as one person (merge suggestions).
        "identity.same_email_verified": _("Same verified e-mail address: %(email)s"),
        "identity.same_email_half_verified": _(
            "Same e-mail address, verified for one of them: %(email)s"
        ),
        "identity.same_email": _("Same e-mail address: %(email)s"),
        "identity.email_as_handle": _("The e-mail address %(email)s is a handle on %(network)s"),
        "identity.email_user_as_handle": _(
            "The handle %(handle)s on %(network)s is the start of an e-mail address"
        ),
        "identity.links_to_profile": _("One profile links to the other: %(link)s"),
        "identity.same_handle": _("Same handle %(handle)s on %(count)s networks: %(networks)s"),
        "identity.same_link": _("Same link in both profiles: %(link)s"),
        "identity.same_name": _("Same name: %(name)s"),
        "identity.similar_name": _(
            "Similar names: %(first)s and %(second)s (similarity %(similarity)s)"
        ),
        "identity.handle_is_name": _("The handle %(handle)s is the name %(name)s"),
        "identity.same_network": _(
            "Each has an account of their own on %(network)s, which lowers the score"
        ),
        # Custom field values that cannot be stored (a member's form, a customer file).
        "field.bad_text": _("%(where)s: not a text (“%(value)s”)"),
        "field.too_long": _("%(where)s: at most %(limit)s characters"),
        "field.bad_number": _("%(where)s: “%(value)s” is not a number"),
        "field.bad_date": _("%(where)s: “%(value)s” is not a date written YYYY-MM-DD"),
        "field.bad_yes_no": _("%(where)s: “%(value)s” is neither yes nor no"),
        "field.bad_choice": _("%(where)s: “%(value)s” is not one of the choices (%(choices)s)"),
        "field.bad_type": _("%(where)s: unknown field type “%(value)s”"),
        # Segments that cannot be used as they are.
        "segment.bad_definition": _("The segment cannot be read"),
        "segment.unknown_criterion": _("Unknown criterion “%(where)s”"),
        "segment.bad_version": _("This segment was saved by a newer version"),
        "segment.bad_number": _("%(where)s: a number is needed"),
        "segment.bad_range": _("%(where)s: give a minimum, a maximum or both"),
        "segment.empty_range": _("%(where)s: the minimum is above the maximum"),
        "segment.bad_list": _("%(where)s: a list is needed"),
        "segment.too_many": _("%(where)s: at most %(limit)s"),
        "segment.unknown_value": _("%(where)s: unknown value “%(value)s”"),
        "segment.bad_days": _("%(where)s: a number of days between 1 and 3650"),
        "segment.bad_condition": _("%(where)s: incomplete condition"),
        "segment.unknown_field": _(
            "The custom field “%(value)s” does not exist (any more): change the segment"
        ),
        "segment.bad_operator": _("%(where)s: this comparison does not apply to this field"),
        "segment.missing_value": _("%(where)s: a value is needed"),
        "segment.bad_levels": _("Levels are 1 to 4"),
        "segment.bad_tags": _("Tags: any, all or none of them"),
        # Lines of a customer file that cannot be imported (the line and column are said before).
        "import.bad_email": _("“%(value)s” is not an e-mail address"),
        "import.bad_language": _("“%(value)s” is not a language code (fr, en, pt-br…)"),
        "import.too_long": _("at most %(limit)s characters"),
        "import.too_many_tags": _("at most %(limit)s tags"),
        "import.no_key": _("neither an e-mail address nor a handle: the line matches no one"),
        "import.two_members": _(
            "the e-mail address %(email)s and the handle are two different members: merge them "
            "first, or correct the line"
        ),
    }
)

# The contest draw's verification: the same sentences as `ambassade verify-draw` says them, marked
# for translation there (the command line reads the catalogue without Django).
register_all({code: _(text) for code, text in DRAW_WORDINGS.items()})
