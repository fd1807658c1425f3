"""What the snapshot tables say: followers over time and their growth, the engagement rate of the
brand's own posts, the best time to post, and competitors side by side.

Definitions (shown beside each number, and in docs/analytics.md):

- **Follower growth** of an account over a period: its last follower count read in the period
  minus its last one read before the period (or, for an account first read during the period,
  its first one in it). The brand's growth is the sum over its own accounts.
- **Engagement rate (Buffer's definition)**: engagements ÷ impressions × 100 over the posts
  published in the period, where engagements are the interactions (likes, reposts, replies,
  quotes, reactions, shares, comments, saves, clicks: ``collect.ENGAGEMENTS``) and impressions the
  times the posts were shown (impressions, or views where the network calls them so: YouTube,
  Instagram). Posts on networks that count no impressions (Mastodon, Bluesky, Reddit) are left out.
- **Engagement rate per follower**: engagements ÷ the account's followers when the post was first
  read × 100, over the same posts (each post counted with its own account's followers): the rate
  for networks that count no impressions.
- **Best time to post**: the hours of the week (in the workspace's time zone) whose own posts
  received the most engagements on average, from at least :data:`BEST_TIME_MIN_POSTS` posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum

from ambassade.analytics.audience_models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.analytics.localtime import LocalWeekHour
from ambassade.engine import measures
from ambassade.engine.measures import Period

__all__ = [
    "BEST_TIME_MIN_POSTS",
    "RATE_TERMS",
    "AccountLine",
    "Rates",
    "best_times",
    "compare",
    "engagement_rate",
    "engagement_rate_per_follower",
    "engagement_rates",
    "follower_growth",
    "follower_series",
    "growths_of",
    "own_accounts",
    "post_sums",
    "posts_in",
    "previous_period",
    "totals",
]

BEST_TIME_MIN_POSTS = 10


def previous_period(period: Period) -> Period:
    """The period of the same length just before (period-over-period comparison)."""
    days = period.days
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=days - 1), end, period.zone)


def _accounts(workspace: Any, role: str, network: str = "") -> Any:
    rows = TrackedAccount.objects.filter(workspace=workspace, role=role)
    if network:
        rows = rows.filter(network=network)
    return rows


def own_accounts(workspace_ids: Iterable[int], network: str = "") -> dict[int, list[int]]:
    """The own accounts of each workspace (its id: the accounts' ids, every workspace present),
    in one read."""
    found: dict[int, list[int]] = {pk: [] for pk in workspace_ids}
    rows = TrackedAccount.objects.filter(workspace_id__in=list(found), role=TrackedAccount.Role.OWN)
    if network:
        rows = rows.filter(network=network)
    for workspace_id, account_id in rows.order_by("pk").values_list("workspace_id", "id"):
        found[workspace_id].append(account_id)
    return found


def _growths(account_ids: Iterable[int], period: Period) -> dict[int, tuple[int, int] | None]:
    """Per account: (count at the start, count at the end) of the period, or None when the
    account was not read during the period. Three small reads whatever the number of accounts:
    the first and last reading in the period and the last one before it, per account
    (aggregates on the (account, day) index), then their counts."""
    first, after = period.bounds()
    ids = list(account_ids)
    readings = AccountSnapshot.objects.filter(account_id__in=ids, followers__isnull=False)
    inside = {
        row["account_id"]: (row["low"], row["high"])
        for row in readings.filter(taken_at__gte=first, taken_at__lt=after)
        .order_by()
        .values("account_id")
        .annotate(low=Min("taken_at"), high=Max("taken_at"))
    }
    before = {
        row["account_id"]: row["last"]
        for row in readings.filter(account_id__in=list(inside), taken_at__lt=first)
        .order_by()
        .values("account_id")
        .annotate(last=Max("taken_at"))
    }
    wanted = Q(pk__in=[])
    for account_id, (low, high) in inside.items():
        moments = {low, high}
        if account_id in before:
            moments.add(before[account_id])
        wanted |= Q(account_id=account_id, taken_at__in=list(moments))
    counts: dict[tuple[int, Any], int] = {}
    if inside:
        for account_id, taken_at, followers in readings.filter(wanted).values_list(
            "account_id", "taken_at", "followers"
        ):
            counts[(account_id, taken_at)] = followers
    found: dict[int, tuple[int, int] | None] = {}
    for account_id in ids:
        if account_id not in inside:
            found[account_id] = None
            continue
        low, high = inside[account_id]
        start_at = before.get(account_id, low)
        found[account_id] = (counts[(account_id, start_at)], counts[(account_id, high)])
    return found


def growths_of(accounts: dict[int, list[int]], period: Period) -> dict[int, float | None]:
    """The follower growth of each workspace of ``accounts`` (:func:`own_accounts`) over one
    period, read for all of them together (:func:`_growths`)."""
    pairs = _growths([pk for ids in accounts.values() for pk in ids], period)
    found: dict[int, float | None] = {}
    for workspace_id, ids in accounts.items():
        known = [pair for pair in (pairs[pk] for pk in ids) if pair is not None]
        found[workspace_id] = float(sum(end - start for start, end in known)) if known else None
    return found


def follower_growth(workspace: Any, period: Period, network: str = "") -> float | None:
    return growths_of(own_accounts([workspace.pk], network), period)[workspace.pk]


def _own_posts(workspace: Any, period: Period, network: str = "", only: Any = None) -> Any:
    """The own posts' results of the period; ``only``: the network ids to keep (the posts of a
    campaign, docs/analytics.md)."""
    return _own_posts_of([workspace.pk], period, network, only)


def _own_posts_of(
    workspace_ids: list[int], period: Period, network: str = "", only: Any = None
) -> Any:
    first, after = period.bounds()
    rows = PostResult.objects.filter(
        workspace_id__in=workspace_ids,
        published_at__gte=first,
        published_at__lt=after,
        account__role=TrackedAccount.Role.OWN,
    )
    if network:
        rows = rows.filter(account__network=network)
    if only is not None:
        rows = rows.filter(external_id__in=only)
    return rows


def posts_in(workspace: Any, period: Period, network: str = "") -> int:
    return int(_own_posts(workspace, period, network).count())


#: The terms of the two engagement rates, summed over posts' results: Buffer's (the posts with
#: impressions) and per follower (the posts with their account's followers known).
_SHOWN, _COUNTED = Q(impressions__isnull=False), Q(followers__gt=0)
RATE_TERMS = {
    "shown": Sum("impressions", filter=_SHOWN),
    "shown_engagements": Sum("engagements", filter=_SHOWN),
    "n_followers": Sum("followers", filter=_COUNTED),
    "follower_engagements": Sum("engagements", filter=_COUNTED),
}


@dataclass(frozen=True)
class Rates:
    """A workspace's two engagement rates over a period (None: nothing to divide by)."""

    rate: float | None
    per_follower: float | None


