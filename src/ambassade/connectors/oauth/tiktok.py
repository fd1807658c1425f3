"""TikTok: Login Kit for the web (OAuth 2.0 v2), to read the account's own numbers.

The app sends ``client_key`` (TikTok's name for the client id) and its secret in the token
request's form; access tokens last 24 hours, refresh tokens a year (each refresh may give a new
one). Scopes: ``user.info.basic`` (who the account is), ``user.info.stats`` (followers, likes,
videos) and ``video.list`` (the account's public videos with their counts).
"""

from __future__ import annotations

from datetime import timedelta

from ambassade.connectors.oauth._base import (
    Account,
    Grant,
    OAuthError,
    RefreshTokenProvider,
)


class TikTokProvider(RefreshTokenProvider):
    key = "tiktok"
    label = "TikTok"
    networks = ("tiktok",)
    scopes = ("user.info.basic", "user.info.stats", "video.list")
    refresh_margin = timedelta(hours=2)
    default_endpoints = {"auth": "https://www.tiktok.com", "api": "https://open.tiktokapis.com"}
    token_endpoint = ("api", "/v2/oauth/token/")
    client_id_field = "client_key"
    user_id_field = "open_id"

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
