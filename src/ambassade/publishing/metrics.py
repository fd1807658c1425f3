"""Metrics of published posts: read back from their network, worded, and ranked by hour.

A day after a variant is published (and up to a week), :func:`read_back_metrics` reads it back into
``Variant.metrics``, once per variant; :func:`best_times` ranks the hours of the week by the
interactions the workspace's posts received.

The names of the counters a network gives back for a published post, in words:

Publishers return ``Published``/``RawItem.metrics`` as a mapping of a few known names to numbers
(``likes``, ``reposts``, ``replies``, ``quotes``, ``reactions``, ``shares``, ``comments``, ``views``,
``score``, ``upvote_percent``). This module is the one place that says each of them in the
person's language, and which of them count as *engagement* (interactions a person chose to make,
which :func:`best_times` adds up: a view or a percentage is not one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.publishers import UnknownPublisher
from ambassade.publishing import accounts
from ambassade.publishing.models import ShortLink, Status, Variant
from ambassade.workspaces.models import Workspace

__all__ = [
    "BEST_TIME_MIN_POSTS",
    "ENGAGEMENT",
    "METRICS_AFTER",
    "METRICS_UNTIL",
    "best_times",
    "engagement",
    "metric_phrase",
    "read_back_metrics",
    "variants_for_metrics",
]

log = logging.getLogger(__name__)

# Interactions, added up for the best time to post. Views are exposure, a score is a net vote
# count that can be negative, and a percentage is not a count.
ENGAGEMENT = frozenset({"likes", "reposts", "replies", "quotes", "reactions", "shares", "comments"})


_PHRASES: dict[str, Callable[[int], str]] = {
    "likes": lambda n: ngettext("%(count)s like", "%(count)s likes", n) % {"count": n},
    "reposts": lambda n: ngettext("%(count)s repost", "%(count)s reposts", n) % {"count": n},
    "replies": lambda n: ngettext("%(count)s reply", "%(count)s replies", n) % {"count": n},
    "quotes": lambda n: ngettext("%(count)s quote", "%(count)s quotes", n) % {"count": n},
    "reactions": lambda n: ngettext("%(count)s reaction", "%(count)s reactions", n) % {"count": n},
    "shares": lambda n: ngettext("%(count)s share", "%(count)s shares", n) % {"count": n},
    "comments": lambda n: ngettext("%(count)s comment", "%(count)s comments", n) % {"count": n},
    "views": lambda n: ngettext("%(count)s view", "%(count)s views", n) % {"count": n},
    "score": lambda n: gettext("score %(count)s") % {"count": n},
    "upvote_percent": lambda n: gettext("%(count)s %% upvoted") % {"count": n},
}


def metric_phrase(name: str, value: object) -> str:
    """``"12 likes"``, ``"score 40"``…; an unknown name is shown as ``name value``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} {value}"
    phrase = _PHRASES.get(name)
    if phrase is None:
        return f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
    return phrase(int(value))


def engagement(metrics: Mapping[str, object] | None) -> float:
    """The interactions a post received: the sum of its ``ENGAGEMENT`` counters."""
    total = 0.0
    for name, value in (metrics or {}).items():
        if name in ENGAGEMENT and isinstance(value, int | float) and not isinstance(value, bool):
            total += value
    return total


# --- reading back ---------------------------------------------------------------------------------

#: Metrics are read once the post has had a day to gather them, and no later than a week.
METRICS_AFTER = timedelta(hours=24)
METRICS_UNTIL = timedelta(days=7)
#: "Best time to post" needs this many measured posts before it says anything.
BEST_TIME_MIN_POSTS = 10


def variants_for_metrics(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        Variant.objects.filter(
            status=Status.PUBLISHED,
            metrics_read_at__isnull=True,
            published_at__lte=now - METRICS_AFTER,
            published_at__gte=now - METRICS_UNTIL,
        )
        .exclude(remote_id="")
        .values_list("id", flat=True)[:limit]
    )


def read_back_metrics(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: accounts.PublisherFactory | None = None,
) -> bool:
    """Read a published post back from its network and keep its metrics (likes, reposts,
    replies). Once per variant: the conditional UPDATE on ``metrics_read_at`` claims it, and a
    temporary error (5xx, timeout) gives the claim back so that a later run reads it again."""
    now = now or timezone.now()
    if not Variant.objects.filter(
        id=variant_id, status=Status.PUBLISHED, metrics_read_at__isnull=True
    ).update(metrics_read_at=now):
        return False
    variant = Variant.objects.select_related("connection").get(id=variant_id)
    try:
        publisher = (publisher_factory or accounts.default_publisher)(variant.connection)
    except UnknownPublisher:
        return False
    try:
        item = publisher.read_back(accounts.credentials(variant.connection), variant.remote_id)
    except ConnectorError as error:
        log.info("metrics of variant %s not read: %s", variant_id, error.message)
        if not error.permanent:
            Variant.objects.filter(id=variant_id, metrics_read_at=now).update(metrics_read_at=None)
        return False
    finally:
        accounts.save_refreshed(variant.connection, publisher)
        if publisher_factory is None:
            accounts.close(publisher)
    if item is None or not item.metrics:
        return False
    Variant.objects.filter(id=variant_id).update(metrics=dict(item.metrics))
    return True


def best_times(workspace: Workspace, limit: int = 3) -> list[tuple[int, int, float]]:
    """The hours of the week (weekday, hour, mean engagement) when the workspace's own posts did
    best: interactions read back (:func:`engagement`: likes, reposts, replies…, not views or an
    upvote percentage), plus short-link clicks, per post. Empty until
    ``BEST_TIME_MIN_POSTS`` posts have been measured: too few posts would only show noise."""
    zone = ZoneInfo(workspace.time_zone)
    rows = list(
        Variant.objects.filter(
            workspace=workspace, status=Status.PUBLISHED, metrics_read_at__isnull=False
        )
        .exclude(published_at=None)
        .values("post_id", "published_at", "metrics")
    )
    clicks: dict[int, int] = {}
    for post_id, count in ShortLink.objects.filter(workspace=workspace).values_list(
        "post_id", "clicks"
    ):
        clicks[post_id] = clicks.get(post_id, 0) + count
    per_post: dict[int, tuple[datetime, float]] = {}
    for row in rows:
        score = engagement(row["metrics"])
        at, total = per_post.get(row["post_id"], (row["published_at"], 0.0))
        per_post[row["post_id"]] = (min(at, row["published_at"]), total + score)
    if len(per_post) < BEST_TIME_MIN_POSTS:
        return []
    buckets: dict[tuple[int, int], list[float]] = {}
    for post_id, (at, score) in per_post.items():
        local = at.astimezone(zone)
        buckets.setdefault((local.weekday(), local.hour), []).append(score + clicks.get(post_id, 0))
    ranked = sorted(
        ((day, hour, sum(values) / len(values)) for (day, hour), values in buckets.items()),
        key=lambda item: (-item[2], item[0], item[1]),
    )
    return ranked[:limit]