def _rates(row: dict[str, Any]) -> Rates:
    def term(name: str) -> int:
        return int(row.get(name) or 0)

    return Rates(
        measures.rate(term("shown_engagements"), term("shown")),
        measures.rate(term("follower_engagements"), term("n_followers")),
    )


def engagement_rates(
    workspace_ids: Iterable[int], period: Period, network: str = "", only: Any = None
) -> dict[int, Rates]:
    """Both engagement rates of each workspace over one period, in one grouped read."""
    pks = list(workspace_ids)
    sums = {
        row["workspace_id"]: row
        for row in _own_posts_of(pks, period, network, only)
        .order_by()
        .values("workspace_id")
        .annotate(**RATE_TERMS)
    }
    return {pk: _rates(sums.get(pk, {})) for pk in pks}


def engagement_rate(
    workspace: Any, period: Period, network: str = "", only: Any = None
) -> float | None:
    return engagement_rates([workspace.pk], period, network, only)[workspace.pk].rate


def engagement_rate_per_follower(
    workspace: Any, period: Period, network: str = "", only: Any = None
) -> float | None:
    return engagement_rates([workspace.pk], period, network, only)[workspace.pk].per_follower


@dataclass
class AccountLine:
    """An account over a period, beside the previous period."""

    account: TrackedAccount
    followers: int | None
    growth: int | None
    growth_before: int | None
    posts: int
    posts_per_week: float
    engagements: int
    per_post: float | None
    rate: float | None
    rate_per_follower: float | None
    hidden: list[str] = field(default_factory=list)
    #: The period's sums behind the rates (``post_sums``).
    sums: dict[str, Any] = field(default_factory=dict)


