"""Bluesky's numbers of an account, from the public AppView (no session needed, own or not):

- ``GET /xrpc/app.bsky.actor.getProfile?actor=`` gives ``followersCount``, ``followsCount`` and
  ``postsCount``;
- ``GET /xrpc/app.bsky.feed.getAuthorFeed?actor=&filter=posts_no_replies&limit=100`` the account's
  posts newest first (``cursor`` for older ones), each a ``postView`` with ``likeCount``,
  ``repostCount``, ``replyCount``, ``quoteCount`` and, where the AppView gives it,
  ``bookmarkCount`` (saves). Reposts of other people's posts (a ``reason``) are left out.

The brand's own account is the connection's handle (``identifier`` or its account name). Bluesky
counts no views, impressions, reach or link clicks for anyone: ``hidden``. The AppView allows about
3,000 requests per 5 minutes per address; the seam turns a 429 into ``retry_after``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import Capability, Connector, ConnectorError, Credentials
from ambassade.connectors.bluesky.client import _error_map
from ambassade.connectors.http import Response
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)

__all__ = ["BlueskyMetrics"]

PAGE = 100
MAX_PAGES = 3
HIDDEN = frozenset({"impressions", "reach", "views", "clicks", "shares"})


def _profile_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code in (400, 404) and "profile" in message.lower():
        return ConnectorError(
            f"Bluesky has no account by this name: {message}",
            permanent=True,
            code="metrics.no_account",
            params={"network": "Bluesky", "detail": message},
        )
    return _error_map(response, message)


def own_handle(credentials: Credentials) -> str:
    creds = credentials or {}
    for key in ("identifier", "handle", "account_name"):
        value = str(creds.get(key) or "").strip().lstrip("@")
        if value:
            return value
    raise ConnectorError(
        "The Bluesky connection names no account.",
        permanent=True,
        code="metrics.no_own_account",
        params={"network": "Bluesky"},
    )


class BlueskyMetrics(Connector):
    kind: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})
    default_endpoints: ClassVar[Mapping[str, str]] = {"public": "https://public.api.bsky.app"}

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        actor = handle.strip().lstrip("@") if handle else own_handle(credentials)
        if actor.startswith("https://bsky.app/profile/"):
            actor = actor.removeprefix("https://bsky.app/profile/").split("/", 1)[0]
        base = self.endpoints["public"].rstrip("/")
        profile = self.http.get(
            f"{base}/xrpc/app.bsky.actor.getProfile",
            params={"actor": actor},
            error_map=_profile_error_map,
        ).json()
        if not isinstance(profile, Mapping) or not profile.get("did"):
            raise ConnectorError(
                "Bluesky answered a profile without a did.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        did = str(profile["did"])
        shown = str(profile.get("handle") or actor)
        stats = AccountStats(
            handle=shown,
            id=did,
            name=str(profile.get("displayName") or ""),
            url=f"https://bsky.app/profile/{shown}",
            followers=as_int(profile.get("followersCount")),
            following=as_int(profile.get("followsCount")),
            posts=as_int(profile.get("postsCount")),
        )
        posts: list[PostStats] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            body = self.http.get(
                f"{base}/xrpc/app.bsky.feed.getAuthorFeed",
                params={
                    "actor": did,
                    "filter": "posts_no_replies",
                    "limit": PAGE,
                    "cursor": cursor,
                },
                error_map=_error_map,
            ).json()
            feed = body.get("feed") if isinstance(body, Mapping) else None
            if not isinstance(feed, list) or not feed:
                break
            older = False
            for entry in feed:
                post = self._post(entry, did, shown)
                if post is None:
                    continue
                if post.published_at < since:
                    older = True
                    continue
                posts.append(post)
            cursor = str(body.get("cursor") or "") or None
            if older or cursor is None or len(posts) >= max_posts:
                break
        return AccountReport(stats, posts[:max_posts], hidden=HIDDEN)

    @staticmethod
    def _post(entry: Any, did: str, handle: str) -> PostStats | None:
        if not isinstance(entry, Mapping) or entry.get("reason"):
            return None
        post = entry.get("post")
        if not isinstance(post, Mapping) or not post.get("uri"):
            return None
        author = post.get("author")
        if not isinstance(author, Mapping) or author.get("did") != did:
            return None
        record = mapping(post.get("record"))
        published = parse_datetime(record.get("createdAt")) or parse_datetime(post.get("indexedAt"))
        if published is None:
            return None
        uri = str(post["uri"])
        return PostStats(
            external_id=uri,
            published_at=published,
            url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
            text=str(record.get("text") or "")[:500],
            metrics=clean_counts(
                {
                    "likes": post.get("likeCount"),
                    "reposts": post.get("repostCount"),
                    "replies": post.get("replyCount"),
                    "quotes": post.get("quoteCount"),
                    "saves": post.get("bookmarkCount"),
                }
            ),
        )
