"""The KPI catalogue: what each indicator measures, in one line shown beside it (and in
docs/analytics.md), its unit, and whether more or less is better. Values are computed by
``kpis.measure``, never typed in."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambassade.analytics.models import ObjectiveType as T
from ambassade.engine.measures import HIGHER, LOWER

__all__ = ["CATALOGUE", "COUNT", "MINUTES", "PERCENT", "SCORE", "Metric", "choices"]

COUNT = "count"
PERCENT = "percent"
SCORE = "score"  # from −100 to 100
MINUTES = "minutes"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    definition: str | Promise
    unit: str
    direction: str
    types: tuple[str, ...]
    source: str  # the app whose data it reads, and whose view permission shows it


CATALOGUE: dict[str, Metric] = {
    metric.code: metric
    for metric in (
        Metric(
            "mention_volume",
            _("Mention volume"),
            _("Mentions matched by the brand's listening queries, posted in the period."),
            COUNT,
            HIGHER,
            (T.VISIBILITY, T.NOTORIETY),
            "listening",
        ),
        Metric(
            "potential_reach",
            _("Potential reach"),
            _(
                "Sum of the followers of the authors of those mentions, one count per mention: "
                "how many timelines they could have reached."
            ),
            COUNT,
            HIGHER,
            (T.VISIBILITY, T.NOTORIETY),
            "listening",
        ),
        Metric(
            "share_of_voice",
            _("Share of voice"),
            _(
                "The brand's matches as a share of the brand's and its competitors' matches in "
                "the period, as on the share-of-voice page."
            ),
            PERCENT,
            HIGHER,
            (T.NOTORIETY, T.VISIBILITY),
            "listening",
        ),
        Metric(
            "net_sentiment",
            _("Net sentiment"),
            _(
                "(positive − negative) ÷ (positive + negative) × 100 over the brand's mentions "
                "of the period, neutral ones left out: from −100 to +100."
            ),
            SCORE,
            HIGHER,
            (T.NOTORIETY, T.SATISFACTION),
            "listening",
        ),
        Metric(
            "response_rate",
            _("Response rate"),
            _(
                "Share of the conversations whose first message arrived in the period that "
                "received an answer."
            ),
            PERCENT,
            HIGHER,
            (T.SATISFACTION, T.ENGAGEMENT),
            "inbox",
        ),
        Metric(
            "first_response_time",
            _("First-response time"),
            _(
                "Median time from a conversation's first message to the brand's first answer, "
                "in minutes of the clock, for the conversations of the period that were answered."
            ),
            MINUTES,
            LOWER,
            (T.SATISFACTION,),
            "inbox",
        ),
        Metric(
            "csat",
            _("CSAT"),
            _("Share of the satisfaction answers given in the period that score 4 or 5 out of 5."),
            PERCENT,
            HIGHER,
            (T.SATISFACTION,),
            "inbox",
        ),
        Metric(
            "link_clicks",
            _("Link clicks"),
            _(
                "Clicks on the short links of the posts published in the period, counted since "
                "their publication."
            ),
            COUNT,
            HIGHER,
            (T.TRAFFIC, T.ENGAGEMENT),
            "publishing",
        ),
        Metric(
            "posts_published",
            _("Posts published"),
            _("Posts with at least one network version published in the period."),
            COUNT,
            HIGHER,
            (T.VISIBILITY, T.ENGAGEMENT),
            "publishing",
        ),
        Metric(
            "follower_growth",
            _("Follower growth"),
            _(
                "Followers gained by the brand's own accounts: per account, the last count read "
                "in the period minus the last one read before it, added up."
            ),
            COUNT,
            HIGHER,
            (T.COMMUNITY, T.VISIBILITY),
            "analytics",
        ),
        Metric(
            "engagement_rate",
            _("Engagement rate"),
            _(
                "Buffer's definition: engagements (likes, reposts, replies, quotes, reactions, "
                "shares, comments, saves, clicks) ÷ impressions × 100, over the own posts of the "
                "period on networks that count impressions or views."
            ),
            PERCENT,
            HIGHER,
            (T.ENGAGEMENT,),
            "analytics",
        ),
        Metric(
            "engagement_rate_per_follower",
            _("Engagement rate per follower"),
            _(
                "Engagements ÷ the account's followers × 100, over the own posts of the period: "
                "the rate for networks that count no impressions (Mastodon, Bluesky, Reddit)."
            ),
            PERCENT,
            HIGHER,
            (T.ENGAGEMENT, T.COMMUNITY),
            "analytics",
        ),
        Metric(
            "site_visits_from_social",
            _("Site visits from social"),
            _(
                "Visits of the brand's site that its web-analytics tool (Matomo, Plausible) "
                "credits to a social network, on the tool's days of the period."
            ),
            COUNT,
            HIGHER,
            (T.TRAFFIC,),
            "analytics",
        ),
        Metric(
            "active_members",
            _("Active members"),
            _(
                "Community members who wrote at least one mention stored in the period, on any "
                "of their identities; the brand's staff left out."
            ),
            COUNT,
            HIGHER,
            (T.COMMUNITY, T.ENGAGEMENT),
            "community",
        ),
        Metric(
            "retention",
            _("Retention"),
            _(
                "Share of the members active in the period of the same length just before (a "
                "mention on any of their identities) who were active again in this one; the "
                "brand's staff left out."
            ),
            PERCENT,
            HIGHER,
            (T.ENGAGEMENT, T.COMMUNITY),
            "community",
        ),
        Metric(
            "ambassadors",
            _("Ambassadors"),
            _(
                "Members classed as ambassadors by their stored scores on the last day of the "
                "period counted (the community's daily class counts); the brand's staff left out."
            ),
            COUNT,
            HIGHER,
            (T.ENGAGEMENT, T.COMMUNITY, T.NOTORIETY),
            "community",
        ),
        Metric(
            "event_attendance",
            _("Event attendance"),
            _(
                "People checked in ÷ confirmed places × 100, over the events of the period that "
                "have started; events still to come are left out."
            ),
            PERCENT,
            HIGHER,
            (T.ENGAGEMENT, T.COMMUNITY),
            "events",
        ),
        Metric(
            "referral_signups",
            _("Referral sign-ups"),
            _(
                "People who signed up on the brand's site with a member's referral code in the "
                "period, as the site reported them; the same person twice counts once, referrals "
                "rejected at review are left out."
            ),
            COUNT,
            HIGHER,
            (T.COMMUNITY, T.TRAFFIC),
            "referrals",
        ),
    )
}


def choices() -> list[tuple[str, str | Promise]]:
    return [(code, metric.label) for code, metric in CATALOGUE.items()]