def post_sums(ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Per account: its posts of the period, their engagements, and the two rates' terms (those
    of :func:`engagement_rates`), in one grouped read."""
    first, after = period.bounds()
    return {
        row["account_id"]: row
        for row in PostResult.objects.filter(
            account_id__in=ids, published_at__gte=first, published_at__lt=after
        )
        .order_by()
        .values("account_id")
        .annotate(n_posts=Count("id"), n_engagements=Sum("engagements"), **RATE_TERMS)
    }


def compare(
    workspace: Any, role: str | None, period: Period, network: str = ""
) -> list[AccountLine]:
    """Each account of a role (own or competitors; both with None) over the period: followers
    now, growth (and the previous period's), posts and their frequency, engagements per post
    and the rates."""
    rows = TrackedAccount.objects.filter(workspace=workspace)
    if role is not None:
        rows = rows.filter(role=role)
    if network:
        rows = rows.filter(network=network)
    accounts = list(rows.select_related("connection"))
    ids = [account.id for account in accounts]
    now_growth = _growths(ids, period)
    before_growth = _growths(ids, previous_period(period))
    sums = post_sums(ids, period)
    weeks = period.days / 7.0
    lines = []
    for account in accounts:
        row = sums.get(account.id, {})
        posts = int(row.get("n_posts") or 0)
        engagements = int(row.get("n_engagements") or 0)
        pair = now_growth.get(account.id)
        previous = before_growth.get(account.id)
        lines.append(
            AccountLine(
                account=account,
                followers=account.followers,
                growth=None if pair is None else pair[1] - pair[0],
                growth_before=None if previous is None else previous[1] - previous[0],
                posts=posts,
                posts_per_week=posts / weeks,
                engagements=engagements,
                per_post=engagements / posts if posts else None,
                rate=measures.rate(
                    int(row.get("shown_engagements") or 0), int(row.get("shown") or 0)
                ),
                rate_per_follower=measures.rate(
                    int(row.get("follower_engagements") or 0), int(row.get("n_followers") or 0)
                ),
                hidden=list(account.hidden or []),
                sums=row,
            )
        )
    return lines


@dataclass(frozen=True)
class Totals:
    """The brand's own accounts together over a period and the one before (the audience page's
    figures): the same numbers as :func:`follower_growth`, :func:`engagement_rate`,
    :func:`engagement_rate_per_follower` and :func:`posts_in`, summed from the accounts' lines
    and one grouped read of the period before instead of eleven reads."""

    growth: float | None
    growth_before: float | None
    rate: float | None
    rate_before: float | None
    rate_per_follower: float | None
    rate_per_follower_before: float | None
    posts: int
    posts_before: int


def totals(lines: list[AccountLine], previous: Period) -> Totals:
    def summed(rows: Iterable[dict[str, Any]], name: str) -> int:
        return sum(int(row.get(name) or 0) for row in rows)

    def growth(values: list[int | None]) -> float | None:
        known = [value for value in values if value is not None]
        return float(sum(known)) if known else None

    now = [line.sums for line in lines]
    before = list(post_sums([line.account.id for line in lines], previous).values())
    return Totals(
        growth=growth([line.growth for line in lines]),
        growth_before=growth([line.growth_before for line in lines]),
        rate=measures.rate(summed(now, "shown_engagements"), summed(now, "shown")),
        rate_before=measures.rate(summed(before, "shown_engagements"), summed(before, "shown")),
        rate_per_follower=measures.rate(
            summed(now, "follower_engagements"), summed(now, "n_followers")
        ),
        rate_per_follower_before=measures.rate(
            summed(before, "follower_engagements"), summed(before, "n_followers")
        ),
        posts=summed(now, "n_posts"),
        posts_before=summed(before, "n_posts"),
    )


def follower_series(
    workspace: Any, role: str, start: date, end: date, network: str = ""
) -> list[tuple[date, str, int]]:
    """``(day, account, followers)`` for each day an account was read, within [start, end]."""
    accounts = {
        account.id: account.display
        for account in _accounts(workspace, role, network).select_related("connection")
    }
    rows = (
        AccountSnapshot.objects.filter(
            account_id__in=list(accounts), day__gte=start, day__lte=end, followers__isnull=False
        )
        .order_by("day", "account_id")
        .values_list("day", "account_id", "followers")
    )
    return [(day, accounts[account_id], followers) for day, account_id, followers in rows]


@dataclass(frozen=True)
class Slot:
    weekday: int
    hour: int
    mean: float
    posts: int


def best_times(workspace: Any, period: Period, network: str = "") -> tuple[list[Slot], int]:
    """Every hour of the week with own posts in the period, by mean engagements per post (best
    first), and the number of posts measured. Empty below :data:`BEST_TIME_MIN_POSTS` posts: a
    few posts would only show noise."""
    first, after = period.bounds()
    # Grouped by the database on the local hour of the week: one row per hour, not per post,
    # without a Python call per row on SQLite (``localtime``).
    rows = list(
        _own_posts(workspace, period, network)
        .annotate(week_hour=LocalWeekHour("published_at", workspace.time_zone, first, after))
        .order_by()
        .values_list("week_hour")
        .annotate(posts=Count("id"), total=Sum("engagements"))
    )
    measured = sum(int(posts) for _hour, posts, _total in rows)
    if measured < BEST_TIME_MIN_POSTS:
        return [], measured
    slots = [
        Slot(int(hour) // 24, int(hour) % 24, float(total or 0) / int(posts), int(posts))
        for hour, posts, total in rows
    ]
    slots.sort(key=lambda slot: (-slot.mean, slot.weekday, slot.hour))
    return slots, measured
