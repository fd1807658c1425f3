"""X (Twitter): OAuth 2.0 with PKCE and rotating refresh tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.oauth._base import (
    Account,
    Grant,
    OAuthError,
    RefreshTokenProvider,
    json_body,
)


class XProvider(RefreshTokenProvider):
    """OAuth 2.0 with PKCE (S256). A confidential client authenticates with HTTP Basic; a public
    one (no secret) sends its ``client_id`` in the body. Refresh tokens rotate: each refresh gives
    a new one and the old one stops working."""

    key = "x"
    label = "X"
    networks = ("x",)
    #: ``dm.read dm.write``: the inbox's direct messages (used where X's access level has them).
    scopes = (
        "tweet.read",
        "tweet.write",
        "users.read",
        "media.write",
        "offline.access",
        "dm.read",
        "dm.write",
    )
    pkce = True
    refresh_margin = timedelta(minutes=30)
    default_endpoints = {"auth": "https://x.com", "api": "https://api.x.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        if not code_challenge:
            raise ValueError("X needs a PKCE code challenge")
        return self._query_url(
            f"{self.endpoints['auth']}/i/oauth2/authorize",
            {
                "response_type": "code",
                "client_id": self.app.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.scopes),
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            },
        )

    def _classify(
        self, status: int, code: str, description: str, graph_code: int | None
    ) -> ConnectorError | None:
        # X answers an unknown, used or revoked code or refresh token with 400 invalid_request
        # ("Value passed for the token was invalid."): the grant is gone either way.
        if status == 400 and code == "invalid_request" and "token" in description.lower():
            code = "invalid_grant"
        return super()._classify(status, code, description, graph_code)

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        basic = (self.app.client_id, self.app.client_secret) if self.app.client_secret else None
        response = self.http.post(
            f"{self.endpoints['api']}/2/oauth2/token",
            data={**data, "client_id": self.app.client_id},
            basic_auth=basic,
            error_map=self._token_errors,
        )
        return self._check_body(json_body(response))

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['api']}/2/users/me",
            headers={"Authorization": f"Bearer {grant.access_token}"},
        ).json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
            raise OAuthError(
                "X did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "X"},
            )
        user_id, username = str(data["id"]), str(data["username"])
        secret = {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "user_id": user_id,
            "username": username,
        }
        return [
            Account(
                "x", user_id, f"@{username}", secret, grant.expires_at, str(data.get("name") or "")
            )
        ]
