"""Reddit's numbers of an account or a community, with OAuth (Reddit refuses anonymous API use):

- a user (``u/name``, or the publishing connection's own ``username``):
  ``GET /user/:name/about`` gives the profile's followers (``subreddit.subscribers``, the user's
  profile community) and karma; ``GET /user/:name/submitted?sort=new&limit=100`` their posts;
- a community (``r/name``): ``GET /r/:name/about`` gives ``subscribers``; ``GET /r/:name/new``
  its latest posts (everyone's: a brand's community, not one author).

Per post: ``score`` (upvotes minus downvotes; Reddit fuzzes it slightly, and a negative score is
not kept) and ``num_comments``. Reddit hides views (``view_count`` is null for everyone but the
author's own app), impressions, reach, shares, saves and clicks. The token is the publishing
connection's (refresh token) or, for a listening connection, an application-only token from its
client id and secret. Limits: 100 requests a minute per client id; the seam reads
``X-Ratelimit-Reset`` (seconds) on a 429.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import AuthExpired, Capability, ConnectorError, Credentials
from ambassade.connectors.http import Response
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)
from ambassade.connectors.reddit.client import RedditConnector
from ambassade.connectors.reddit.publish import RedditPublisher

__all__ = ["RedditMetrics"]

PAGE = 100
MAX_PAGES = 2
HIDDEN = frozenset({"views", "impressions", "reach", "shares", "saves", "clicks", "likes"})


def _error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code in (403, 404):
        return ConnectorError(
            f"Reddit shows no such account or community (private, banned or misspelt?): {message}",
            permanent=True,
            code="metrics.no_account",
            params={"network": "Reddit", "detail": message},
        )
    return None


def split_handle(handle: str) -> tuple[str, str]:
    """``("r", "name")`` or ``("user", "name")`` from ``r/name``, ``u/name``, ``/u/name``, a
    reddit.com address or a bare name (a user)."""
    text = handle.strip()
    for prefix in ("https://www.reddit.com/", "https://reddit.com/", "https://old.reddit.com/"):
        if text.startswith(prefix):
            text = text.removeprefix(prefix)
    parts = [part for part in text.strip("/").split("/") if part]
    if len(parts) >= 2 and parts[0].lower() == "r":
        return "r", parts[1]
    if len(parts) >= 2 and parts[0].lower() in ("u", "user"):
        return "user", parts[1]
    if len(parts) == 1 and parts[0]:
        return "user", parts[0].lstrip("@")
    raise ConnectorError(
        f"A Reddit account is written u/name or r/community, not {handle!r}.",
        permanent=True,
        code="metrics.bad_handle",
        params={"network": "Reddit", "handle": handle, "example": "u/name, r/community"},
    )


class RedditMetrics(RedditPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def _get(self, credentials: Credentials, path: str, params: dict[str, Any]) -> Any:
        creds = dict(credentials or {})
        if creds.get("refresh_token"):
            self._credentials(credentials, subreddit=False)
            return self._call(credentials, "GET", path, params={**params, "raw_json": 1}).json()
        if not creds.get("client_id"):
            raise AuthExpired(
                "Reading Reddit needs a Reddit connection (client id and secret).",
                code="metrics.needs_connection",
                params={"network": "Reddit"},
            )
        if self._creds is None:
            app = RedditConnector(self.http, endpoints={"auth": self._base(creds, "www")})
            self._creds = self.refreshed = app.token(creds)
        headers = {"Authorization": f"Bearer {self._creds['access_token']}"}
        if creds.get("user_agent"):
            headers["User-Agent"] = str(creds["user_agent"])
        return self.http.get(
            f"{self._base(creds, 'oauth')}{path}",
            params={**params, "raw_json": 1},
            headers=headers,
            error_map=_error_map,
        ).json()

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        if handle:
            kind, name = split_handle(handle)
        else:
            name = str((credentials or {}).get("username") or "")
            kind = "user"
            if not name:
                raise ConnectorError(
                    "The Reddit connection names no user.",
                    permanent=True,
                    code="metrics.no_own_account",
                    params={"network": "Reddit"},
                )
        quoted = quote(name, safe="")
        about = self._get(credentials, f"/{'r' if kind == 'r' else 'user'}/{quoted}/about", {})
        data = about.get("data") if isinstance(about, Mapping) else None
        if not isinstance(data, Mapping):
            raise ConnectorError(
                "Reddit answered an account without data.",
                code="connector.bad_answer",
                params={"network": "Reddit"},
            )
        if kind == "r":
            stats = AccountStats(
                handle=f"r/{data.get('display_name') or name}",
                id=str(data.get("name") or ""),
                name=str(data.get("title") or ""),
                url=f"https://www.reddit.com/r/{data.get('display_name') or name}/",
                followers=as_int(data.get("subscribers")),
            )
            listing = f"/r/{quoted}/new"
        else:
            profile = mapping(data.get("subreddit"))
            stats = AccountStats(
                handle=f"u/{data.get('name') or name}",
                id=f"t2_{data['id']}" if data.get("id") else "",
                name=str(profile.get("title") or data.get("name") or ""),
                url=f"https://www.reddit.com/user/{data.get('name') or name}/",
                followers=as_int(profile.get("subscribers")),
            )
            listing = f"/user/{quoted}/submitted"
        posts: list[PostStats] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            body = self._get(credentials, listing, {"sort": "new", "limit": PAGE, "after": after})
            listing_data = mapping(mapping(body).get("data"))
            children = listing_data.get("children")
            if not isinstance(children, list) or not children:
                break
            older = False
            for child in children:
                post = self._post(child)
                if post is None:
                    continue
                if post.published_at < since:
                    older = True
                    continue
                posts.append(post)
            after = str(listing_data.get("after") or "") or None
            if older or after is None or len(posts) >= max_posts:
                break
        return AccountReport(stats, posts[:max_posts], hidden=HIDDEN, credentials=self.refreshed)

    @staticmethod
    def _post(child: Any) -> PostStats | None:
        data = child.get("data") if isinstance(child, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("name"):
            return None
        published = parse_datetime(data.get("created_utc"))
        if published is None:
            return None
        permalink = str(data.get("permalink") or "")
        return PostStats(
            external_id=str(data["name"]),
            published_at=published,
            url=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else "",
            text=str(data.get("title") or "")[:500],
            metrics=clean_counts(
                {"score": data.get("score"), "comments": data.get("num_comments")}
            ),
        )
