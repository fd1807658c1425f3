"""The community's messages in the reader's language: the explanations of the scores the engine
gives (``ambassade.engine.scoring``), each a code and numbers, worded here when shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.cli.verify_draw import WORDINGS as DRAW_WORDINGS
from ambassade.workspaces.messages import register_all

register_all(
    {
        # Scores, one line each on a member's page.
        "score.love": _(
            "Engagement %(love)s: %(count)s activities in the past year, %(recent)s of it in the "
            "last %(days)s days"
        ),
        "score.level": _("Level %(level)s: engagement of at least %(floor)s"),
        "score.level_held": _(
            "Level %(level)s, kept until the end of the month (engagement alone gives level "
            "%(earned)s)"
        ),
        "score.reach": _(
            "Reach %(reach)s: %(followers)s followers, reposted %(amplified)s times by others"
        ),
        "score.sentiment": _(
            "Sentiment toward the brand %(sentiment)s over %(count)s activities (%(positive)s "
            "positive, %(negative)s negative)"
        ),
        "score.sentiment_none": _("No activity with a sentiment toward the brand this year"),
        "score.influence": _(
            "Influence %(influence)s: reach %(reach)s × relevance %(relevance)s (%(relevant)s of "
            "%(count)s activities match the workspace’s queries)"
        ),
        "score.ambassador": _(
            "Ambassador: level %(level)s and a positive sentiment (%(sentiment)s)"
        ),
        "score.detractor": _(
            "Detractor: sentiment %(sentiment)s, %(negative)s negative activities of %(count)s"
        ),
        "score.rising": _(
            "Rising: engagement %(recent)s in the last %(days)s days, against %(before)s a month "
            "before"
        ),
        "score.dormant": _(
            "Worth re-engaging: nothing for %(days)s days after an engagement of %(love)s this year"
        ),
        # Why an author who is not a member is suggested.
        "score.discover.influence": _(
            "Influence %(influence)s: reach %(reach)s, %(relevant)s of %(count)s posts match the "
            "workspace’s queries"
        ),
        "score.discover.followers": _("%(followers)s followers"),
        "score.discover.amplified": _("Reposted %(amplified)s times by others"),
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
    }
)

# The contest draw's verification: the same sentences as `ambassade verify-draw` says them, marked
# for translation there (the command line reads the catalogue without Django).
register_all({code: _(text) for code, text in DRAW_WORDINGS.items()})
