"""The ``metrics`` capability: what a network says of an account and of its recent posts.

A metrics reader is a :class:`~ambassade.connectors.base.Connector` that implements
:class:`MetricsReader`. ``read_account(credentials, handle, since=…)`` answers one
:class:`AccountReport`: the account's counters now (followers, following, posts) and the results of
its posts published since ``since`` (likes, reposts, replies, views, reach… whatever the network
gives, under the names of :data:`POST_METRICS`), with ``hidden``: the names the network does not
give for this account, so a page can say "not given by Bluesky" instead of showing a 0.

``handle`` empty means the account of the credentials (the brand's own, with the private numbers a
network gives only to its owner: Facebook's and Instagram's reach and views); a handle names a
public account (a competitor's), read with the credentials when the network needs some (Reddit's
application token, YouTube's API key) and without any where it does not (Mastodon, Bluesky).
:data:`PUBLIC` says which networks read other people's accounts at all.

Readers page through at most ``max_posts`` posts, newest first, and stop at the first one older
than ``since``; rate limits surface as the seam's temporary :class:`ConnectorError` with
``retry_after``, which the polling app turns into the account's next poll time.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ambassade.connectors.base import MAX_METRIC, Connector, Credentials

__all__ = [
    "ACCOUNT_COUNTERS",
    "METRICS_READERS",
    "POST_METRICS",
    "PUBLIC",
    "AccountReport",
    "AccountStats",
    "MetricsReader",
    "PostStats",
    "UnknownMetricsReader",
    "clean_counts",
    "get_metrics_reader",
    "mapping",
]

#: Per-post results a reader may give, by the product's names. Interactions first (what the
#: engagement rate adds up), then exposure (views, impressions, reach), then link clicks.
POST_METRICS = (
    "likes",
    "reposts",
    "replies",
    "quotes",
    "reactions",
    "shares",
    "comments",
    "saves",
    "score",
    "views",
    "impressions",
    "reach",
    "clicks",
)
#: An account's counters.
ACCOUNT_COUNTERS = ("followers", "following", "posts")

METRICS_READERS: dict[str, str] = {
    "mastodon": "ambassade.connectors.mastodon.metrics:MastodonMetrics",
    "bluesky": "ambassade.connectors.bluesky.metrics:BlueskyMetrics",
    "youtube": "ambassade.connectors.youtube.metrics:YoutubeMetrics",
    "reddit": "ambassade.connectors.reddit.metrics:RedditMetrics",
    "facebook": "ambassade.connectors.facebook.metrics:FacebookMetrics",
    "instagram": "ambassade.connectors.instagram.metrics:InstagramMetrics",
    "threads": "ambassade.connectors.threads.metrics:ThreadsMetrics",
    "linkedin": "ambassade.connectors.linkedin.metrics:LinkedInMetrics",
    "x": "ambassade.connectors.x.metrics:XMetrics",
    "tiktok": "ambassade.connectors.tiktok.metrics:TikTokMetrics",
}
#: Networks whose API shows other people's accounts and posts (competitors).
PUBLIC = frozenset({"mastodon", "bluesky", "youtube", "reddit"})


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one (untrusted answers)."""
    return value if isinstance(value, Mapping) else {}


def clean_counts(values: Mapping[str, Any]) -> dict[str, int]:
    """Whole numbers between 0 and :data:`MAX_METRIC` only; anything else (a hidden count, a
    string, a negative vote score) is left out rather than stored wrong."""
    found: dict[str, int] = {}
    for name, value in values.items():
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= number <= MAX_METRIC:
            found[name] = number
    return found


@dataclass(frozen=True, slots=True)
class AccountStats:
    """An account now. ``id`` is the network's stable id; ``handle`` how people write it. A
    counter the network hides (a YouTube channel's hidden subscribers) is None."""

    handle: str
    id: str = ""
    name: str = ""
    url: str = ""
    followers: int | None = None
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True, slots=True)
class PostStats:
    """One of the account's posts and its results so far (:data:`POST_METRICS` names)."""

    external_id: str
    published_at: datetime
    url: str = ""
    text: str = ""
    metrics: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountReport:
    account: AccountStats
    posts: Sequence[PostStats] = ()
    #: Metric names the network does not give for this account (its API hides them, or only its
    #: owner may read them).
    hidden: frozenset[str] = frozenset()
    #: Refreshed credentials to write back to the vault, or None.
    credentials: Mapping[str, Any] | None = field(default=None, repr=False)


@runtime_checkable
class MetricsReader(Protocol):
    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport: ...


class UnknownMetricsReader(LookupError):
    pass


def get_metrics_reader(network: str) -> type[Connector]:
    try:
        path = METRICS_READERS[network]
    except KeyError:
        raise UnknownMetricsReader(f"no metrics reader for {network!r}") from None
    module_name, _, attr = path.partition(":")
    cls: Any = getattr(importlib.import_module(module_name), attr)
    return cls  # type: ignore[no-any-return]
