"""TikTok: Login Kit for the web (OAuth 2.0 v2), to read the account's own numbers.

The app sends ``client_key`` (TikTok's name for the client id) and its secret in the token
request's form; access tokens last 24 hours, refresh tokens a year (each refresh may give a new
one). Scopes: ``user.info.basic`` (who the account is), ``user.info.stats`` (followers, likes,
videos) and ``video.list`` (the account's public videos with their counts).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ambassade.connectors.oauth._base import (
    Account,
    Grant,
    OAuthError,
    RefreshTokenProvider,
    json_body,
)


class TikTokProvider(RefreshTokenProvider):
    key = "tiktok"
    label = "TikTok"
    networks = ("tiktok",)
    scopes = ("user.info.basic", "user.info.stats", "video.list")
    refresh_margin = timedelta(hours=2)
    default_endpoints = {"auth": "https://www.tiktok.com", "api": "https://open.tiktokapis.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/v2/auth/authorize/",
            {
                "client_key": self.app.client_id,
                "response_type": "code",
                "scope": ",".join(self.scopes),
                "redirect_uri": redirect_uri,
                "state": state,
            },
        )

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.endpoints['api']}/v2/oauth/token/",
            data={
                **data,
                "client_key": self.app.client_id,
                "client_secret": self.app.client_secret,
            },
            error_map=self._token_errors,
        )
        return self._check_body(json_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        body = self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body.get("expires_in")),
            user_id=str(body.get("open_id") or ""),
            scope=str(body.get("scope") or ""),
        )

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['api']}/v2/user/info/",
            params={"fields": "open_id,display_name,username"},
            headers={"Authorization": f"Bearer {grant.access_token}"},
        ).json()
        data = body.get("data") if isinstance(body, dict) else None
        user = data.get("user") if isinstance(data, dict) else None
        if not isinstance(user, dict) or not user.get("open_id"):
            raise OAuthError(
                "TikTok did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "TikTok"},
            )
        open_id = str(user["open_id"])
        username = str(user.get("username") or "")
        secret = {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "open_id": open_id,
            "username": username,
        }
        name = f"@{username}" if username else str(user.get("display_name") or open_id)
        return [
            Account(
                "tiktok",
                open_id,
                name,
                secret,
                grant.expires_at,
                str(user.get("display_name") or ""),
            )
        ]
