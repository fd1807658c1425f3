"""``GET /2/tweets/search/recent`` with ``since_id`` set to the mark of the last complete sweep and
``next_token`` walking back to it, one page per fetch (:func:`ambassade.connectors._paging.sweep`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

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
from ambassade.connectors.x.parse import search_items

__all__ = ["XConnector"]

TWEET_FIELDS = (
    "created_at,lang,public_metrics,conversation_id,referenced_tweets,author_id,note_tweet"
)
USER_FIELDS = "username,name,public_metrics,url,verified"


def _error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 401:
        return AuthExpired(
            f"X refused the bearer token: {message}",
            code="x.bearer_refused",
            params={"detail": message},
        )
    if response.status_code == 403:
        # client-not-enrolled, a plan without search access…: a person must act, not a retry.
        return ConnectorError(
            f"X refused the search: {message}",
            permanent=True,
            code="x.search_refused",
            params={"detail": message},
        )
    if response.status_code == 400:
        # The top-level "detail" is generic; the first of "errors" names the parameter.
        try:
            errors = response.json().get("errors")
            detail = str(errors[0]["message"])
        except (ConnectorError, AttributeError, LookupError, TypeError):
            return None
        return ConnectorError(
            f"X refused the search: {detail}",
            permanent=True,
            code="x.search_refused",
            params={"detail": detail},
        )
    return None


class XConnector(Connector):
    """Config: ``query`` (X search syntax, e.g. ``aerolux -is:retweet lang:fr``). Credentials:
    ``bearer_token`` (app-only)."""

    kind: ClassVar[str] = "x"
    label: ClassVar[str] = "X"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://api.x.com"}

    def check_config(self, config: Mapping[str, Any]) -> None:
        query = str(config.get("query") or "").strip()
        if not query:
            raise InvalidConfig(
                "An X source needs a search query.",
                code="source.needs_query",
                params={"network": "X"},
            )
        if len(query) > 512:
            raise InvalidConfig(
                "X search queries are limited to 512 characters.",
                code="x.query_too_long",
                params={"limit": 512},
            )

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        token = str((credentials or {}).get("bearer_token") or "")
        if not token:
            raise AuthExpired(
                "An X source needs a connection with a bearer token.", code="x.needs_connection"
            )
        headers = {"Authorization": f"Bearer {token}"}

        def load(page_token: str | None, mark: Mark | None) -> Page:
            params: dict[str, Any] = {
                "query": config["query"],
                "max_results": 100,
                "tweet.fields": TWEET_FIELDS,
                "expansions": "author_id",
                "user.fields": USER_FIELDS,
                "since_id": str(int(mark)) if mark is not None else None,
                "next_token": page_token,
            }
            url = f"{self.endpoints['api']}/2/tweets/search/recent"
            try:
                response = self.http.get(url, params=params, headers=headers, error_map=_error_map)
            except ConnectorError as exc:
                # Recent search only reaches seven days back; an older since_id is refused (400).
                if mark is None or "since_id" not in exc.message or not exc.permanent:
                    raise
                params["since_id"] = None
                response = self.http.get(url, params=params, headers=headers, error_map=_error_map)
            body = response.json()
            meta = body.get("meta") if isinstance(body, Mapping) else None
            next_token = meta.get("next_token") if isinstance(meta, Mapping) else None
            return Page(
                search_items(body, source=self.kind), str(next_token) if next_token else None
            )

        return sweep(cursor, load, lambda item: int(item.external_id))
