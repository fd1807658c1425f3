"""An API v2 search response (``data`` + ``includes.users``) to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["search_items"]

METRICS = {
    "reply_count": "replies",
    "retweet_count": "reposts",
    "quote_count": "quotes",
    "like_count": "likes",
    "impression_count": "impressions",
    "bookmark_count": "bookmarks",
}


@parser("X")
def search_items(body: Any, *, source: str = "x") -> list[RawItem]:
    if not isinstance(body, Mapping):
        raise ConnectorError(
            "X returned something other than a JSON object.",
            code="connector.bad_answer",
            params={"network": "X"},
        )
    tweets = body.get("data") or []
    includes = body.get("includes") or {}
    if not isinstance(tweets, list) or not isinstance(includes, Mapping):
        raise ConnectorError(
            "X returned a search response without a list of posts.",
            code="connector.bad_answer",
            params={"network": "X"},
        )
    users = {
        str(user.get("id")): user
        for user in includes.get("users") or []
        if isinstance(user, Mapping)
    }
    items = []
    for tweet in tweets:
        if not isinstance(tweet, Mapping) or not tweet.get("id"):
            raise ConnectorError(
                "X returned a post without an id.",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        tweet_id = str(tweet["id"])
        created_at = parse_datetime(tweet.get("created_at"))
        if created_at is None:
            raise ConnectorError(
                f"X post {tweet_id} has no created_at (tweet.fields missing?).",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        user = users.get(str(tweet.get("author_id")), {})
        username = str(user.get("username") or "")
        followers = as_int((user.get("public_metrics") or {}).get("followers_count"))
        parent = next(
            (
                str(ref.get("id"))
                for ref in tweet.get("referenced_tweets") or []
                if isinstance(ref, Mapping) and ref.get("type") == "replied_to"
            ),
            None,
        )
        quoted = next(
            (
                str(ref.get("id"))
                for ref in tweet.get("referenced_tweets") or []
                if isinstance(ref, Mapping)
                and ref.get("type") in {"quoted", "retweeted"}
                and ref.get("id")
            ),
            None,
        )
        metrics = {
            name: value
            for key, name in METRICS.items()
            if (value := as_int((tweet.get("public_metrics") or {}).get(key))) is not None
        }
        items.append(
            RawItem(
                source=source,
                external_id=tweet_id,
                url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
                text=str((tweet.get("note_tweet") or {}).get("text") or tweet.get("text") or ""),
                author=Author(
                    handle=username,
                    name=str(user.get("name") or ""),
                    id=str(tweet.get("author_id") or ""),
                    url=f"https://x.com/{username}" if username else "",
                    followers=followers,
                ),
                created_at=created_at,
                lang=str(tweet["lang"]) if tweet.get("lang") not in (None, "und", "zxx") else None,
                parent_id=parent,
                thread_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
                quoted_id=quoted,
                kind=ItemKind.REPLY if parent else ItemKind.POST,
                metrics=metrics,
                raw={"tweet": dict(tweet), "author": dict(user)},
            )
        )
    return items
