"""Reddit: installed or web apps with permanent refresh tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ambassade.connectors.oauth._base import (
    Account,
    App,
    Grant,
    OAuthError,
    Provider,
    Refreshed,
    json_body,
)


class RedditProvider(Provider):
    """Reddit's web app flow with ``duration=permanent``: a refresh token that lasts until revoked
    and access tokens that last an hour. The app's id and secret authenticate with HTTP Basic and
    are stored with the connection (the publisher refreshes with them)."""

    key = "reddit"
    label = "Reddit"
    networks = ("reddit",)
    #: ``privatemessages``: the inbox's private messages.
    scopes = ("identity", "submit", "read", "history", "privatemessages")
    refresh_margin = timedelta(minutes=30)
    default_endpoints = {"auth": "https://www.reddit.com", "api": "https://oauth.reddit.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/api/v1/authorize",
            {
                "client_id": self.app.client_id,
                "response_type": "code",
                "state": state,
                "redirect_uri": redirect_uri,
                "duration": "permanent",
                "scope": " ".join(self.scopes),
            },
        )

    def _token(self, data: dict[str, str], app: App) -> dict[str, Any]:
        response = self.http.post(
            f"{self.endpoints['auth']}/api/v1/access_token",
            data=data,
            basic_auth=(app.client_id, app.client_secret),
            error_map=self._token_errors,
        )
        # Reddit may answer 200 with {"error": "invalid_grant"}.
        return self._check_body(json_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        body = self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            self.app,
        )
        return self._grant(body)

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['api']}/api/v1/me",
            headers={"Authorization": f"bearer {grant.access_token}"},
        ).json()
        if not isinstance(body, dict) or not body.get("name"):
            raise OAuthError(
                "Reddit did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "Reddit"},
            )
        username = str(body["name"])
        secret = {
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "refresh_token": grant.refresh_token,
            "username": username,
            "access_token": grant.access_token,
            "access_token_expires_at": grant.expires_at.isoformat() if grant.expires_at else "",
        }
        return [
            Account(
                "reddit", str(body.get("id") or username), f"u/{username}", secret, grant.expires_at
            )
        ]

    def can_refresh(self, secret: Mapping[str, Any]) -> bool:
        return bool(secret.get("refresh_token"))

    def refresh(self, secret: Mapping[str, Any]) -> Refreshed:
        if not secret.get("refresh_token"):
            return super().refresh(secret)
        app = App(
            str(secret.get("client_id") or self.app.client_id),
            str(secret.get("client_secret") or self.app.client_secret),
        )
        body = self._token(
            {"grant_type": "refresh_token", "refresh_token": str(secret["refresh_token"])}, app
        )
        expires_at = self._expiry(body.get("expires_in"))
        new = {
            **secret,
            "access_token": str(body["access_token"]),
            "access_token_expires_at": expires_at.isoformat() if expires_at else "",
        }
        if body.get("refresh_token"):
            new["refresh_token"] = str(body["refresh_token"])
        return Refreshed(new, expires_at)
