"""Bluesky over plain XRPC calls through the seam.

httpx rather than the atproto SDK: listening needs three endpoints (searchPosts, createSession,
refreshSession), and the SDK would bring its own HTTP client — outside the seam, so without the
private-address refusal, the retries, the rate-limit reading and the token redaction every other
connector gets — plus a large dependency tree for models we do not use.

Without credentials the public AppView is asked (it may refuse search to anonymous callers, a
permanent error asking for a connection). With an account (``identifier`` + ``app_password``), the
session's tokens are created once and handed back in ``FetchResult.credentials`` for the vault:
createSession is rate-limited per account (30 per 5 minutes, 300 a day), so it is not called on
every poll. An expired access token is refreshed with the refresh token, and only if that fails is a
new session created. Search results are newest first, filtered with ``since`` and paged backwards
with ``cursor``, one page per fetch (:func:`ambassade.connectors._paging.sweep`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
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
from ambassade.connectors.bluesky.parse import post_item, sort_at
from ambassade.connectors.http import Response

__all__ = ["BlueskyConnector"]

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
EXPIRED = {"ExpiredToken", "InvalidToken", "AuthMissing", "AuthRequired", "AuthenticationRequired"}


def _xrpc_error(response: Response) -> str:
    try:
        body = response.json()
    except ConnectorError:
        return ""
    return str(body.get("error") or "") if isinstance(body, Mapping) else ""


def _error_map(response: Response, message: str) -> ConnectorError | None:
    error = _xrpc_error(response)
    if response.status_code == 401 or error in EXPIRED:
        return AuthExpired(
            f"Bluesky refused the session ({error or response.status_code}): {message}",
            code="bluesky.session_refused",
            params={"detail": message},
        )
    if response.status_code == 403:
        return ConnectorError(
            f"Bluesky refused the search ({message}); connect a Bluesky account to search.",
            permanent=True,
            code="bluesky.search_refused",
            params={"detail": message},
        )
    return None


class BlueskyConnector(Connector):
    """Config: ``query`` (Lucene-like syntax), optional ``lang`` (``fr``). Credentials: none (public
    AppView), or ``identifier`` (handle or e-mail) and ``app_password``, optionally ``service`` (the
    PDS, ``https://bsky.social`` by default); the connector adds ``access_jwt`` and ``refresh_jwt``."""

    kind: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    default_endpoints: ClassVar[Mapping[str, str]] = {
        "public": "https://public.api.bsky.app",
        "pds": "https://bsky.social",
    }

    def check_config(self, config: Mapping[str, Any]) -> None:
        if not str(config.get("query") or "").strip():
            raise InvalidConfig(
                "A Bluesky source needs a search query.",
                code="source.needs_query",
                params={"network": "Bluesky"},
            )

    # --- sessions -------------------------------------------------------------------------------

    def _service(self, creds: Mapping[str, Any]) -> str:
        return str(creds.get("service") or self.endpoints["pds"]).rstrip("/")

    def create_session(self, creds: Mapping[str, Any]) -> dict[str, Any]:
        if not creds.get("identifier") or not creds.get("app_password"):
            raise AuthExpired(
                "The Bluesky connection has no identifier and app password.",
                code="bluesky.no_credentials",
            )
        body = self.http.post(
            f"{self._service(creds)}/xrpc/com.atproto.server.createSession",
            json={"identifier": creds["identifier"], "password": creds["app_password"]},
            error_map=_error_map,
        ).json()
        return self._with_tokens(creds, body)

    def refresh_session(self, creds: Mapping[str, Any]) -> dict[str, Any]:
        body = self.http.post(
            f"{self._service(creds)}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {creds.get('refresh_jwt', '')}"},
            error_map=_error_map,
        ).json()
        return self._with_tokens(creds, body)

    @staticmethod
    def _with_tokens(creds: Mapping[str, Any], body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping) or not body.get("accessJwt") or not body.get("refreshJwt"):
            raise ConnectorError(
                "Bluesky answered the session request without tokens.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        return {
            **creds,
            "access_jwt": str(body["accessJwt"]),
            "refresh_jwt": str(body["refreshJwt"]),
            "did": str(body.get("did") or creds.get("did") or ""),
        }

    # --- listening --------------------------------------------------------------------------------

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        creds: dict[str, Any] | None = dict(credentials) if credentials else None
        refreshed: dict[str, Any] | None = None
        if creds is not None and not creds.get("access_jwt"):
            creds = refreshed = self.create_session(creds)

        def search(params: dict[str, Any]) -> Response:
            if creds is None:
                return self.http.get(
                    self.endpoints["public"] + SEARCH, params=params, error_map=_error_map
                )
            return self.http.get(
                self._service(creds) + SEARCH,
                params=params,
                headers={"Authorization": f"Bearer {creds['access_jwt']}"},
                error_map=_error_map,
            )

        def load(token: str | None, mark: Mark | None) -> Page:
            nonlocal creds, refreshed
            params: dict[str, Any] = {
                "q": config["query"],
                "sort": "latest",
                "limit": 100,
                "lang": config.get("lang"),
                "cursor": token,
            }
            if mark is not None:
                since = datetime.fromtimestamp(float(mark), UTC)
                params["since"] = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            try:
                response = search(params)
            except AuthExpired:
                if creds is None or refreshed is not None:
                    raise
                try:
                    creds = refreshed = self.refresh_session(creds)
                except AuthExpired:
                    creds = refreshed = self.create_session(creds)
                response = search(params)
            body = response.json()
            if not isinstance(body, Mapping) or not isinstance(body.get("posts"), list):
                raise ConnectorError(
                    "Bluesky's search returned no list of posts.",
                    code="connector.bad_answer",
                    params={"network": "Bluesky"},
                )
            next_token = body.get("cursor")
            return Page(
                [post_item(post, source=self.kind) for post in body["posts"]],
                str(next_token) if next_token else None,
            )

        result = sweep(cursor, load, sort_at)
        if refreshed is None:
            return result
        return FetchResult(result.items, result.next_cursor, result.more, credentials=refreshed)
