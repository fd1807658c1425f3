"""An X account's numbers, with the publishing connection's OAuth 2.0 user token (``tweet.read
users.read``, asked for when the connection is made):

- ``GET /2/users/me?user.fields=public_metrics`` gives the followers, following and posts counts;
- ``GET /2/users/:id/tweets`` (``exclude=retweets,replies``, 100 a page, ``start_time``,
  ``pagination_token``) with ``tweet.fields=created_at,public_metrics,non_public_metrics,
  organic_metrics`` gives each post's likes, reposts, replies, quotes, bookmarks (``saves``) and
  impressions (``public_metrics``), and, for the owner's posts of the last 30 days, link clicks
  (``non_public_metrics.url_link_clicks``, else the organic one).

X gives non-public and organic metrics only to the post's author, for posts of the last 30 days;
asked for older posts it answers pages without posts. The listing therefore starts 30 days back at
most (less an hour of margin): older posts keep the results they were last read with.

What X hides: reach (only impressions, counted each time a post is shown), shares, other accounts
(``metrics.own_only``: Ambassade reads the connection's account; X sells reading others' posts).
``user_profile_clicks`` is given but has no product name: not kept. Access: reading posts is not in
X's free access level; a plan without it answers 403 ``client-not-enrolled``, worded as
``x.metrics_not_in_plan`` (permanent: the poll is tried again a day later). Limits: each endpoint's
15-minute window, 429 with ``x-rate-limit-reset`` (epoch seconds), waited for by the poll.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import Capability, ConnectorError, Credentials
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)
from ambassade.connectors.x.publish import XPublisher

__all__ = ["XMetrics"]

PAGE_SIZE = 100
#: Non-public metrics exist for the last 30 days only; an hour's margin for clocks and latency.
PRIVATE_WINDOW = timedelta(days=30) - timedelta(hours=1)
TWEET_FIELDS = "created_at,public_metrics,non_public_metrics,organic_metrics"
HIDDEN = frozenset({"reach", "shares"})


def _bad_answer(what: str) -> ConnectorError:
    return ConnectorError(
        f"X answered {what} Ambassade cannot read.",
        code="connector.bad_answer",
        params={"network": "X"},
    )


def tweet_metrics(tweet: Mapping[str, Any]) -> dict[str, int]:
    """The product's names from a post's three metrics objects (absent ones give nothing)."""
    public = mapping(tweet.get("public_metrics"))
    private = mapping(tweet.get("non_public_metrics"))
    organic = mapping(tweet.get("organic_metrics"))
    clicks = private.get("url_link_clicks")
    impressions = private.get("impression_count")
    return clean_counts(
        {
            "likes": public.get("like_count"),
            "reposts": public.get("retweet_count"),
            "replies": public.get("reply_count"),
            "quotes": public.get("quote_count"),
            "saves": public.get("bookmark_count"),
            "impressions": public.get("impression_count") if impressions is None else impressions,
            "clicks": organic.get("url_link_clicks") if clicks is None else clicks,
        }
    )


class XMetrics(XPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def __init__(
        self, *args: Any, now: Callable[[], datetime] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or (lambda: datetime.now(UTC))

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        own = {str(creds.get(key) or "").lstrip("@").lower() for key in ("username", "user_id")}
        own.add(str(creds.get("account_name") or "").lstrip("@").lower())
        if handle and handle.lstrip("@").lower() not in own - {""}:
            raise ConnectorError(
                "Ambassade reads only the X account of the connection.",
                permanent=True,
                code="metrics.own_only",
                params={"network": "X"},
            )
        body = self._read(creds, "/2/users/me", {"user.fields": "public_metrics,name,username"})
        user = mapping(mapping(body).get("data"))
        if not user.get("id"):
            raise _bad_answer("an account without an id")
        counts = clean_counts(mapping(user.get("public_metrics")))
        username = str(user.get("username") or user["id"])
        stats = AccountStats(
            handle=f"@{username}",
            id=str(user["id"]),
            name=str(user.get("name") or ""),
            url=f"https://x.com/{username}",
            followers=counts.get("followers_count"),
            following=counts.get("following_count"),
            posts=counts.get("tweet_count"),
        )
        start = max(since, self.now() - PRIVATE_WINDOW)
        params: dict[str, Any] = {
            "max_results": PAGE_SIZE,
            "exclude": "retweets,replies",
            "tweet.fields": TWEET_FIELDS,
            "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        posts: list[PostStats] = []
        for _page in range(max_posts // PAGE_SIZE + 2):
            page = mapping(self._read(creds, f"/2/users/{user['id']}/tweets", params))
            tweets = page.get("data", [])
            if not isinstance(tweets, list):
                raise _bad_answer("a list of posts")
            for tweet in tweets:
                if not isinstance(tweet, Mapping) or not tweet.get("id"):
                    continue
                published = parse_datetime(tweet.get("created_at"))
                if published is None or published < since or len(posts) >= max_posts:
                    continue
                posts.append(
                    PostStats(
                        external_id=str(tweet["id"]),
                        published_at=published,
                        url=f"https://x.com/{username}/status/{tweet['id']}",
                        text=str(tweet.get("text") or "")[:500],
                        metrics=tweet_metrics(tweet),
                    )
                )
            token = mapping(page.get("meta")).get("next_token")
            if not token or not tweets or len(posts) >= max_posts:
                break
            params = {**params, "pagination_token": str(token)}
        return AccountReport(stats, posts, hidden=HIDDEN, credentials=self.refreshed)

    def _read(self, creds: Mapping[str, Any], path: str, params: Mapping[str, Any]) -> Any:
        try:
            return self._get(creds, path, params)
        except ConnectorError as error:
            if error.code != "x.access_level":
                raise
            detail = str(error.params.get("detail") or "")
            raise ConnectorError(
                "The access level of this X app does not include reading the account's posts and "
                f"their numbers: {detail}",
                permanent=True,
                code="x.metrics_not_in_plan",
                params={"detail": detail},
            ) from error
