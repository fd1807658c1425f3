"""Reddit's OAuth API over the seam.

Application-only OAuth (client credentials grant): the token, valid a day, is returned in
``FetchResult.credentials`` with its expiry so the app stores it in the vault and the next fetches
reuse it; a 401 with a stored token gets one new token and one retry. Listings are newest first
(``sort=new``) and paged backwards with ``after``, one page per fetch through
:func:`ambassade.connectors._paging.sweep`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from ambassade.connectors._paging import Mark, Page, sweep
from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    FetchResult,
    InvalidConfig,
)
from ambassade.connectors.http import Response
from ambassade.connectors.reddit.parse import listing_items

__all__ = ["RedditConnector"]

MODES = ("search", "comments")


def _token_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code in (400, 401, 403):
        return AuthExpired(
            f"Reddit refused the application's client id and secret: {message}",
            code="reddit.app_refused",
            params={"detail": message},
        )
    return None


def _api_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 403:
        return ConnectorError(
            f"Reddit refused access (private or quarantined?): {message}",
            permanent=True,
            code="reddit.access_refused",
            params={"detail": message},
        )
    if response.status_code == 404:
        return ConnectorError(
            f"Reddit has no such subreddit (banned or misspelt?): {message}",
            permanent=True,
            code="reddit.no_subreddit",
            params={"detail": message},
        )
    return None


class RedditConnector(Connector):
    """Config: ``mode`` — ``search`` (``query``; optional ``subreddit`` to search in it only) or
    ``comments`` (``subreddit``: its new comments). Credentials: ``client_id``, ``client_secret`` of
    a Reddit app (script or web), optionally ``user_agent``; the connector adds ``access_token`` and
    ``expires_at``."""

    kind: ClassVar[str] = "reddit"
    label: ClassVar[str] = "Reddit"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {
        "auth": "https://www.reddit.com",
        "api": "https://oauth.reddit.com",
    }

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def check_config(self, config: Mapping[str, Any]) -> None:
        mode = config.get("mode", "search")
        if mode not in MODES:
            raise InvalidConfig(
                f"The mode must be one of {', '.join(MODES)}.",
                code="source.bad_mode",
                params={"modes": ", ".join(MODES)},
            )
        if mode == "search" and not str(config.get("query") or "").strip():
            raise InvalidConfig(
                "A Reddit search needs a query.",
                code="source.needs_query",
                params={"network": "Reddit"},
            )
        if mode == "comments" and not str(config.get("subreddit") or "").strip():
            raise InvalidConfig(
                "Reading comments needs a subreddit.", code="reddit.needs_subreddit"
            )

    def token(self, credentials: Mapping[str, Any]) -> dict[str, Any]:
        """A fresh application-only token, as credentials to store."""
        client_id = str(credentials.get("client_id") or "")
        secret = str(credentials.get("client_secret") or "")
        if not client_id:
            raise AuthExpired(
                "A Reddit source needs a connection with a client id and secret.",
                code="reddit.needs_connection",
            )
        response = self.http.post(
            f"{self.endpoints['auth']}/api/v1/access_token",
            data={"grant_type": "client_credentials"},
            basic_auth=(client_id, secret),
            retry=True,  # asking for a token twice is harmless
            error_map=_token_error_map,
        )
        body = response.json()
        if not isinstance(body, Mapping) or not body.get("access_token"):
            error = body.get("error") if isinstance(body, Mapping) else None
            raise AuthExpired(
                f"Reddit gave no access token ({error or 'no reason given'}).",
                code="oauth.no_token",
                params={"network": "Reddit"},
            )
        lifetime = float(body.get("expires_in") or 3600)
        return {
            **credentials,
            "access_token": str(body["access_token"]),
            "expires_at": self._clock() + lifetime,
        }

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        creds = dict(credentials or {})
        refreshed: dict[str, Any] | None = None
        expires_at = float(creds.get("expires_at") or 0)
        if not creds.get("access_token") or expires_at - 60 <= self._clock():
            creds = refreshed = self.token(creds)
        mode = config.get("mode", "search")
        subreddit = quote(str(config.get("subreddit") or "").removeprefix("r/").strip("/"), safe="")
        if mode == "comments":
            url = f"{self.endpoints['api']}/r/{subreddit}/comments"
            base_params: dict[str, Any] = {}
        else:
            prefix = f"/r/{subreddit}" if subreddit else ""
            url = f"{self.endpoints['api']}{prefix}/search"
            base_params = {
                "q": config["query"],
                "sort": "new",
                "type": "link",
                "restrict_sr": "true" if subreddit else None,
            }

        def get(after: str | None, token: str) -> Response:
            params = {**base_params, "limit": 100, "raw_json": 1, "after": after}
            headers = {"Authorization": f"Bearer {token}"}
            if creds.get("user_agent"):
                # Reddit throttles generic agents; it asks for "<platform>:<app id>:<version>
                # (by /u/<username>)".
                headers["User-Agent"] = str(creds["user_agent"])
            return self.http.get(url, params=params, headers=headers, error_map=_api_error_map)

        def load(after: str | None, mark: Mark | None) -> Page:
            nonlocal creds, refreshed
            try:
                response = get(after, str(creds["access_token"]))
            except AuthExpired:
                if refreshed is not None:
                    raise
                creds = refreshed = self.token(creds)  # expired or revoked early: one new token
                response = get(after, str(creds["access_token"]))
            items, next_after = listing_items(response.json(), source=self.kind)
            return Page(items, next_after)

        result = sweep(cursor, load, lambda item: item.created_at.timestamp())
        if refreshed is None:
            return result
        return FetchResult(result.items, result.next_cursor, result.more, credentials=refreshed)
