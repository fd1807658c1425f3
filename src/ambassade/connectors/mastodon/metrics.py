"""Mastodon's numbers of an account: ``followers_count``, ``following_count``, ``statuses_count``
and, per status, ``favourites_count``, ``reblogs_count``, ``replies_count`` (and ``quotes_count``
on servers from 4.5).

- The brand's own account: ``GET /api/v1/accounts/verify_credentials`` with its token (scope
  ``read:accounts``), on the connection's server.
- A public account ``user@server``: ``GET /api/v1/accounts/lookup?acct=user`` on its own server,
  without a token (its home server has the exact counts; another server has only what federated
  to it).
- Its statuses: ``GET /api/v1/accounts/:id/statuses?exclude_reblogs=true&exclude_replies=true``,
  40 a page, older pages with ``max_id``.

Mastodon has no impressions, reach, views or link clicks (the server does not count who read a
status), and bookmarks are private: those are ``hidden``. Limits: 300 requests per 5 minutes per
account or address; the seam turns a 429 into ``retry_after``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ambassade.connectors._text import as_int, html_to_text, parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
)
from ambassade.connectors.http import Response
from ambassade.connectors.mastodon.client import _error_map
from ambassade.connectors.mastodon.publish import instance_of
from ambassade.connectors.metrics import AccountReport, AccountStats, PostStats, clean_counts

__all__ = ["MastodonMetrics"]

PAGE = 40
MAX_PAGES = 5
HIDDEN = frozenset({"impressions", "reach", "views", "clicks", "saves", "shares"})


def _lookup_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 404:
        return ConnectorError(
            f"Mastodon has no account by this name: {message}",
            permanent=True,
            code="metrics.no_account",
            params={"network": "Mastodon", "detail": message},
        )
    return _error_map(response, message)


def split_handle(handle: str) -> tuple[str, str]:
    """``("user", "server")`` from ``@user@server``, ``user@server`` or a profile address."""
    text = handle.strip()
    if text.startswith(("https://", "http://")):
        rest = text.split("://", 1)[1]
        host, _, path = rest.partition("/")
        user = path.strip("/").lstrip("@").split("/", 1)[0]
        return user, host
    user, _, host = text.lstrip("@").partition("@")
    return user, host


class MastodonMetrics(Connector):
    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def _server(self, host: str) -> str:
        return str(self.endpoints.get("instance") or f"https://{host}").rstrip("/")

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        headers: dict[str, str] = {}
        if not handle:
            creds = credentials or {}
            if not creds.get("access_token"):
                raise AuthExpired(
                    "The Mastodon connection has no access token.",
                    code="connection.no_token",
                    params={"network": "Mastodon"},
                )
            base = str(self.endpoints.get("instance") or instance_of(creds)).rstrip("/")
            headers["Authorization"] = f"Bearer {creds['access_token']}"
            account = self.http.get(
                f"{base}/api/v1/accounts/verify_credentials",
                headers=headers,
                error_map=_error_map,
            ).json()
        else:
            user, host = split_handle(handle)
            if not user or not host:
                raise ConnectorError(
                    f"A Mastodon account is written user@server, not {handle!r}.",
                    permanent=True,
                    code="metrics.bad_handle",
                    params={"network": "Mastodon", "handle": handle, "example": "@user@server"},
                )
            base = self._server(host)
            account = self.http.get(
                f"{base}/api/v1/accounts/lookup",
                params={"acct": user},
                error_map=_lookup_error_map,
            ).json()
        if not isinstance(account, Mapping) or not account.get("id"):
            raise ConnectorError(
                "Mastodon answered an account without an id.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        stats = self._stats(account, handle, base)
        posts: list[PostStats] = []
        max_id: str | None = None
        for _ in range(MAX_PAGES):
            page = self.http.get(
                f"{base}/api/v1/accounts/{account['id']}/statuses",
                params={
                    "limit": PAGE,
                    "exclude_reblogs": "true",
                    "exclude_replies": "true",
                    "max_id": max_id,
                },
                headers=headers,
                error_map=_error_map,
            ).json()
            if not isinstance(page, list) or not page:
                break
            older = False
            for status in page:
                post = self._post(status)
                if post is None:
                    continue
                if post.published_at < since:
                    older = True
                    continue
                posts.append(post)
            last = page[-1]
            max_id = str(last.get("id")) if isinstance(last, Mapping) and last.get("id") else None
            if older or len(page) < PAGE or max_id is None or len(posts) >= max_posts:
                break
        return AccountReport(stats, posts[:max_posts], hidden=HIDDEN)

    @staticmethod
    def _stats(account: Mapping[str, Any], handle: str, base: str) -> AccountStats:
        acct = str(account.get("acct") or account.get("username") or "")
        if "@" not in acct:
            if handle:
                acct = "@".join(split_handle(handle))
            else:
                host = urlsplit(str(account.get("url") or base)).hostname or ""
                acct = f"{acct}@{host}"
        return AccountStats(
            handle=acct,
            id=str(account.get("uri") or account.get("id") or ""),
            name=str(account.get("display_name") or account.get("username") or ""),
            url=str(account.get("url") or ""),
            followers=as_int(account.get("followers_count")),
            following=as_int(account.get("following_count")),
            posts=as_int(account.get("statuses_count")),
        )

    @staticmethod
    def _post(status: Any) -> PostStats | None:
        if not isinstance(status, Mapping) or status.get("reblog") or not status.get("id"):
            return None
        published = parse_datetime(status.get("created_at"))
        if published is None:
            return None
        return PostStats(
            external_id=str(status.get("uri") or status["id"]),
            published_at=published,
            url=str(status.get("url") or status.get("uri") or ""),
            text=html_to_text(str(status.get("content") or ""))[:500],
            metrics=clean_counts(
                {
                    "likes": status.get("favourites_count"),
                    "reposts": status.get("reblogs_count"),
                    "replies": status.get("replies_count"),
                    "quotes": status.get("quotes_count"),
                }
            ),
        )
